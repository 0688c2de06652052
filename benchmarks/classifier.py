"""Accuracy, calibration, thresholds and latency of the caller classifier.

Prints top-1/top-3 by catalogue entry and by official tema, alcaldía accuracy, the worst
confusion pairs, the fitted calibration and the thresholds it implies, and the median and p99
time per utterance with the shipped catalogue and with a synthetic 2,000-entry one, both as
built and after ``gc.freeze()`` (the long-lived index then no longer slows the collector's
full passes, which otherwise cost a few milliseconds now and then)::

    python benchmarks/classifier.py [--ablation] [--entries 2000] [--passes 5]

The tuning set (``classifier_eval.tsv``, which the weights were tuned on) and each fresh set
(utterances written for the issue before tuning and kept apart from it; ``…_2026e`` and later
``…_2026f`` were then tuned on, ``…_2026g``'s errors then guided general place fixes, and
``…_2026h``, written by someone who never saw the classifier, was measured once after that
round, then g's and h's errors guided general lexicon and weighting fixes, and ``…_2026i``,
sealed through that round, guided the next: any later round needs a new sealed set) are
reported apart;
calibration and latency use them together. Every figure is with the shipped tema model
(``ivr/classifier/tema_model.py``), trained on all those sets; ``--held-out SET`` measures a set
honestly: the search alone, then with a model trained without that set's rows.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from rapidfuzz import fuzz, process

from ivr.classifier import Classifier, Thresholds
from ivr.classifier.calibration import Calibration, choose_threshold, confirm_threshold, fit
from ivr.classifier.catalogue_csv import read_catalogue_csv
from ivr.classifier.evaluation import Labelled, Report, evaluate, read_eval_set
from ivr.classifier.tema_model import shipped_tema_model, trained_without
from ivr.classifier.text import normalise
from models.catalogue import CatalogueEntry

REPO = Path(__file__).resolve().parent.parent
CATALOGUE = REPO / "models" / "data" / "catalogue.csv"
EVAL_SET = REPO / "tests" / "data" / "classifier_eval.tsv"
FRESH_SETS = sorted((REPO / "tests" / "data").glob("classifier_fresh_*.tsv"))
VARIANTS = ("zona norte", "zona sur", "temporada de lluvias", "unidad habitacional", "mercados",
            "escuelas", "programa emergente")  # fmt: skip
CONFIRM_PRECISION = 0.98


def synthetic(entries: Sequence[CatalogueEntry], size: int) -> list[CatalogueEntry]:
    """``size`` entries made by varying the real ones (name suffix, synonym subsets)."""
    result = list(entries)
    for index in range(size - len(entries)):
        base = entries[index % len(entries)]
        variant = VARIANTS[(index // len(entries)) % len(VARIANTS)]
        result.append(
            base.model_copy(
                update={
                    "code": f"{base.code}-{index}",
                    "name": f"{base.name} ({variant})",
                    "synonyms": [f"{s} {variant}" for s in base.synonyms[index % 2 :: 2]],
                    "examples": base.examples[(index + 1) % 2 :: 2],
                }
            )
        )
    return result


def latency(classifier: Classifier, texts: Sequence[str], passes: int) -> dict[str, float]:
    """Median and p99 milliseconds per utterance, wall-clock and on-CPU, cold and warm.

    The machine is shared: wall-clock p99 includes the moments another process held the
    core; on-CPU time (``thread_time``) is what the classifier itself costs.
    """
    figures = {}
    for phase, runs in (("cold", 1), ("warm", passes)):
        wall, cpu = [], []
        for _ in range(runs):
            for text in texts:
                started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
                classifier.classify(text)
                cpu.append((time.thread_time_ns() - started_cpu) / 1e6)
                wall.append((time.perf_counter_ns() - started) / 1e6)
        for clock, times in (("wall", sorted(wall)), ("cpu", sorted(cpu))):
            figures[f"{phase} {clock} median"] = statistics.median(times)
            figures[f"{phase} {clock} p99"] = times[min(len(times) - 1, int(len(times) * 0.99))]
    return figures


def calibration_error(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> float:
    """Expected calibration error: mean |confidence − accuracy| over confidence bins."""
    total = 0.0
    for b in range(bins):
        inside = [
            (c, r) for c, r in pairs if b / bins <= c < (b + 1) / bins or (c == 1 and b == bins - 1)
        ]
        if inside:
            gap = statistics.mean(c for c, _ in inside) - statistics.mean(r for _, r in inside)
            total += abs(gap) * len(inside) / len(pairs)
    return total


def print_accuracy(label: str, report: Report, rows: Sequence[Labelled]) -> None:
    named = [r for r in rows if r.in_catalogue and r.alcaldia]
    print(f"{label}: {report.rows} utterances, {len(named)} naming a place")
    print(f"  top-1 {report.top1:.1%}  top-3 {report.top3:.1%}  (by catalogue entry)")
    print(f"  top-1 {report.tema_top1:.1%}  top-3 {report.tema_top3:.1%}  (by official tema)")
    print(
        f"  alcaldía {report.alcaldia:.1%} (all rows, empty when none said); "
        f"{report.alcaldia_named:.1%} on the {len(named)} rows naming one"
    )


Part = tuple[Classifier, Sequence[Labelled]]
"""Rows and the classifier that measures them (with a tema model that never learned them)."""


def pooled(parts: Sequence[Part], calibration: Calibration, *, half: bool | None) -> Report:
    """One report over every part, with ``calibration``: one half of each set, or all of it."""
    total = Report()
    for classifier, rows in parts:
        chosen = [r for r in rows if half is None or r.held_out == half]
        report = evaluate(replace_calibration(classifier, calibration), chosen)
        total.rows += report.rows
        total.samples += report.samples
        total.confidences += report.confidences
        total.outside += report.outside
    return total


def calibrate(parts: Sequence[Part]) -> tuple[Calibration, Thresholds]:
    """Fit on one half, check on the other, derive thresholds on the whole set."""
    shipped = parts[0][0].calibration
    calibration = fit(pooled(parts, shipped, half=False).samples)
    print(f"calibration fitted on half of {sum(len(rows) for _, rows in parts)}: {calibration}")
    for name, cal in (("shipped", shipped), ("fitted", calibration)):
        report = pooled(parts, cal, half=True)
        pairs = [(c, r) for c, r, _ in report.confidences] + [(c, False) for c in report.outside]
        brier = statistics.mean((c - r) ** 2 for c, r in pairs)
        print(
            f"  held-out {len(pairs)} ({name}): "
            f"ECE {calibration_error(pairs):.3f}  Brier {brier:.3f}"
        )
    full = pooled(parts, calibration, half=None)
    confirm = confirm_threshold(
        [(c, r) for c, r, _ in full.confidences], precision=CONFIRM_PRECISION
    )
    helped = [c for c, _, in3 in full.confidences if in3]
    unhelped = [c for c, _, in3 in full.confidences if not in3] + full.outside
    choose = min(choose_threshold(helped, unhelped), confirm)
    thresholds = Thresholds(confirm=round(confirm, 3), choose=round(choose, 3))
    print(f"thresholds: {thresholds}")
    print_decisions(full, thresholds)
    print(f"shipped thresholds {parts[0][0].thresholds}, with the shipped calibration:")
    print_decisions(pooled(parts, shipped, half=None), parts[0][0].thresholds)
    return calibration, thresholds


def unseen_parts(
    entries: Sequence[CatalogueEntry], sets: Sequence[Sequence[Labelled]]
) -> list[Part]:
    """Each set with a classifier whose tema model was trained without it."""
    return [
        (Classifier(entries, tema_model=trained_without({row.text for row in rows})), rows)
        for rows in sets
    ]


def print_decisions(report: Report, thresholds: Thresholds) -> None:
    groups: dict[str, list[tuple[float, bool, bool]]] = {"confirm": [], "choose": [], "agent": []}
    for item in report.confidences:
        groups[thresholds.decide(item[0]).value].append(item)
    for name, items in groups.items():
        right = sum(r for _, r, _ in items) / max(len(items), 1)
        in3 = sum(t for _, _, t in items) / max(len(items), 1)
        print(
            f"  {name:8} {len(items) / report.rows:6.1%} of rows; "
            f"best right {right:.1%}, in top-3 {in3:.1%}"
        )
    caught = sum(thresholds.decide(c).value == "agent" for c in report.outside)
    print(f"  out-of-catalogue sent to an agent: {caught}/{len(report.outside)}")


def replace_calibration(classifier: Classifier, calibration: Calibration) -> Classifier:
    clone = Classifier.__new__(Classifier)
    clone.__dict__.update(classifier.__dict__)
    clone.calibration = calibration
    return clone


def print_confusions(report: Report, names: dict[str, str], limit: int = 10) -> None:
    print("worst confusions (expected → got):")
    for (expected, got), count in report.confusions.most_common(limit):
        print(
            f"  {count}× {expected} {names.get(expected, '')[:40]!r} "
            f"→ {got} {names.get(got, '')[:40]!r}"
        )


def ablation(entries: Sequence[CatalogueEntry], rows: Sequence[Labelled]) -> None:
    """Each scorer alone and combined, to show why they are combined."""
    inside = [r for r in rows if r.in_catalogue]
    for label, share in (("lexical only", 1.0), ("phrase rerank only", 0.0), ("combined", None)):
        report = evaluate(Classifier(entries, lexical_share=share), inside)
        print(f"  {label:24} top-1 {report.top1:.1%}  top-3 {report.top3:.1%}")
    for label, scorer in (
        ("rerank token_sort_ratio", fuzz.token_sort_ratio),
        ("rerank WRatio", fuzz.WRatio),
        ("rerank QRatio", fuzz.QRatio),
    ):
        report = evaluate(Classifier(entries, phrase_scorer=scorer), inside)
        print(f"  {label:24} top-1 {report.top1:.1%}  top-3 {report.top3:.1%}")
    baseline(entries, inside)


def baseline(entries: Sequence[CatalogueEntry], inside: Sequence[Labelled]) -> None:
    """``rapidfuzz`` alone: the best-matching phrase of any entry, no index."""
    phrases, owners = [], []
    for entry in entries:
        for text in [entry.name, *entry.synonyms, *entry.examples]:
            phrases.append(" ".join(normalise(text).tokens))
            owners.append(entry.code)
    for label, scorer in (
        ("WRatio, no index", fuzz.WRatio),
        ("token_set, no index", fuzz.token_set_ratio),
    ):
        top1 = top3 = 0
        for row in inside:
            query = " ".join(normalise(row.text).tokens)
            codes: list[str] = []
            for _, _, at in process.extract(query, phrases, scorer=scorer, limit=30):
                if owners[at] not in codes:
                    codes.append(owners[at])
            top1 += codes[:1] == [row.code]
            top3 += row.code in codes[:3]
        print(f"  {label:24} top-1 {top1 / len(inside):.1%}  top-3 {top3 / len(inside):.1%}")


def held_out(entries: Sequence[CatalogueEntry], path: Path) -> None:
    """A set measured as unseen: the search alone, then with a model trained without it."""
    rows = read_eval_set(path)
    print_accuracy(
        f"held-out {path.name}, catalogue search alone", evaluate(Classifier(entries), rows), rows
    )
    ((unseen, _),) = unseen_parts(entries, [rows])
    with_model = evaluate(unseen, rows)
    print_accuracy(f"held-out {path.name}, with a tema model trained without it", with_model, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE)
    parser.add_argument("--eval-set", type=Path, default=EVAL_SET)
    parser.add_argument("--fresh-set", type=Path, nargs="*", default=FRESH_SETS)
    parser.add_argument("--entries", type=int, default=2000, help="size of the synthetic catalogue")
    parser.add_argument("--passes", type=int, default=5, help="warm passes for latency")
    parser.add_argument("--ablation", action="store_true", help="measure each scorer alone")
    parser.add_argument(
        "--held-out", type=Path, nargs="*", default=[], help="sets to measure unseen"
    )
    args = parser.parse_args()
    entries = read_catalogue_csv(args.catalogue)
    for path in args.held_out:
        held_out(entries, path)
    model = shipped_tema_model()
    tuning = read_eval_set(args.eval_set)
    classifier = Classifier(entries, tema_model=model)
    report = evaluate(classifier, tuning)
    print_accuracy(f"tuning set {args.eval_set.name}, catalogue of {len(entries)}", report, tuning)
    print_confusions(report, {e.code: e.name for e in entries})
    rows = list(tuning)
    sets = [tuning]
    for path in args.fresh_set:
        fresh = read_eval_set(path)
        print_accuracy(f"fresh set {path.name}", evaluate(classifier, fresh), fresh)
        rows += fresh
        sets.append(fresh)
    print("calibration of the search and the tema model, each set measured unseen:")
    calibration, thresholds = calibrate(unseen_parts(entries, sets))
    if args.ablation:
        print("scorers:")
        ablation(entries, rows)
    texts = [r.text for r in rows]
    for label, catalogue in (("shipped", entries), ("synthetic", synthetic(entries, args.entries))):
        timed = Classifier(catalogue, calibration=calibration, tema_model=model)
        for frozen in (False, True):
            gc.collect()
            if frozen:
                gc.freeze()
            figures = latency(timed, texts, args.passes)
            gc.unfreeze()
            print(
                f"latency, {label} catalogue of {len(catalogue)} entries, {len(texts)} utterances"
                f"{', after gc.freeze()' if frozen else ''}:"
            )
            for phase in ("cold", "warm"):
                print(
                    f"  {phase}: median {figures[f'{phase} wall median']:.3f} ms, "
                    f"p99 {figures[f'{phase} wall p99']:.3f} ms wall-clock; "
                    f"median {figures[f'{phase} cpu median']:.3f} ms, "
                    f"p99 {figures[f'{phase} cpu p99']:.3f} ms on CPU"
                )
    big = evaluate(Classifier(synthetic(entries, args.entries), tema_model=model), rows)
    print(
        "  synthetic catalogue accuracy by tema: "
        f"top-1 {big.tema_top1:.1%} top-3 {big.tema_top3:.1%}"
    )


if __name__ == "__main__":
    main()
