"""Yes and no as people say them, shared by both voice fronts and the text channels.

The phrases are data (``data/yes_no.yaml``): a phrase counts when all its words appear in a
row in the answer, accents and capitals aside, and a "no" phrase wins over a "yes" one.

>>> is_yes("Así es"), is_yes("sí señor"), is_yes("claro que sí"), is_yes("eso no")
(True, True, True, False)
>>> is_no("no, ninguna"), is_no("nel"), is_no("para nada"), is_no("sí")
(True, True, True, False)
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from ivr.classifier.text import fold

PHRASES_FILE = Path(__file__).parent / "data" / "yes_no.yaml"


@cache
def phrases(answer: str) -> tuple[tuple[str, ...], ...]:
    """The folded phrases meaning ``answer`` ("yes" or "no"), each as a tuple of words."""
    data = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))
    return tuple(tuple(fold(p).split()) for p in data[answer])


def says(text: str | None, answer: str) -> bool:
    """``text`` contains one of the phrases meaning ``answer``."""
    words = tuple(fold(text or "").split())
    return any(
        words[i : i + len(phrase)] == phrase
        for phrase in phrases(answer)
        for i in range(len(words) - len(phrase) + 1)
    )


def is_yes(text: str | None) -> bool:
    """The caller agreed ("sí", "así es", "correcto", "claro que sí"…)."""
    return says(text, "yes") and not says(text, "no")


def is_no(text: str | None) -> bool:
    """The caller disagreed ("no", "nel", "para nada", "no, ninguna"…)."""
    return says(text, "no")


def opening_answer(text: str | None) -> bool | None:
    """The yes (True) or no (False) a reply opens with; None when it opens with neither.

    >>> opening_answer("Sí, ya no hay fuga"), opening_answer("No, sigue igual")
    (True, False)
    >>> opening_answer("eso no"), opening_answer("claro que sí"), opening_answer("26-0000001-8")
    (False, True, None)
    """
    words = tuple(fold(text or "").split())
    if is_no(" ".join(words[:2])):
        return False
    if any(words[: len(phrase)] == phrase for phrase in phrases("yes")):
        return True
    return None
