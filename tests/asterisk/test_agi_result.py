"""AGI reply parsing, on the lines Asterisk 22 really sends."""

from __future__ import annotations

import pytest

from ivr.asterisk.agi_result import parse_agi_reply, speech_results


@pytest.mark.parametrize(
    ("line", "code", "result", "data", "fields"),
    [
        ("200 result=0", 200, "0", None, {}),
        ("200 result=1 (5587654321)", 200, "1", "5587654321", {}),
        ("200 result=0 endpos=8365", 200, "0", None, {"endpos": "8365"}),
        ("200 result=49", 200, "49", None, {}),
        ("200 result= (timeout)", 200, "", "timeout", {}),
        ("200 result=1 (una (rara) frase)", 200, "1", "una (rara) frase", {}),
        ("200 result=-1", 200, "-1", None, {}),
        ("511 Command Not Permitted on a dead channel or intercept routine", 511, "", None, {}),
        ("510 Invalid or unknown command", 510, "", None, {}),
    ],
)
def test_reply_lines(line: str, code: int, result: str, data: str | None, fields: dict) -> None:
    reply = parse_agi_reply(line)
    assert (reply.code, reply.result, reply.data, reply.fields) == (code, result, data, fields)


def test_hangup_and_timeout_flags() -> None:
    assert parse_agi_reply("200 result=-1").dead_channel
    assert parse_agi_reply("511 Command Not Permitted").dead_channel
    assert parse_agi_reply("200 result= (timeout)").timed_out
    assert not parse_agi_reply("200 result=4521").timed_out
    assert parse_agi_reply("200 result=4521").number == 4521
    assert parse_agi_reply("garbage").code == 0


def test_speech_results_keep_whole_sentences_best_first() -> None:
    reply = parse_agi_reply(
        '200 result=1 (speech) endpos=9000 results=2 score0=610 text0="bache en la calle" '
        'grammar0=libre score1=880 text1="hay un bache en mi calle" grammar1=libre'
    )
    best_first = [("hay un bache en mi calle", 0.88), ("bache en la calle", 0.61)]
    assert speech_results(reply) == best_first
    assert speech_results(parse_agi_reply("200 result=1 (speech) endpos=0 results=0")) == []
