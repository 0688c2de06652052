"""Small interpretations of what a caller said: yes/no, "an agent", digits, an alcaldía.

>>> is_yes("Sí, correcto"), is_no("no")
(True, True)
>>> digits_from_speech("dos seis cero 0 0 1 dos tres 4 nueve")
'2600012349'
>>> match_alcaldia("en la gustavo a madero")
'Gustavo A. Madero'
>>> spoken_keys("el uno"), spoken_keys("cero nueve"), spoken_keys("uno de agua")
('1', '09', '')
>>> ordinal_choice("la segunda"), ordinal_choice("ninguna de esas"), ordinal_choice("bache")
(2, 0, None)
"""

from __future__ import annotations

from ivr.classifier.alcaldias import find_alcaldia
from ivr.classifier.numbers import spoken_numbers, word_number
from ivr.classifier.text import fold
from ivr.flow.lexicon import is_no as is_no
from ivr.flow.lexicon import is_yes as is_yes  # the shared yes/no lexicon, re-exported

_AGENT = {"asesor", "asesora", "operador", "operadora", "agente", "persona", "humano"}
# "folio" or "estatus" alone ask about a folio; "estado" or "consulta" only about the caller's
# own request ("el estado de la calle" describes a problem, "el estado de mi reporte" does not)
_STATUS = {"folio", "estatus", "seguimiento"}
_STATUS_VERBS = {"estado", "consultar", "consulta", "avance"}
_REQUEST_WORDS = {"solicitud", "reporte", "tramite", "peticion"}
_MINE = {"mi", "mis"}
# what a caller says instead of pressing a key: digits, and the alcaldías' keys 10 to 16
_TWO_DIGIT_KEYS = range(10, 17)
_ORDINALS = (
    frozenset({"ninguna", "ninguno", "ningun", "otra", "otro"}),
    frozenset({"primera", "primero", "primer"}),
    frozenset({"segunda", "segundo"}),
    frozenset({"tercera", "tercero", "ultima", "ultimo"}),
)
_KEY_FILLERS = {"el", "la", "numero", "opcion", "marco", "marque", "tecla", "oprimo"}


def _words(text: str | None) -> set[str]:
    return set(fold(text or "").split())


def said_any(text: str | None, words: frozenset[str]) -> bool:
    """``text`` contains one of ``words`` (accent-folded)."""
    return bool(_words(text) & words)


def ordinal_choice(text: str | None) -> int | None:
    """The option a caller picked by its place ("la primera" → 1), 0 for "ninguna"."""
    words = _words(text)
    found = [n for n, forms in enumerate(_ORDINALS) if words & forms]
    return found[0] if len(found) == 1 else None


def wants_agent(text: str | None) -> bool:
    """The caller asked for a person."""
    return bool(_words(text) & _AGENT)


def wants_status(text: str | None) -> bool:
    """The caller asked about an existing folio."""
    words = _words(text)
    mine = words & _STATUS_VERBS and words & _REQUEST_WORDS and words & _MINE
    return bool(words & _STATUS or mine)


def spoken_keys(text: str | None) -> str:
    """The keys a caller said instead of pressing them ("uno", "el 2", "cero nueve").

    Empty unless the whole utterance is keys (with a few fillers such as "opción" or "el").
    """
    keys = [_key(w) for w in fold(text or "").split() if w not in _KEY_FILLERS]
    if not keys or None in keys:
        return ""
    return "".join(key for key in keys if key is not None)


def _key(word: str) -> str | None:
    """The key a word names: a numeral, or a number word for a digit or an alcaldía's key."""
    if word.isdigit():
        return word
    number = word_number(word)
    return number if number and (len(number) == 1 or int(number) in _TWO_DIGIT_KEYS) else None


def digits_from_speech(text: str | None) -> str:
    """Digits said as words or numerals, in order ("veintiséis cero cero mil doscientos
    treinta y cuatro" → "26001234"); everything else is dropped."""
    return "".join(spoken_numbers(fold(text or "")))


def match_alcaldia(text: str | None) -> str | None:
    """The official alcaldía named in ``text`` (the classifier's spoken forms and fuzziness)."""
    found = find_alcaldia(fold(text or "").split())
    return found.name if found else None
