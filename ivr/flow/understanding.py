"""Small interpretations of what a caller said: yes/no, "an agent", digits, an alcaldía.

>>> is_yes("Sí, correcto"), is_no("no")
(True, True)
>>> digits_from_speech("dos seis cero 0 0 1 dos tres 4 nueve")
'2600012349'
>>> match_alcaldia("en la gustavo a madero")
'Gustavo A. Madero'
"""

from __future__ import annotations

from ivr.classifier.alcaldias import find_alcaldia
from ivr.classifier.lexicon import NUMBERS
from ivr.classifier.text import fold

# the classifier's number words, plus "uno"/"una", which a caller keying by voice means as 1
_WORD_DIGITS = {**NUMBERS, "uno": "1", "una": "1"}
_YES = {"si", "sip", "correcto", "exacto", "claro", "afirmativo", "eso", "ok", "okay", "s"}
_NO = {"no", "nop", "incorrecto", "negativo", "n"}
_AGENT = {"asesor", "asesora", "operador", "operadora", "agente", "persona", "humano"}
_STATUS = {"folio", "estado", "estatus", "seguimiento", "consultar", "consulta"}


def _words(text: str | None) -> set[str]:
    return set(fold(text or "").split())


def is_yes(text: str | None) -> bool:
    """The caller agreed."""
    words = _words(text)
    return bool(words & _YES) and not words & {"no"}


def is_no(text: str | None) -> bool:
    """The caller disagreed."""
    return bool(_words(text) & _NO)


def wants_agent(text: str | None) -> bool:
    """The caller asked for a person."""
    return bool(_words(text) & _AGENT)


def wants_status(text: str | None) -> bool:
    """The caller asked about an existing folio."""
    return bool(_words(text) & _STATUS)


def digits_from_speech(text: str | None) -> str:
    """Digits said as words or numerals, in order; everything else is dropped."""
    out = []
    for token in fold(text or "").split():
        if token.isdigit():
            out.append(token)
        elif token in _WORD_DIGITS:
            out.append(_WORD_DIGITS[token])
    return "".join(out)


def match_alcaldia(text: str | None) -> str | None:
    """The official alcaldía named in ``text`` (the classifier's spoken forms and fuzziness)."""
    found = find_alcaldia(fold(text or "").split())
    return found.name if found else None
