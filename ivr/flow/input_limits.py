"""One set of limits on what callers send, applied at every edge and again by the flow.

The Twilio voice and message webhooks clean their fields with these functions when they parse
them, and the flow applies the same ones to every caller input (the Asterisk front and the
media streams have no webhook model), so the two never disagree:

- speech longer than the classifier reads (``MAX_SPEECH_CHARS``) is not heard: the caller is
  asked again, as after silence;
- control and format characters (NUL, escapes, zero-width marks) are dropped: PostgreSQL
  refuses a NUL in text, and none of them is something a caller said or typed;
- digits are ASCII: ``²`` or ``٣`` pass ``str.isdigit()`` but not ``int()`` or the folio's
  check, so they are read as the digit they are (``2``, ``3``); keys keep only ``0-9*#``.

>>> speech("el ² de la calle\\x00 Morelos"), keys("¹٢#"), keys("hangup")
('el 2 de la calle Morelos', '12#', None)
"""

from __future__ import annotations

import logging
import unicodedata

from ivr.classifier import MAX_TEXT_LENGTH

log = logging.getLogger(__name__)

MAX_SPEECH_CHARS = MAX_TEXT_LENGTH
"""The longest speech result (or message read as speech) that is heard: what the classifier
reads. Twilio's 60 s of speech rarely reach it; longer is noise or a forged request."""
MAX_KEYS = 32
"""Keys kept from one gather (a folio is 10 and ``#``)."""
MAX_MESSAGE_CHARS = 1600
"""What one incoming SMS or WhatsApp message can carry (Twilio's own limit)."""
KEYPAD = frozenset("0123456789*#")


def ascii_digits(text: str) -> str:
    """``text`` in NFKC with every other digit as its ASCII one.

    >>> ascii_digits("folio ²⁶ ٠٠٠١ ⑤")
    'folio 26 0001 5'
    """
    folded = unicodedata.normalize("NFKC", text)
    return "".join(
        str(unicodedata.digit(ch)) if ch.isdigit() and not ch.isascii() else ch for ch in folded
    )


def printable(text: str, *, lines: bool = False) -> str:
    """``text`` without control or format characters; other white space as one space
    (line breaks kept with ``lines``).

    >>> printable("a\\x00b\\u200bc\\td\\r\\ne"), printable("a\\r\\nb", lines=True)
    ('abc d e', 'a\\nb')
    """
    kept = []
    for ch in text.replace("\r\n", "\n"):
        if ch == "\n" and lines:
            kept.append(ch)
        elif ch.isspace():
            kept.append(" ")
        elif unicodedata.category(ch)[0] != "C":
            kept.append(ch)
    return "".join(kept)


def speech(raw: str | None) -> str | None:
    """What may be read of a speech result: printable, ASCII digits, spaces collapsed; None
    when nothing is left or it is longer than ``MAX_SPEECH_CHARS`` (not heard)."""
    if raw is None:
        return None
    text = " ".join(printable(ascii_digits(raw[: MAX_SPEECH_CHARS * 4])).split())
    if len(text) > MAX_SPEECH_CHARS:
        log.info("speech of %d characters not heard (over %d)", len(text), MAX_SPEECH_CHARS)
        return None
    return text or None


def keys(raw: str | None) -> str | None:
    """The keypad keys in ``raw`` (ASCII digits, ``*``, ``#``), at most ``MAX_KEYS``; None
    when there are none."""
    if raw is None:
        return None
    kept = "".join(ch for ch in ascii_digits(raw[: MAX_KEYS * 4]) if ch in KEYPAD)
    return kept[:MAX_KEYS] or None


def message(raw: str) -> str:
    """An incoming message's text: printable (line breaks kept), ASCII digits, trimmed to
    what one message carries."""
    return printable(ascii_digits(raw[: MAX_MESSAGE_CHARS * 2]), lines=True).strip()[
        :MAX_MESSAGE_CHARS
    ]
