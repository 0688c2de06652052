"""Scoring every catalogue entry against a query: lexical evidence, then a ``rapidfuzz`` rerank.

Two scorers, combined deliberately (``benchmarks/classifier.py --ablation`` measures each):

1. **Lexical** (all entries, through the postings): the IDF-weighted share of the caller's
   content words the entry has, each scaled by the entry's field weight and by how surely the
   word was resolved, plus a bonus when two consecutive words form one of the entry's
   bigrams ("fuga agua" against "falta agua"). Unknown words count against the share.
2. **Phrase** (the best ``RERANK_DEPTH`` lexical candidates): the best
   ``fuzz.token_set_ratio`` between the query's stems and each of the entry's normalised
   phrases; it rewards an entry one of whose phrasings the caller said nearly whole.

``score = LEXICAL_SHARE · lexical + (1 − LEXICAL_SHARE) · phrase``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from ivr.classifier.index import CatalogueIndex, Query

RERANK_DEPTH = 12
LEXICAL_SHARE = 0.65
BIGRAM_BONUS = 0.15


@dataclass(frozen=True)
class Scored:
    """An entry position with its raw score in [0, 1]."""

    position: int
    score: float
    lexical: float
    phrase: float


def lexical_scores(index: CatalogueIndex, query: Query) -> dict[int, float]:
    """The lexical share of every entry that shares at least one stem with the query."""
    best: dict[int, dict[str, float]] = defaultdict(dict)
    mass = index.unknown_mass * len(query.unknown)
    seen: dict[str, float] = {}
    for term in query.terms:
        idf = index.idf[term.stem]
        value = idf * term.similarity * term.weight
        if value > seen.get(term.stem, 0.0):
            mass += value - seen.get(term.stem, 0.0)
            seen[term.stem] = value
        for position, weight in index.postings[term.stem]:
            current = best[position].get(term.stem, 0.0)
            best[position][term.stem] = max(current, value * weight)
    if mass <= 0:
        return {}
    stems = [t.stem for t in query.terms if t.weight == 1.0]
    pairs = set(zip(stems, stems[1:], strict=False))
    bonus: dict[int, float] = defaultdict(float)
    for pair in pairs:
        for position in index.bigrams.get(pair, ()):
            bonus[position] = BIGRAM_BONUS
    return {
        position: min(1.0, sum(found.values()) / mass + bonus[position])
        for position, found in best.items()
    }


def phrase_score(index: CatalogueIndex, position: int, query: Query) -> float:
    """The best ``token_set_ratio`` of the query against one entry's phrases, in [0, 1]."""
    phrases = index.phrases[position]
    if not query.text or not phrases:
        return 0.0
    return max(fuzz.token_set_ratio(query.text, phrase) for phrase in phrases) / 100.0


def rank(
    index: CatalogueIndex,
    query: Query,
    *,
    depth: int = RERANK_DEPTH,
    lexical_share: float = LEXICAL_SHARE,
) -> list[Scored]:
    """Entries ranked best first; ties are broken by catalogue code, so the order is stable."""
    lexical = lexical_scores(index, query)
    if not lexical:
        return []
    codes = [entry.code for entry in index.entries]
    shortlist = sorted(lexical, key=lambda p: (-lexical[p], codes[p]))[:depth]
    scored = []
    for position in shortlist:
        phrase = phrase_score(index, position, query) if lexical_share < 1.0 else 0.0
        total = lexical_share * lexical[position] + (1.0 - lexical_share) * phrase
        scored.append(Scored(position, total, lexical[position], phrase))
    scored.sort(key=lambda s: (-s.score, codes[s.position]))
    return scored
