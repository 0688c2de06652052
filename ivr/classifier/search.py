"""Search-as-you-type over the catalogue: the unfinished last word matches by prefix.

Of the catalogue words that start with it, the one most entries use stands for it ("alumbr"
→ "alumbrado"); an unfinished word with no completion is resolved like a misspelling.

The query it builds goes through the same ``scoring.rank`` as a caller's utterance, so the
agent console and the IVR agree on what is closest.

    >>> prefix_query(index, "fuga de ag", complete=False).terms   # doctest: +SKIP
"""

from __future__ import annotations

from bisect import bisect_left

from ivr.classifier.index import CatalogueIndex, Query, Term
from ivr.classifier.lexicon import STOPWORDS

PREFIX_SIMILARITY = 0.9
MAX_COMPLETIONS = 12
_MIN_PREFIX = 2


def completions(index: CatalogueIndex, prefix: str) -> list[str]:
    """Stems of the catalogue words that start with ``prefix`` (at most ``MAX_COMPLETIONS``)."""
    found: list[str] = []
    start = bisect_left(index.surface, (prefix, ""))
    for word, stem in index.surface[start:]:
        if not word.startswith(prefix) or len(found) >= MAX_COMPLETIONS:
            break
        if stem not in found:
            found.append(stem)
    return found


def prefix_query(index: CatalogueIndex, folded: str, *, complete: bool) -> Query:
    """The query for a search box's text; unless ``complete``, the last word is a prefix."""
    words = folded.split()
    last = "" if complete or not words else words.pop()
    query = index.query(words)
    if len(last) < _MIN_PREFIX or last in STOPWORDS:
        return query
    found = completions(index, last)
    common = max(found, key=lambda stem: len(index.postings[stem][0]), default=None)
    extra = [Term(common, PREFIX_SIMILARITY, 1.0)] if common else []
    if not extra:
        resolved = index.resolve(last)
        extra = [Term(resolved[0], resolved[1], 1.0)] if resolved else []
    text = " ".join([query.text, *(t.stem for t in extra[:1])]).strip()
    return Query(terms=query.terms + tuple(extra), unknown=query.unknown, text=text)
