"""Measuring the classifier on a labelled set: accuracy, place, confusions, calibration data.

Used by ``benchmarks/classifier.py`` (which prints the figures) and by the tests (which hold
the accuracy above a floor). The set is a TSV with the header ``texto codigo tema alcaldia``;
a row with an empty ``codigo`` is outside the catalogue and should go to an agent.

    >>> report = evaluate(classifier, read_eval_set(path))     # doctest: +SKIP
    >>> report.top1, report.top3, report.alcaldia               # doctest: +SKIP
"""

from __future__ import annotations

import csv
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ivr.classifier.service import Classification, Classifier


@dataclass(frozen=True)
class Labelled:
    """One utterance of the evaluation set."""

    text: str
    code: str
    tema: str
    alcaldia: str

    @property
    def in_catalogue(self) -> bool:
        """False for the rows that should go to an agent."""
        return bool(self.code)

    @property
    def held_out(self) -> bool:
        """A stable half of the set, kept apart from calibration fitting."""
        return zlib.crc32(self.text.encode("utf-8")) % 2 == 1


@dataclass
class Report:
    """What an evaluation measured."""

    rows: int = 0
    top1: float = 0.0
    top3: float = 0.0
    tema_top1: float = 0.0
    tema_top3: float = 0.0
    alcaldia: float = 0.0
    alcaldia_named: float = 0.0
    """Alcaldía accuracy on the rows that name or imply one."""
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    samples: list[tuple[float, float, bool]] = field(default_factory=list)
    """``(score, margin, right)`` of the best candidate, for calibration (outside rows: wrong)."""
    confidences: list[tuple[float, bool, bool]] = field(default_factory=list)
    """``(confidence, top-1 right, in top 3)`` of each in-catalogue row."""
    outside: list[float] = field(default_factory=list)
    """The best confidence of each out-of-catalogue row (0 when no candidate)."""


def read_eval_set(path: Path) -> list[Labelled]:
    """The labelled utterances of a TSV file."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return [
            Labelled(r["texto"], r["codigo"], r["tema"], r["alcaldia"])
            for r in csv.DictReader(handle, delimiter="\t")
        ]


def evaluate(classifier: Classifier, rows: Sequence[Labelled]) -> Report:
    """Classify every row and tally the figures."""
    report = Report()
    hits = Counter[str]()
    for row in rows:
        result = classifier.classify(row.text)
        if not row.in_catalogue:
            report.outside.append(result.best.confidence if result.best else 0.0)
            if result.candidates:
                report.samples.append((*_score_and_margin(result), False))
            continue
        _tally(report, hits, row, result)
    count = max(report.rows, 1)
    report.top1, report.top3 = hits["top1"] / count, hits["top3"] / count
    report.tema_top1, report.tema_top3 = hits["tema1"] / count, hits["tema3"] / count
    report.alcaldia = hits["alcaldia"] / count
    report.alcaldia_named = hits["alcaldia named"] / max(hits["named"], 1)
    return report


def _tally(report: Report, hits: Counter[str], row: Labelled, result: Classification) -> None:
    report.rows += 1
    codes = [c.code for c in result.candidates]
    temas = [c.tema for c in result.candidates]
    right = codes[:1] == [row.code]
    hits["top1"] += right
    hits["top3"] += row.code in codes[:3]
    hits["tema1"] += temas[:1] == [row.tema]
    hits["tema3"] += row.tema in temas[:3]
    hits["alcaldia"] += (result.place.alcaldia or "") == row.alcaldia
    if row.alcaldia:
        hits["named"] += 1
        hits["alcaldia named"] += result.place.alcaldia == row.alcaldia
    if not right:
        report.confusions[(row.code, codes[0] if codes else "—")] += 1
    if result.candidates:
        report.samples.append((*_score_and_margin(result), right))
        report.confidences.append((result.candidates[0].confidence, right, row.code in codes))
    else:
        report.confidences.append((0.0, False, False))


def _score_and_margin(result: Classification) -> tuple[float, float]:
    scores = [c.score for c in result.candidates]
    return scores[0], scores[0] - (scores[1] if len(scores) > 1 else 0.0)
