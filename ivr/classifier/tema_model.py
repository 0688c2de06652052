"""A learned model of the official tema, which re-orders the catalogue search's best entries.

The catalogue search matches what was said against each entry's words; it misses everyday ways
of saying a problem that no entry spells out. This model learns which word pieces point to which
tema from the catalogue's own examples and from citizens' utterances labelled by tema
(``data/utterances.tsv``: the rows in the catalogue of every ``tests/data/classifier_*.tsv``, in
file order, kept equal to them by a test): a linear model (logistic loss) over TF-IDF character
n-grams of each word and word pairs. The 48 temas are official and fixed, so one model serves
any edit of the catalogue's entries.

It is trained when first used (about a second) and then only read: :meth:`TemaModel.chances`
computes the features itself, so a classification costs tens of microseconds, not the
milliseconds of scikit-learn's per-call checks.

    >>> model = shipped_tema_model()                          # doctest: +SKIP
    >>> model.chances("se tiró el agua en la banqueta")["FUGA DE AGUA"]  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import functools
import math
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier

from ivr.classifier.catalogue_csv import read_catalogue_csv
from ivr.classifier.text import fold
from models.config import PACKAGE_DATA

UTTERANCES = Path(__file__).with_name("data") / "utterances.tsv"
CATALOGUE = PACKAGE_DATA / "catalogue.csv"


class _Part:
    """One vectorizer's vocabulary and IDF, applied without scikit-learn's per-call checks."""

    def __init__(self, vectorizer: TfidfVectorizer, offset: int) -> None:
        self.analyze: Callable[[str], list[str]] = vectorizer.build_analyzer()
        self.columns = {term: offset + column for term, column in vectorizer.vocabulary_.items()}
        self.idf = vectorizer.idf_
        self.offset = offset

    def features(self, text: str) -> tuple[list[int], list[float]]:
        """Columns and L2-normalised sublinear TF-IDF values, as ``transform`` gives them."""
        counts = Counter(self.columns[t] for t in self.analyze(text) if t in self.columns)
        columns = list(counts)
        values = [(1 + math.log(n)) * self.idf[c - self.offset] for c, n in counts.items()]
        norm = math.sqrt(sum(v * v for v in values)) or 1.0
        return columns, [v / norm for v in values]


class TemaModel:
    """P(tema | words), trained on (text, tema) pairs."""

    def __init__(self, documents: Sequence[tuple[str, str]]) -> None:
        texts = [fold(text) for text, _ in documents]
        temas = [tema for _, tema in documents]
        pieces = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
        matrix = hstack([pieces.fit_transform(texts), words.fit_transform(texts)]).tocsr()
        model = SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=50, tol=1e-4, random_state=0)
        model.fit(matrix, temas)
        self.temas: tuple[str, ...] = tuple(model.classes_)
        self._parts = (_Part(pieces, 0), _Part(words, len(pieces.vocabulary_)))
        self._weights = np.ascontiguousarray(model.coef_.T)  # one row per feature
        self._intercept = model.intercept_.copy()

    def chances(self, text: str) -> dict[str, float]:
        """Each tema's probability for ``text`` (scikit-learn's one-vs-rest normalisation)."""
        columns: list[int] = []
        values: list[float] = []
        folded = fold(text)
        for part in self._parts:
            found, weights = part.features(folded)
            columns += found
            values += weights
        scores = self._intercept + np.asarray(values) @ self._weights[columns]
        odds = 1.0 / (1.0 + np.exp(-scores))
        return dict(zip(self.temas, (odds / odds.sum()).tolist(), strict=True))


def labelled_documents(
    utterances: Path = UTTERANCES, catalogue: Path = CATALOGUE
) -> list[tuple[str, str]]:
    """The catalogue's names, synonyms and examples by tema, and the labelled utterances."""
    entries = read_catalogue_csv(catalogue)
    documents = [(t, e.tema) for e in entries for t in (e.name, *e.synonyms, *e.examples)]
    return documents + list(read_utterances(utterances))


def read_utterances(path: Path) -> Iterable[tuple[str, str]]:
    """(text, tema) rows of a labelled TSV file (``texto`` and ``tema`` columns)."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            yield row["texto"], row["tema"]


def trained_without(texts: Collection[str]) -> TemaModel:
    """A model that never learned ``texts``: to measure a labelled set as unseen."""
    return TemaModel([doc for doc in labelled_documents() if doc[0] not in texts])


@functools.cache
def shipped_tema_model() -> TemaModel:
    """The model trained on the shipped catalogue and utterances, once per process."""
    return TemaModel(labelled_documents())
