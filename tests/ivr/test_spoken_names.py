"""Authority and unit names as they are said: article and kind, acronyms expanded, contractions."""

from __future__ import annotations

import re

import pytest

from ivr.prompts import PromptBook
from ivr.prompts.spoken_names import SpokenNames, article, contract, is_acronym, spell
from models.config import PACKAGE_DATA
from models.reference_data import read_authorities

SHIPPED = PACKAGE_DATA / "authorities.yaml"
ARTICLE = re.compile(r"^(el|la|los|las) [A-ZÁÉÍÓÚÑ]")


def shipped_names() -> list[tuple[str, str]]:
    """(what, spoken) for every authority, short form and unit of the shipped file."""
    said = SpokenNames.from_file(SHIPPED)
    names = []
    for authority, units in read_authorities(SHIPPED):
        names.append((authority.code, said.authority(authority.code, authority.name)))
        short = said.authority(authority.code, authority.name, short=True)
        names.append((f"{authority.code} (corto)", short))
        names += [
            (f"{authority.code}/{u.code}", said.unit(authority.code, u.code, u.name)) for u in units
        ]
    return names


def test_every_shipped_authority_has_its_own_spoken_form_in_the_data() -> None:
    said = SpokenNames.from_file(SHIPPED)
    codes = {authority.code for authority, _ in read_authorities(SHIPPED)}
    assert codes == set(said.authorities)


@pytest.mark.parametrize(("what", "spoken"), shipped_names())
def test_every_spoken_name_has_its_article_and_no_acronym(what: str, spoken: str) -> None:
    assert ARTICLE.match(spoken), (what, spoken)
    assert not [w for w in re.findall(r"\w+", spoken) if is_acronym(w)], (what, spoken)
    assert not re.search(r"\d", spoken), (what, spoken)  # numbers in words, as they are said
    assert not re.search(r"\b(de|a) el\b", spoken), (what, spoken)


def test_the_names_of_the_issue_are_said_with_article_and_kind() -> None:
    said = SpokenNames.from_file(SHIPPED)
    assert said.authority("ALC-GAM", "Alcaldía Gustavo A. Madero") == (
        "la Alcaldía Gustavo A. Madero"
    )
    assert said.authority("SACMEX", "Sistema de Aguas de la Ciudad de México") == (
        "el Sistema de Aguas de la Ciudad de México"
    )
    assert said.unit("ALC-GAM", "DGODU", "Dirección General de Obras y Desarrollo Urbano") == (
        "la Dirección General de Obras y Desarrollo Urbano"
    )
    lunas = "Unidades Territoriales de Atención y Prevención de la Violencia de Género (LUNAS)"
    assert said.unit("SEMUJERES", "LUNAS", lunas) == lunas.replace(" (LUNAS)", "").replace(
        "Unidades", "las Unidades"
    )


def test_a_name_missing_from_the_data_follows_the_rules() -> None:
    said = SpokenNames.from_file(SHIPPED)
    assert said.authority("ALC-X", "Gustavo A. Madero", kind="alcaldia") == (
        "la Alcaldía Gustavo A. Madero"
    )
    assert said.unit("SACMEX", "NUEVA", "Enlace de SACMEX con el C5 y la SSC") == (
        "el Enlace del Sistema de Aguas de la Ciudad de México con el Centro de Comando, "
        "Control, Cómputo, Comunicaciones y Contacto Ciudadano y la Secretaría de Seguridad "
        "Ciudadana"
    )
    assert said.unit("X", "Y", "Oficina de Enlace QWZ") == "la Oficina de Enlace cu doble u zeta"
    assert said.authority("X", "Servicios Metropolitanos") == "los Servicios Metropolitanos"


@pytest.mark.parametrize(
    ("noun", "expected"),
    [
        ("Sistema", "el"),
        ("Secretaría", "la"),
        ("Dirección", "la"),
        ("Red", "la"),
        ("Metrobús", "el"),
        ("Centro", "el"),
        ("Unidades", "las"),
        ("Direcciones", "las"),
        ("Institutos", "los"),
        ("Agencia", "la"),
        ("Heroico", "el"),
    ],
)
def test_the_article_follows_the_first_noun(noun: str, expected: str) -> None:
    assert article(noun) == expected


def test_unknown_acronyms_are_spelled_in_spanish_letter_names() -> None:
    assert spell("SACMEX") == "ese a ce eme e equis"
    assert spell("C5") == "ce cinco"
    assert [is_acronym(w) for w in ("SSC", "STyFE", "C5", "A", "Madero", "071")] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]


def test_contractions_and_their_exception() -> None:
    assert contract("por medio de el Centro; a el Sistema") == "por medio del Centro; al Sistema"
    assert contract("la embajada de El Salvador") == "la embajada de El Salvador"
    assert contract("Dirección de el Agua, Dirección de ella") == (
        "Dirección del Agua, Dirección de ella"
    )


def test_every_prompt_contracts_what_the_names_bring() -> None:
    text = PromptBook().text(
        "estado-autoridad",
        autoridad="la Alcaldía Cuauhtémoc",
        unidad="el Centro de Servicios y Atención Ciudadana",
    )
    assert text == (
        "La atiende la Alcaldía Cuauhtémoc, por medio del Centro de Servicios y Atención Ciudadana."
    )
