"""The scoring engine on a small catalogue: ranking, ties, empty catalogue, unknown words,
decisions, search-as-you-type."""

from __future__ import annotations

import pytest

from ivr.classifier import (
    Classifier,
    Decision,
    EmptyUtterance,
    NotText,
    Thresholds,
    UtteranceTooLong,
)
from ivr.classifier.calibration import Calibration, choose_threshold, confirm_threshold, fit
from ivr.classifier.scoring import phrase_score
from models.catalogue import CatalogueEntry


def entry(code: str, name: str, tema: str, *synonyms: str) -> CatalogueEntry:
    return CatalogueEntry(
        code=code,
        name=name,
        kind="servicio",
        tema=tema,
        synonyms=list(synonyms),
        authority="ALCALDIA",
        unit="SERV",
    )


SMALL = [
    entry("AGU-1", "Falta de agua", "FALTA DE AGUA", "no hay agua", "sin agua", "no llega el agua"),
    entry("AGU-2", "Fuga de agua", "FUGA DE AGUA", "fuga", "tubo roto", "sale agua en la calle"),
    entry("VIA-1", "Bache en calle", "BACHEO", "bache", "hoyo en el pavimento"),
    entry(
        "ALU-1", "Luminaria apagada", "ALUMBRADO", "lámpara fundida", "poste sin luz", "alumbrado"
    ),
    entry("BAS-1", "El camión de la basura no pasó", "RECOLECCIÓN BASURA", "recolección"),
    entry("DRE-1", "Coladera tapada", "DESAZOLVE", "alcantarilla tapada", "coladera azolvada"),
]


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(SMALL)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("se me fue el agua desde ayer", "AGU-1"),
        ("hay un hoyo enorme en la avenida", "VIA-1"),
        ("la coladera está tapada y ya se inundó", "DRE-1"),
        ("no pasa el camión de la basura", "BAS-1"),
        ("hay un vache frente a mi casa", "VIA-1"),
        ("no sirve el a lumbrado de la calle", "ALU-1"),
        ("fuga de agua en iztapalapa", "AGU-2"),
        ("la lampara del poste esta fundida", "ALU-1"),
    ],
)
def test_ranks_the_right_entry_first(classifier: Classifier, text: str, code: str) -> None:
    result = classifier.classify(text)
    assert result.best is not None and result.best.code == code


def test_candidates_are_ranked_and_calibrated(classifier: Classifier) -> None:
    result = classifier.classify("fuga de agua")
    confidences = [c.confidence for c in result.candidates]
    assert [c.code for c in result.candidates][:2] == ["AGU-2", "AGU-1"]
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert confidences == sorted(confidences, reverse=True)
    assert result.best is not None and result.best.tema == "FUGA DE AGUA"


def test_place_and_topic_from_one_utterance(classifier: Classifier) -> None:
    result = classifier.classify("fuga de agua en iztapalapa")
    assert result.place.alcaldia == "Iztapalapa"
    assert result.best is not None and result.best.code == "AGU-2"


def test_a_texted_place_cue_finds_the_colonia(classifier: Classifier) -> None:
    """ "x la Narvarte" is "por la Narvarte" as texted."""
    result = classifier.classify("ay una fuga x la Narvarte")
    assert result.place.alcaldia == "Benito Juárez"
    assert result.best is not None and result.best.code == "AGU-2"


def test_ties_are_broken_by_code_and_stable() -> None:
    twins = [
        entry("B-2", "Reporte de zanja", "BACHEO", "zanja"),
        entry("B-1", "Reporte de zanja", "BACHEO", "zanja"),
    ]
    first = Classifier(twins, priors={}).classify("zanja")
    again = Classifier(list(reversed(twins)), priors={}).classify("zanja")
    assert [c.code for c in first.candidates] == ["B-1", "B-2"]
    assert [c.code for c in again.candidates] == ["B-1", "B-2"]
    assert first.candidates[0].score == first.candidates[1].score
    assert first.decision is not Decision.CONFIRM


def test_empty_catalogue_hands_over_to_an_agent() -> None:
    result = Classifier([]).classify("hay un bache enorme en la GAM")
    assert result.candidates == ()
    assert result.decision is Decision.AGENT
    assert result.place.alcaldia == "Gustavo A. Madero"
    assert Classifier([]).search("bache") == []


def test_unknown_words_are_reported_and_lower_the_score(classifier: Classifier) -> None:
    plain = classifier.classify("bache")
    noisy = classifier.classify("bache xilofono murcielago trombon")
    assert noisy.best is not None and noisy.best.code == "VIA-1"
    assert {"xilofon", "murcielag", "trombon"} <= set(noisy.unknown_words)
    assert plain.best is not None and noisy.best.score < plain.best.score


def test_gibberish_goes_to_an_agent(classifier: Classifier) -> None:
    result = classifier.classify("asdf qwerty zxcv")
    assert result.candidates == ()
    assert result.decision is Decision.AGENT


@pytest.mark.parametrize(
    ("text", "error"),
    [("", EmptyUtterance), ("   \n ", EmptyUtterance), ("a" * 1001, UtteranceTooLong)],
)
def test_bad_text_is_refused(classifier: Classifier, text: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        classifier.classify(text)


def test_non_text_is_refused(classifier: Classifier) -> None:
    with pytest.raises(NotText):
        classifier.classify(42)


@pytest.mark.parametrize(
    ("confidence", "decision"),
    [
        (None, Decision.AGENT),
        (0.0, Decision.AGENT),
        (0.49, Decision.AGENT),
        (0.5, Decision.CHOOSE),
        (0.89, Decision.CHOOSE),
        (0.9, Decision.CONFIRM),
        (1.0, Decision.CONFIRM),
    ],
)
def test_threshold_decisions(confidence: float | None, decision: Decision) -> None:
    assert Thresholds(confirm=0.9, choose=0.5).decide(confidence) is decision


def test_decision_follows_the_classifier_thresholds() -> None:
    strict = Classifier(SMALL, thresholds=Thresholds(confirm=1.02, choose=1.01))
    lenient = Classifier(SMALL, thresholds=Thresholds(confirm=0.0, choose=0.0))
    assert strict.classify("bache").decision is Decision.AGENT
    assert lenient.classify("bache").decision is Decision.CONFIRM


def test_fit_orders_confidence_by_evidence() -> None:
    samples = [(0.9, 0.4, True)] * 20 + [(0.5, 0.01, False)] * 20 + [(0.7, 0.1, True)] * 5
    calibration = fit(samples)
    assert calibration.confidence(0.9, 0.4) > 0.9
    assert calibration.confidence(0.5, 0.01) < 0.2
    with pytest.raises(ValueError):
        fit([])


def test_threshold_derivations() -> None:
    ranked = [(0.95, True), (0.9, True), (0.85, True), (0.8, False), (0.7, True), (0.6, False)]
    assert confirm_threshold(ranked, precision=1.0) == 0.85
    assert confirm_threshold(ranked, precision=0.75) == 0.7
    assert choose_threshold([0.9, 0.8, 0.6], [0.2, 0.3, 0.7]) == 0.6
    assert choose_threshold([], [0.1]) == 0.0


def test_calibration_is_monotonic_in_score_and_margin() -> None:
    calibration = Calibration(score_weight=7.0, margin_weight=10.0, bias=-5.0)
    assert calibration.confidence(0.9, 0.2) > calibration.confidence(0.8, 0.2)
    assert calibration.confidence(0.9, 0.3) > calibration.confidence(0.9, 0.1)


def test_search_as_you_type(classifier: Classifier) -> None:
    assert [c.code for c in classifier.search("alumbr")][:1] == ["ALU-1"]
    assert [c.code for c in classifier.search("fuga de ag")][:1] == ["AGU-2"]
    assert [c.code for c in classifier.search("colader")][:1] == ["DRE-1"]
    assert [c.code for c in classifier.search("AGU-")] == ["AGU-1", "AGU-2"]
    assert classifier.search("") == []
    assert len(classifier.search("a", limit=2)) <= 2


def test_search_tolerates_typos(classifier: Classifier) -> None:
    assert [c.code for c in classifier.search("lumbrado ")][:1] == ["ALU-1"]


def test_a_word_said_alone_goes_to_the_tema_named_by_it() -> None:
    """Tema names and entry names' head words break the tie of a one-word utterance."""
    entries = [
        entry("VEH-3", "Vehículo abandonado con basura", "VEHÍCULO ABANDONADO / CHATARRIZACIÓN"),
        entry("BAS-1", "El camión de la basura no pasó", "RECOLECCIÓN BASURA"),
        entry("ARB-8", "Raíces de árbol que levantan la banqueta", "PODA / RETIRO ARBOL"),
        entry("VIA-10", "Banqueta rota o levantada", "MANTENIMIENTO VÍA PÚBLICA"),
    ]
    classifier = Classifier(entries)
    assert classifier.classify("basura").candidates[0].tema == "RECOLECCIÓN BASURA"
    assert classifier.classify("banqueta").candidates[0].code == "VIA-10"


def test_a_word_several_entries_of_one_tema_share_points_to_that_tema() -> None:
    """ "mordida" is in three entries about officials and one about water trucks: the tema of
    the three wins the tie, though water's prior is higher."""
    entries = [
        entry("AGU-4", "Pipa no entregada", "FALTA DE AGUA", "mordida por la pipa"),
        entry("GOB-8", "Denuncia de soborno", "QUEJA FUNCIONARIO", "mordida en un trámite"),
        entry("GOB-10", "Queja contra policía", "QUEJA FUNCIONARIO", "mordida del policía"),
        entry("GOB-11", "Queja contra tránsito", "QUEJA FUNCIONARIO", "mordida de tránsito"),
    ]
    priors = {"FALTA DE AGUA": 0.6, "QUEJA FUNCIONARIO": 0.5}
    best = Classifier(entries, priors=priors).classify("mordida").candidates[0]
    assert best.tema == "QUEJA FUNCIONARIO"


def test_where_weighs_less_than_what() -> None:
    """The word after "en el" says where, so it counts less than what is there."""
    entries = [
        entry("ANI-13", "Animal muerto en vía pública", "LIMPIEZA VIA PUBLICA", "perro muerto"),
        entry("ARB-12", "Parque descuidado", "MANTENIMIENTO PARQUE / AREA VERDE", "parque sucio"),
    ]
    assert Classifier(entries).classify("hay un muerto en el parque").candidates[0].code == "ANI-13"


@pytest.mark.parametrize(
    "text",
    [
        "quedó lodo en la calle por la inundación",
        "después de la inundación quedó lodo",
        "el lodo de la inundación",
    ],
)
def test_an_event_said_as_the_cause_weighs_less_than_what_is_left(text: str) -> None:
    """After "por la", "después de la", "de la", the flood says why: the mud is what to remove."""
    entries = [
        entry("DRE-14", "Inundación de vivienda", "PROTECCION CIVIL", "inundación"),
        entry("RET-12", "Retiro de lodo acumulado", "RETIRO AZOLVE", "lodo"),
    ]
    assert Classifier(entries).classify(text).candidates[0].code == "RET-12"
    assert Classifier(entries).classify("inundación").candidates[0].code == "DRE-14"


def test_a_home_said_as_where_weighs_less_than_what() -> None:
    entries = [
        entry("DEP-1", "Departamento sin permiso", "VERIFICACIÓN", "departamento"),
        entry("FAL-1", "Falta de agua", "FALTA DE AGUA", "agua"),
    ]
    text = "ya van tres días sin agua en mi departamento"
    assert Classifier(entries).classify(text).candidates[0].code == "FAL-1"


def test_the_whole_a_place_is_part_of_is_where_too() -> None:
    """ "en la parada del micro", "en la entrada de la cochera": the microbus is where the
    robberies are, not what (codes chosen so that a tie would go the wrong way)."""
    entries = [
        entry("BUS-1", "Queja contra microbús", "QUEJA DE TRANSPORTE", "micro"),
        entry("SEG-2", "Vigilancia por asaltos", "VIGILANCIA", "asaltan"),
    ]
    text = "asaltan en la parada del micro"
    assert Classifier(entries).classify(text).candidates[0].code == "SEG-2"


def test_a_phrasing_left_with_one_common_word_is_not_matched_whole() -> None:
    """ "ya no tengo ese número" is "no" once its stop-words are gone: it would match whole
    any utterance with a "no" in it."""
    entries = [
        entry("DIG-3", "Cambio de teléfono en Llave", "LLAVE CDMX", "ya no tengo ese número"),
        entry("AGU-1", "Falta de agua", "FALTA DE AGUA", "no hay agua"),
        entry("VIA-1", "Bache en calle", "BACHEO", "bache"),
    ]
    phrases = Classifier(entries).index.phrases
    assert "no" not in phrases[0]
    assert "bach" in phrases[2]


def test_a_word_is_not_rejoined_with_a_stop_word() -> None:
    """ "bache en" is not "bacheen" (which would stem like "bacheo")."""
    entries = [
        entry("VIA-1", "Bache en calle", "BACHEO"),
        entry("VIA-4", "Bacheo en varias calles de la colonia", "BACHEO"),
    ]
    assert Classifier(entries).classify("un bache en la esquina").candidates[0].code == "VIA-1"


def test_an_ordinary_phrase_after_a_cue_is_no_colonia_it_resembles() -> None:
    """ "en el pueblo, la calle está oscura": "la calle" only resembles "Las Calles"."""
    place = Classifier(SMALL).classify("en el pueblo, la calle está oscura").place
    assert place.colonia is None
    assert Classifier(SMALL).classify("en el barrio las calles hay un bache").place.colonia


def test_a_number_is_not_rejoined_with_the_word_before_it() -> None:
    """ "en tres días" is no "entres" (which stems like "entra")."""
    entries = [entry("DRE-14", "Inundación de vivienda", "PROTECCION CIVIL", "se entra el agua")]
    query = Classifier(entries).index.query(["sin", "agua", "en", "tres", "dias"])
    assert "entr" not in {term.stem for term in query.terms}


def test_two_known_words_are_rejoined_into_the_word_they_make() -> None:
    """ "socio económico" is the catalogue's "socioeconómico", though "económico" is a word."""
    entries = [
        entry("SOC-12", "Estudio socioeconómico", "SOLICITUD ESTUDIO SOCIOECONOMICO"),
        entry("SOC-17", "Apoyo económico de la alcaldía", "ASISTENCIA SOCIAL", "estudio"),
    ]
    assert Classifier(entries).classify("estudio socio económico").candidates[0].code == "SOC-12"


@pytest.mark.parametrize(
    ("text", "likeness"),
    [("la calle queda como una alberca", "alberc"), ("el agua corre como rio", "rio")],
)
def test_what_a_problem_is_likened_to_weighs_like_a_place(text: str, likeness: str) -> None:
    """After "como un…", or "como" before what water is likened to, the word says how it looks,
    not what it is; "cómo" asking how keeps its verb."""
    index = Classifier([*SMALL, entry("AMB-1", "Alberca o río sucio", "OTRO", "alberca", "río")])
    weights = {t.stem: t.weight for t in index.index.query(text.split()).terms}
    assert weights[likeness] < 1.0
    asked = {t.stem: t.weight for t in index.index.query(["como", "pido", "recoleccion"]).terms}
    assert asked["recoleccion"] == 1.0


def test_a_phrase_found_whole_counts_by_how_much_of_the_utterance_it_covers() -> None:
    """A one-word phrasing found in a long story ("corre" for "me corrieron") scores below one
    that covers most of what was said, though both are found whole."""
    entries = [
        entry("GOB-4", "Asesoría laboral", "ASESORÍA JURÍDICA", "me corrieron"),
        entry("AGU-8", "Fuga de agua", "FUGA DE AGUA", "tubo roto con agua"),
    ]
    classifier = Classifier(entries)
    query = classifier.index.query(["tubo", "roto", "agua", "corre"])
    short, covering = (phrase_score(classifier.index, p, query) for p in (0, 1))
    assert short < covering
