"""Parsing of FastAGI reply lines, including quoted values with spaces.

Asterisk answers each AGI command with one line (``520`` usage errors span several)::

    >>> reply = parse_agi_reply('200 result=1 (speech) endpos=8000 results=1 '
    ...                         'score0=912 text0="quiero reportar un bache" grammar0=libre')
    >>> reply.data, reply.fields["text0"]
    ('speech', 'quiero reportar un bache')
    >>> parse_agi_reply("200 result=1 (5587654321)").data
    '5587654321'

panoramisk's parser stops every value at the first space, so a recognised sentence would
come back as its first word; this one honours quotes and parenthesised data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEAD = re.compile(r"^(?P<code>\d{3})[ -]?(?P<rest>.*)$")
_RESULT = re.compile(r"^result=(?P<value>\S*)\s*")
_DATA = re.compile(r"^\((?P<data>.*?)\)(?=\s+\w+=|\s*$)\s*")
_PAIR = re.compile(r'(?P<key>\w+)=(?P<value>"(?:[^"\\]|\\.)*"|\S*)')
HANGUP_LINE = "HANGUP"


@dataclass(frozen=True)
class AgiReply:
    """One reply: status code, ``result=`` value, parenthesised data and other ``key=value``."""

    code: int
    result: str = ""
    data: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    line: str = ""

    @property
    def ok(self) -> bool:
        """True for a ``200`` reply whose result is not ``-1`` (failure or hang-up)."""
        return self.code == 200 and self.result != "-1"

    @property
    def dead_channel(self) -> bool:
        """True when Asterisk says the channel is gone (``511``) or the command saw a hang-up."""
        return self.code == 511 or self.result == "-1" or self.data == "hangup"

    @property
    def timed_out(self) -> bool:
        """True when the command ended because nobody pressed or said anything."""
        return self.data == "timeout" or (self.code == 200 and self.result == "" and not self.data)

    @property
    def number(self) -> int | None:
        """``result`` as an integer, when it is one."""
        try:
            return int(self.result)
        except ValueError:
            return None


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_agi_reply(line: str) -> AgiReply:
    """Parse one reply line (without its line end); unknown shapes keep the raw line."""
    line = line.rstrip("\r\n")
    head = _HEAD.match(line)
    if head is None:
        return AgiReply(code=0, line=line)
    code, rest = int(head["code"]), head["rest"]
    result_match = _RESULT.match(rest)
    if result_match is None:
        return AgiReply(code=code, line=line)
    result = result_match["value"]
    rest = rest[result_match.end() :]
    data = None
    data_match = _DATA.match(rest)
    if data_match is not None:
        data = data_match["data"]
        rest = rest[data_match.end() :]
    fields = {m["key"]: _unquote(m["value"]) for m in _PAIR.finditer(rest)}
    return AgiReply(code=code, result=result, data=data, fields=fields, line=line)


def speech_results(reply: AgiReply) -> list[tuple[str, float]]:
    """The ``(text, score)`` pairs of a ``SPEECH RECOGNIZE`` reply, best first (score 0–1)."""
    count = int(reply.fields.get("results", "0") or 0)
    found = []
    for index in range(count):
        text = reply.fields.get(f"text{index}", "").strip()
        score = int(reply.fields.get(f"score{index}", "0") or 0)
        if text:
            found.append((text, max(0.0, min(score / 1000.0, 1.0))))
    return sorted(found, key=lambda pair: pair[1], reverse=True)
