"""Scoring every catalogue entry against a query: lexical evidence, then a ``rapidfuzz`` rerank.

Two scorers, combined deliberately (``benchmarks/classifier.py --ablation`` measures each):

1. **Lexical** (all entries, through the postings): the IDF-weighted share of the caller's
   content words the entry has, each scaled by the entry's field weight and by how surely the
   word was resolved, plus a bonus when two consecutive words form one of the entry's
   bigrams ("fuga agua" against "falta agua"). Unknown words count against the share.
2. **Phrase** (the best ``RERANK_DEPTH`` lexical candidates): the best
   ``fuzz.token_set_ratio`` between the query's stems and each of the entry's normalised
   phrases, scaled a little by the share of the query the phrase covers; it rewards an entry
   one of whose phrasings the caller said nearly whole.

``score = LEXICAL_SHARE · lexical + (1 − LEXICAL_SHARE) · phrase + PRIOR_WEIGHT · prior
+ labels + CONSENSUS_WEIGHT · consensus``, the prior being the tema's share of 2024 requests
(``priors``), ``labels`` the small evidence of the tema's own name and of its entries' names'
head words (``label_scores``) and ``consensus`` the share of the shortlist's lexical evidence
held by the entry's tema (a word three entries of one tema share, "mordida", points to that
tema more than to the one entry of another): all break near ties, as when a caller says one
word ("basura").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from ivr.classifier.index import CatalogueIndex, Query

RERANK_DEPTH = 12
LEXICAL_SHARE = 0.65
BIGRAM_BONUS = 0.15
PRIOR_WEIGHT = 0.03
TEMA_WEIGHT = 0.04
HEAD_WEIGHT = 0.04
CONSENSUS_WEIGHT = 0.03
COVERAGE_SHARE = 0.1
PhraseScorer = Callable[..., float]


@dataclass(frozen=True)
class Scored:
    """An entry position with its raw score in [0, 1]."""

    position: int
    score: float
    lexical: float
    phrase: float


def _term_values(index: CatalogueIndex, query: Query) -> tuple[dict[str, float], float]:
    """Each query stem's evidence (IDF × resolution × weight) and the utterance's total mass."""
    values: dict[str, float] = {}
    for term in query.terms:
        value = index.idf[term.stem] * term.similarity * term.weight
        values[term.stem] = max(value, values.get(term.stem, 0.0))
    return values, index.unknown_mass * len(query.unknown) + sum(values.values())


def label_scores(index: CatalogueIndex, query: Query) -> np.ndarray:
    """Evidence from what an entry is called: its official tema's name and its name's head.

    The City's tema names are its own words for the problem ("RECOLECCIÓN BASURA", "PODA"),
    and an entry's name begins with what it is about ("Banqueta rota…", not "Raíces de árbol
    que levantan la banqueta"). Said alone or nearly ("basura", "banqueta"), such a word
    points there rather than to an entry that merely mentions it. Each is the share of the
    utterance's evidence the label has, weighted by ``TEMA_WEIGHT`` and ``HEAD_WEIGHT``.
    """
    values, mass = _term_values(index, query)
    scores = np.zeros(len(index.entries))
    if mass <= 0:
        return scores
    full = {t.stem for t in query.terms if t.weight == 1.0}
    for stem, value in values.items():
        if stem in index.tema_postings:
            scores[index.tema_postings[stem]] += TEMA_WEIGHT * value
        if stem in full and stem in index.head_postings:
            scores[index.head_postings[stem]] += HEAD_WEIGHT * value
    return scores / mass


def lexical_scores(index: CatalogueIndex, query: Query) -> np.ndarray:
    """The lexical share of every entry (0 for those sharing nothing with the query)."""
    values, mass = _term_values(index, query)
    scores = np.zeros(len(index.entries))
    if mass <= 0:
        return scores
    for stem, value in values.items():
        positions, weights = index.postings[stem]
        scores[positions] += value * weights
    scores /= mass
    stems = [t.stem for t in query.terms if t.weight == 1.0]
    bonus = np.zeros(len(index.entries))
    for pair in set(zip(stems, stems[1:], strict=False)):
        if pair in index.bigrams:
            bonus[index.bigrams[pair]] = BIGRAM_BONUS
    return np.minimum(scores + bonus, 1.0)


def phrase_score(
    index: CatalogueIndex, position: int, query: Query, scorer: PhraseScorer = fuzz.token_set_ratio
) -> float:
    """The best ``scorer`` ratio of the query against one entry's phrases, in [0, 1], each
    scaled by how much of what the caller said the phrase covers (``COVERAGE_SHARE``).

    ``token_set_ratio`` gives a phrase found whole in the query full marks, however little of
    the query it is: "corre" in a burst pipe's story matched the one-word phrasing "me
    corrieron" as fully as "fuga de agua" matches "hay una fuga de agua".
    """
    phrases = index.phrases[position]
    if not query.text or not phrases:
        return 0.0
    said = set(query.text.split())
    mass = sum(index.idf.get(token, 0.0) for token in said) or 1.0
    best = 0.0
    for phrase, ratio, _ in process.extract(query.text, phrases, scorer=scorer, limit=None):
        if ratio / 100.0 <= best:  # best first: no phrase further down can do better
            break
        covered = sum(index.idf.get(token, 0.0) for token in set(phrase.split()) & said) / mass
        share = 1.0 - COVERAGE_SHARE + COVERAGE_SHARE * min(covered, 1.0)
        best = max(best, ratio / 100.0 * share)
    return best


def shortlist(index: CatalogueIndex, lexical: np.ndarray, depth: int) -> list[int]:
    """The ``depth`` best positions by lexical score, ties broken by catalogue code."""
    found = np.flatnonzero(lexical > 0)
    if len(found) > depth * 4:
        found = found[np.argpartition(-lexical[found], depth * 4)[: depth * 4]]
    order = np.lexsort((index.code_order[found], -lexical[found]))
    return [int(p) for p in found[order][:depth]]


def rank(
    index: CatalogueIndex,
    query: Query,
    *,
    depth: int = RERANK_DEPTH,
    lexical_share: float = LEXICAL_SHARE,
    phrase_scorer: PhraseScorer = fuzz.token_set_ratio,
) -> list[Scored]:
    """Entries ranked best first; ties are broken by catalogue code, so the order is stable."""
    if not index.entries or query.empty:
        return []
    lexical = lexical_scores(index, query)
    labels = label_scores(index, query)
    scored = []
    positions = shortlist(index, lexical, depth)
    support: dict[str, float] = defaultdict(float)
    for position in positions:
        support[index.entries[position].tema] += float(lexical[position])
    whole = sum(support.values()) or 1.0
    for position in positions:
        phrase = 0.0
        if lexical_share < 1.0:
            phrase = phrase_score(index, position, query, phrase_scorer)
        total = lexical_share * lexical[position] + (1.0 - lexical_share) * phrase
        total += PRIOR_WEIGHT * index.priors[position] + labels[position]
        total += CONSENSUS_WEIGHT * support[index.entries[position].tema] / whole
        scored.append(Scored(position, float(total), float(lexical[position]), phrase))
    scored.sort(key=lambda s: (-s.score, index.codes[s.position]))
    return scored
