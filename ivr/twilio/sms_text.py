"""SMS segments: GSM-7 versus UCS-2, and fitting a Spanish reply into as few as possible.

One accent outside GSM-7 (á, í, ó, ú) switches the whole message to UCS-2, where a segment
holds 70 characters instead of 160. A reply keeps its accents when that costs no extra
segment, and is written without them otherwise::

    >>> segments("Locatel: su folio está en proceso.")
    (1, 'UCS-2')
    >>> segments("á" * 100), segments(fit_sms("á" * 100))
    ((2, 'UCS-2'), (1, 'GSM-7'))
"""

from __future__ import annotations

import math
import unicodedata

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
_REPLACEMENTS = {"«": '"', "»": '"', "“": '"', "”": '"', "‘": "'", "’": "'", "…": "...", "–": "-"}


def is_gsm7(text: str) -> bool:
    """True when every character fits the GSM-7 alphabet (with its extension table)."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text)


def segments(text: str) -> tuple[int, str]:
    """How many SMS segments ``text`` takes, and in which encoding."""
    if is_gsm7(text):
        units = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        return (1 if units <= 160 else math.ceil(units / 153)), "GSM-7"
    units = len(text.encode("utf-16-le")) // 2
    return (1 if units <= 70 else math.ceil(units / 67)), "UCS-2"


def to_gsm7(text: str) -> str:
    """``text`` with every character outside GSM-7 replaced by its closest GSM-7 form."""
    out = []
    for char in text:
        if char in GSM7_BASIC or char in GSM7_EXTENDED:
            out.append(char)
            continue
        if char in _REPLACEMENTS:
            out.append(_REPLACEMENTS[char])
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        out.append(base if base and all(c in GSM7_BASIC for c in base) else "?")
    return "".join(out)


def fit_sms(text: str) -> str:
    """The accented text if it costs no extra segment, else its GSM-7 form."""
    plain = to_gsm7(text)
    return plain if segments(plain)[0] < segments(text)[0] else text
