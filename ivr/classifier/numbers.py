"""Spanish numbers said in words, as digits, by the ``text2num`` library.

>>> word_number("doce"), word_number("veintiseis"), word_number("bache")
('12', '26', None)
>>> spoken_numbers("veintiseis cero cero cero uno dos mil trescientos cuarenta y cinco")
['26', '0001', '2345']
"""

from __future__ import annotations

from functools import lru_cache

from text_to_num import alpha2digit, text2num

LANGUAGE = "es"
ARTICLES = frozenset({"un", "una", "uno", "unos", "unas"})
"""Words that are numbers to ``text2num`` but articles in what callers describe."""


@lru_cache(maxsize=16384)
def word_number(word: str) -> str | None:
    """The digits of one folded number word ("doce" → "12"); None for any other word."""
    try:
        return str(text2num(word, LANGUAGE))
    except ValueError:
        return None


def spoken_numbers(folded: str) -> list[str]:
    """The numbers in a folded utterance, in order, words joined as a listener would
    ("dos mil trescientos" → "2300", "cero cero uno" → "001"); every other word dropped."""
    tokens = alpha2digit(folded, LANGUAGE, threshold=0).split()
    return [token for token in tokens if token.isdigit()]  # "1ª" (primera) is no number
