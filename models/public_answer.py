"""An answer the authority publishes for everyone must not name the citizen.

Before an answer marked public is stored, its text is searched for the citizen's name (any of
its words, without accents or capitals), phone (its last eight digits, however the text
groups them: ``55 1111 2222``, ``(55) 1111-2222``, ``+52 1 55…``), e-mail and street (the
street's own words, without ``calle``, ``privada``… nor the number); any of them refuses the
publication with the reason::

    >>> rosa = ServiceRequest(folio="2600000018", kind="servicio", catalogue_code="ALU-001",
    ...     channel="web", citizen_name="Rosa Martínez", citizen_phone="+525511112222")
    >>> personal_data_in("Se llamó a la Sra. Martinez al 55-1111-2222.", rosa)
    ['el nombre', 'el teléfono']

The phone's digits are found by a pattern rather than ``phonenumbers.PhoneNumberMatcher``,
which misses a local number written without its area code (``1111 2222``); ``phonenumbers``
reads the citizen's own number.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from models.errors import DomainError
from models.requests import ServiceRequest

REGION = "MX"
LOCAL_DIGITS = 8  # a number's last eight digits name it within its area (55 1111 2222)
MIN_WORD = 3  # shorter words of a name or street ("de", "la", "y") name nobody
# words that belong to many names and streets and say nothing of this citizen's
COMMON_WORDS = frozenset(
    {"del", "las", "los", "san", "santa", "calle", "avenida", "privada", "cerrada", "andador"}
    | {"callejon", "calzada", "prolongacion", "circuito", "retorno", "boulevard", "blvd", "eje"}
    | {"cda", "priv", "ave", "avda", "prol", "sin", "numero", "interior", "exterior", "int"}
)
DIGIT_RUN = re.compile(r"\+?\d[\d\s().\-/]*\d")
WORD = re.compile(r"[a-z0-9]+")
NAME, PHONE, EMAIL, STREET = "el nombre", "el teléfono", "el correo electrónico", "la calle"


class PersonalDataInAnswer(DomainError):
    """An answer to publish names the citizen."""

    error_id = "personal-data-in-public-answer"
    status_code = 422


def _words(text: str) -> list[str]:
    """``text``'s words in lower case without accents."""
    bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return WORD.findall(bare)


def _significant(words: list[str]) -> list[str]:
    return [w for w in words if len(w) >= MIN_WORD and w.isalpha() and w not in COMMON_WORDS]


def _names(text: str, name: str) -> bool:
    return bool(set(_significant(_words(name))) & set(_words(text)))


def _local_digits(phone: str) -> str:
    """The last digits that name ``phone`` (read with ``phonenumbers`` when it can be)."""
    try:
        digits = str(phonenumbers.parse(phone, REGION).national_number)
    except phonenumbers.NumberParseException:
        digits = "".join(ch for ch in phone if ch.isascii() and ch.isdigit())
    return digits[-LOCAL_DIGITS:]


def _dials(text: str, phone: str) -> bool:
    local = _local_digits(phone)
    if len(local) < LOCAL_DIGITS:
        return False
    runs = ("".join(ch for ch in run if ch.isdigit()) for run in DIGIT_RUN.findall(text))
    return any(local in run for run in runs)


def _writes_to(text: str, email: str) -> bool:
    return email.strip().lower() in text.lower()


def _places(text: str, street: str) -> bool:
    own = _significant(_words(street))
    said = _significant(_words(text))
    span = len(own)
    return span > 0 and any(said[i : i + span] == own for i in range(len(said) - span + 1))


def personal_data_in(text: str, request: ServiceRequest) -> list[str]:
    """Which of the citizen's data ``text`` names (in Spanish), in a fixed order."""
    found = [
        (NAME, request.citizen_name and _names(text, request.citizen_name)),
        (PHONE, request.citizen_phone and _dials(text, request.citizen_phone)),
        (EMAIL, request.citizen_email and _writes_to(text, request.citizen_email)),
        (STREET, request.street and _places(text, request.street)),
    ]
    return [label for label, named in found if named]


def check_public_answer(text: str, request: ServiceRequest) -> None:
    """Refuse (:class:`PersonalDataInAnswer`) to publish ``text`` when it names the citizen."""
    found = personal_data_in(text, request)
    if found:
        listed = found[0] if len(found) == 1 else f"{', '.join(found[:-1])} y {found[-1]}"
        raise PersonalDataInAnswer(
            f"La respuesta no puede publicarse porque menciona {listed} del ciudadano. "
            "Quítelos del texto o envíela sin publicar (solo para el ciudadano)."
        )
