"""An answer the authority marks public is checked for the citizen's name, phone (however it
is written), e-mail and street before it is published; it is refused with the reason, in
Spanish, when it names any of them."""

from __future__ import annotations

import doctest

import pytest

import models.public_answer
from models.public_answer import PersonalDataInAnswer, check_public_answer, personal_data_in
from models.requests import ServiceRequest

ROSA = ServiceRequest(
    folio="2600000018",
    kind="servicio",
    catalogue_code="ALU-001",
    channel="web",
    citizen_name="Rosa María Martínez de la Luz",
    citizen_phone="+525511112222",
    citizen_email="RMZ1970@example.mx",
    street="Privada de las Jacarandas 12-B",
)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Se cambió la luminaria de la señora ROSA.", ["el nombre"]),
        ("Se atendió a la familia Martinez.", ["el nombre"]),
        ("Llamamos al 55 1111 2222 sin respuesta.", ["el teléfono"]),
        ("Llamamos al (55) 1111-2222.", ["el teléfono"]),
        ("Llamamos al +52 1 55 1111 2222.", ["el teléfono"]),
        ("Llamamos al 5511112222.", ["el teléfono"]),
        ("Llamamos al 1111.2222.", ["el teléfono"]),
        ("Escribimos a rmz1970@EXAMPLE.mx.", ["el correo electrónico"]),
        ("Se reparó frente al número 12 de Jacarandas.", ["la calle"]),
        ("Se reparó en privada de las jacarandas.", ["la calle"]),
        (
            "Doña Rosa, de Jacarandas 12, 55-1111-2222, rmz1970@example.mx",
            ["el nombre", "el teléfono", "el correo electrónico", "la calle"],
        ),
    ],
)
def test_the_citizens_data_are_found_however_written(text: str, found: list[str]) -> None:
    assert personal_data_in(text, ROSA) == found
    with pytest.raises(PersonalDataInAnswer) as refused:
        check_public_answer(text, ROSA)
    assert refused.value.status_code == 422
    assert refused.value.message.startswith("La respuesta no puede publicarse porque menciona")
    assert found[-1] in refused.value.message and "del ciudadano" in refused.value.message


@pytest.mark.parametrize(
    "text",
    [
        "Se cambió la luminaria de la colonia Toriello Guerra el 3 de diciembre.",
        "Se sustituyeron 12 luminarias; folio 26-0000001-8, orden 2222.",
        "La cuadrilla 1111 atendió el reporte.",
        "Se reparó la fuga en la red secundaria.",
    ],
)
def test_an_answer_without_the_citizens_data_may_be_published(text: str) -> None:
    assert personal_data_in(text, ROSA) == []
    check_public_answer(text, ROSA)  # no refusal


def test_an_anonymous_request_has_nothing_to_find() -> None:
    anonymous = ServiceRequest(folio="2600000026", kind="queja", catalogue_code="X", channel="web")
    assert personal_data_in("Rosa, 55 1111 2222, Jacarandas", anonymous) == []


def test_the_doctests() -> None:
    assert doctest.testmod(models.public_answer).failed == 0
