"""Prompt templates and the Spanish spoken forms of digits, numbers and dates."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ivr.flow.key_menu import options, other_key
from ivr.flow.place import alcaldia_keys
from ivr.prompts import PromptBook
from ivr.prompts.spoken import spoken_date, spoken_digits, spoken_number, written_date
from models.authorities import ALCALDIAS

SAMPLE = {
    "nombre": "Fuga de agua",
    "nombres": ["Fuga de agua", "Falta de agua"],
    "alcaldias": ALCALDIAS,
    "claves": alcaldia_keys(),
    "alcaldia": "Cuauhtémoc",
    "colonia": "Roma Norte",
    "alcaldias_colonia": ["Cuauhtémoc", "Benito Juárez"],
    "estado": "en proceso",
    "autoridad": "SACMEX",
    "unidad": "Dirección de Agua Potable",
    "responsable": "Ing. Laura Méndez",
    "resumen": "Se reparó la fuga.",
    "motivo": "No es competencia de la Ciudad.",
    "minutos": 12,
    "folio": "26-0000001-8",
    "fecha": "2 de diciembre de 2026",
    "vencido": False,
    "teclas": False,
    "opciones": options(),
    "otra": other_key(),
}
# Spanish words that must carry their accent wherever they appear in a prompt
UNACCENTED = (
    r"\b(numero|telefono|dias|digitos|alcaldia|atencion|linea|Mexico|mas tardar|esta en"
    r"|solicitud esta|aqui|senal|ningun|direccion|despues|menu|diga si|responda si)\b"
)


@pytest.mark.parametrize("name", PromptBook().names())
def test_every_prompt_renders_in_accented_spanish(name: str) -> None:
    text = PromptBook().text(name, **SAMPLE)
    assert text and "{{" not in text and "  " not in text
    assert not re.search(UNACCENTED, text), text


def test_wait_of_one_minute_and_an_answer_without_a_named_person() -> None:
    book = PromptBook()
    assert "alrededor de un minuto" in book.text("devolucion-oferta", minutos=1)
    assert "unos 7 minutos" in book.text("devolucion-oferta", minutos=7)
    plain = book.text("estado-respuesta", responsable="", resumen="Se reparó la fuga.")
    assert plain == "La respuesta, en resumen: Se reparó la fuga."


def test_a_rejected_request_is_not_said_to_be_in_a_state() -> None:
    book = PromptBook()
    assert book.text("estado-situacion", estado="improcedente") == "es improcedente."
    assert book.text("estado-situacion", estado="turnada") == "está turnada."


def test_unknown_values_fail_loudly() -> None:
    with pytest.raises(Exception, match="nombre"):
        PromptBook().text("categoria-confirmar")


@pytest.mark.parametrize(
    ("day", "said"),
    [
        (date(2026, 12, 3), "el jueves tres de diciembre"),
        (date(2026, 12, 1), "el martes primero de diciembre"),
        (date(2027, 1, 21), "el jueves veintiuno de enero de dos mil veintisiete"),
        (date(2026, 9, 16), "el miércoles dieciséis de septiembre"),
    ],
)
def test_dates_are_said_naturally(day: date, said: str) -> None:
    assert spoken_date(day, today=date(2026, 11, 24)) == said


def test_digits_numbers_and_written_dates() -> None:
    assert spoken_digits("2600000018") == "dos seis, cero cero cero cero cero cero uno, ocho"
    assert spoken_digits("409") == "cuatro cero nueve"
    assert [spoken_number(n) for n in (0, 16, 21, 100, 2026)] == [
        "cero",
        "dieciséis",
        "veintiuno",
        "cien",
        "dos mil veintiséis",
    ]
    assert alcaldia_keys()[0] == "cero uno" and alcaldia_keys()[-1] == "dieciséis"
    assert written_date(date(2026, 12, 2)) == "2 de diciembre de 2026"
