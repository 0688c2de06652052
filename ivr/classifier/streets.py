"""Street hints in an utterance: "en la calle Juárez", "avenida Tláhuac", "esquina con Xola".

A street's words are kept away from the alcaldía and colonia search ("avenida Tláhuac" is not
the alcaldía Tláhuac) and from the topic scoring.
"""

from __future__ import annotations

from collections.abc import Container, Sequence

STREET_CUES = frozenset(
    {
        "calle",
        "avenida",
        "av",
        "calzada",
        "eje",
        "privada",
        "cerrada",
        "andador",
        "callejon",
        "boulevard",
        "periferico",
        "circuito",
        "prolongacion",
        "carretera",
        "camino",
        "esquina",
    }
)
_STREET_STOPS = frozenset(
    {
        "en",
        "colonia",
        "col",
        "alcaldia",
        "delegacion",
        "por",
        "frente",
        "cerca",
        "que",
        "hay",
        "esta",
        "desde",
        "ya",
        "no",
        "se",
        "donde",
        "porque",
        "pero",
        "y",
        "a",
        "tiene",
        "hace",
    }
)
_TRAILING = frozenset({"la", "el", "los", "las", "de", "del", "y"})


def find_street(
    words: Sequence[str], *, ordinary: Container[str] = frozenset()
) -> tuple[str | None, set[int]]:
    """The first street named after a cue ("calle", "avenida", "esquina con"…) and its positions.

    The name stops at a word of the catalogue's vocabulary (``ordinary``): in "se inunda la
    calle parece laguna" nothing names a street.

    >>> find_street("bache en avenida tlahuac colonia los olivos".split())
    ('Avenida Tlahuac', {2, 3})
    >>> find_street("toda la calle parece laguna".split(), ordinary={"laguna", "parece"})
    (None, set())
    """
    for index, word in enumerate(words):
        if word not in STREET_CUES:
            continue
        end = index + 1
        if end < len(words) and words[end] == "con":
            end += 1
        name_start = end
        while end < len(words) and end - name_start < 4 and not _ends_street(words[end], ordinary):
            end += 1
        while end > name_start and words[end - 1] in _TRAILING:
            end -= 1
        if end > name_start:
            name = " ".join(words[name_start:end]).title()
            return f"{word.capitalize()} {name}", set(range(index, end))
    return None, set()


def _ends_street(word: str, ordinary: Container[str]) -> bool:
    return word in _STREET_STOPS or word in STREET_CUES or word == "con" or word in ordinary
