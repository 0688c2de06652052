"""The learned tema model: the same probabilities as scikit-learn's, and better on unseen speech."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier

from ivr.classifier import Classifier
from ivr.classifier.catalogue_csv import read_catalogue_csv
from ivr.classifier.evaluation import evaluate, read_eval_set
from ivr.classifier.tema_model import (
    CATALOGUE,
    UTTERANCES,
    TemaModel,
    read_utterances,
    shipped_tema_model,
    trained_without,
)
from ivr.classifier.text import fold

DATA = Path(__file__).resolve().parents[1] / "data"
UNSEEN = DATA / "classifier_fresh_2026j.tsv"
DOCUMENTS = [
    ("no hay agua desde el lunes", "FALTA DE AGUA"),
    ("la llave no da ni una gota", "FALTA DE AGUA"),
    ("se está tirando el agua en la banqueta", "FUGA DE AGUA"),
    ("brota agua de la calle", "FUGA DE AGUA"),
    ("un hoyo enorme en la avenida", "BACHEO"),
    ("la calle está llena de baches", "BACHEO"),
]


def test_its_probabilities_are_scikit_learns() -> None:
    """The hand-computed features give what the fitted pipeline's predict_proba gives."""
    texts = [fold(text) for text, _ in DOCUMENTS]
    pieces = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
    fitted = SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=50, tol=1e-4, random_state=0)
    fitted.fit(
        hstack([pieces.fit_transform(texts), words.fit_transform(texts)]).tocsr(),
        [tema for _, tema in DOCUMENTS],
    )
    model = TemaModel(DOCUMENTS)
    for said in ("no sale agua de la llave", "hay un bache", "Fuga en la calle!!", "zzz"):
        folded = [fold(said)]
        expected = fitted.predict_proba(hstack([pieces.transform(folded), words.transform(folded)]))
        chances = model.chances(said)
        assert list(chances) == list(fitted.classes_)
        assert np.allclose(list(chances.values()), expected[0])


def test_on_utterances_it_never_learned_it_lifts_the_tema_to_95_percent() -> None:
    """Set j, which no tuning saw: the model is trained without its rows."""
    rows = read_eval_set(UNSEEN)
    model = trained_without({row.text for row in rows})
    entries = read_catalogue_csv(CATALOGUE)
    alone = evaluate(Classifier(entries), rows)
    helped = evaluate(Classifier(entries, tema_model=model), rows)
    assert alone.tema_top1 < 0.92
    assert helped.tema_top1 >= 0.95
    assert helped.alcaldia == alone.alcaldia  # the place is found apart


@pytest.mark.parametrize("said", ["hay un bache", "se fue el agua"])
def test_a_confident_search_keeps_its_order(said: str) -> None:
    entries = read_catalogue_csv(CATALOGUE)
    model = shipped_tema_model()
    alone = Classifier(entries).classify(said).candidates[0]
    helped = Classifier(entries, tema_model=model).classify(said).candidates[0]
    assert (helped.code, helped.confidence) == (alone.code, alone.confidence)


def test_it_learns_the_labelled_rows_of_every_evaluation_set() -> None:
    """The shipped utterances are the sets' rows in the catalogue: none missing, none added."""
    sets = sorted(DATA.glob("classifier_*.tsv"))
    labelled = [(r.text, r.tema) for path in sets for r in read_eval_set(path) if r.in_catalogue]
    assert list(read_utterances(UTTERANCES)) == labelled
