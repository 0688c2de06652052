"""The place step's rules (postal codes, the yes/no lexicon, giving up) on the flow itself."""

from __future__ import annotations

import csv
from dataclasses import dataclass

import pytest
from test_flow import CALL, make_flow, spoken

from ivr.classifier.text import fold
from ivr.flow import CallerInput, CallFlow, CallState, Step, Transfer, Turn
from ivr.flow.lexicon import is_no, is_yes
from ivr.flow.place import alcaldia_of_postal_code
from ivr.flow.understanding import is_no as understood_no
from ivr.flow.understanding import is_yes as understood_yes
from tests.conftest import SHARED

SAMPLE = SHARED / "data" / "cdmx" / "0311_sample_2024.csv"


def test_postal_codes_agree_with_the_citys_own_sample() -> None:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = [
            (row["codigo_postal_solicitud"], row["alcaldia_catalogo"])
            for row in csv.DictReader(handle)
            if row["codigo_postal_solicitud"].isdigit() and row["alcaldia_catalogo"] != "NA"
        ]
    wrong = {
        code
        for code, alcaldia in rows
        if fold(alcaldia_of_postal_code(code) or "") != fold(alcaldia)
    }
    assert len(rows) >= 160
    assert wrong == {"09960", "09704"}  # both on the Iztapalapa–Tláhuac border: read back


@pytest.mark.parametrize("code", ["54000", "00100", "17000", "0436", "043600"])
def test_codes_outside_the_city_name_no_alcaldia(code: str) -> None:
    assert alcaldia_of_postal_code(code) is None


@pytest.mark.parametrize(
    ("said", "yes", "no"),
    [
        ("así es", True, False),
        ("Correcto", True, False),
        ("eso", True, False),
        ("eso es", True, False),
        ("sí señor", True, False),
        ("claro que sí", True, False),
        ("no, ninguna", False, True),
        ("nel", False, True),
        ("para nada", False, True),
        ("negativo", False, True),
        ("eso no", False, True),
        ("así", False, False),
        ("la lámpara", False, False),
    ],
)
def test_one_yes_no_lexicon_for_every_front(said: str, yes: bool, no: bool) -> None:
    assert (is_yes(said), is_no(said)) == (yes, no)
    assert (understood_yes(said), understood_no(said)) == (yes, no)


@dataclass(frozen=True)
class Found:
    code: str = "ALU-001"
    name: str = "Luminaria apagada"
    tema: str = "ALUMBRADO"
    confidence: float = 0.9


@dataclass(frozen=True)
class InSeveral:
    """A colonia that lies in two alcaldías, and no alcaldía said."""

    candidates: tuple = (Found(),)
    decision: str = "confirm"
    colonia: str = "Santa Cruz"
    colonia_alcaldias: tuple = ("Iztapalapa", "Xochimilco")
    contradiction: bool = False


class SeveralClassifier:
    def classify(self, text: str) -> InSeveral:
        return InSeveral()


async def at_alcaldia(flow: CallFlow) -> tuple[CallState, Turn]:
    """A call that described a broken lamp in a Santa Cruz and took the category."""
    state, _ = await flow.start(CALL)
    state, _ = await flow.handle(state, CallerInput(speech="la lámpara no prende en santa cruz"))
    state, turn = await flow.handle(state, CallerInput(digits="1"))
    assert state.step == Step.ALCALDIA
    return state, turn


async def test_a_colonia_in_several_alcaldias_asks_which_and_keeps_it(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus, classifier=SeveralClassifier())
    state, turn = await at_alcaldia(flow)
    assert "Hay una colonia Santa Cruz en Iztapalapa y en Xochimilco." in spoken(turn)
    state, turn = await flow.handle(state, CallerInput(speech="xochimilco"))
    assert "Colonia Santa Cruz, alcaldía Xochimilco, ¿es correcto?" in spoken(turn)
    state, turn = await flow.handle(state, CallerInput(speech="no"))
    assert state.step == Step.ALCALDIA and state.colonia is None


async def test_a_postal_code_outside_the_city_is_explained(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus, classifier=SeveralClassifier())
    state, turn = await at_alcaldia(flow)
    state, turn = await flow.handle(state, CallerInput(digits="54000"))
    assert state.step == Step.ALCALDIA
    assert "Ese código postal no es de la Ciudad de México." in spoken(turn)


async def test_three_noes_to_the_place_reach_an_agent(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus, classifier=SeveralClassifier())
    state, turn = await at_alcaldia(flow)
    for _ in range(3):
        state, turn = await flow.handle(state, CallerInput(digits="09"))
        assert state.step == Step.CONFIRM_PLACE, spoken(turn)
        state, turn = await flow.handle(state, CallerInput(digits="2"))
    assert isinstance(turn.then, Transfer)
    assert turn.then.context.reason == "la alcaldía no es clara"
