"""Twilio's webhooks fuzzed with hypothesis: forms as Twilio sends them, with fuzzed values,
each signed exactly as Twilio signs it with the configured token, so the logic runs. A call
is followed through the action URLs its own TwiML gives. No 5xx, no traceback in the log, no
garbage stored."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from form_strategies import junk
from fuzz_support import FUZZ, PUBLIC, count_case, stored_garbage, twilio_signature, watched_log
from httpx import Response
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

HEX = "0123456789abcdef"
call_sids = st.text(HEX, min_size=32, max_size=32).map(lambda tail: "CA" + tail)
phones = st.one_of(
    st.from_regex(r"\+52(55|56|33|81)[0-9]{8}", fullmatch=True),
    st.sampled_from(["anonymous", "+266696687", "client:agente", "sip:1100@pbx.local", ""]),
    junk,
)
digits = st.one_of(
    st.text("0123456789*#", max_size=12),
    st.sampled_from(["¹", "²³", "١٢٣", "٠", "𝟙"]),  # digits Python reads as digits too
    junk,
)
speech = st.one_of(st.none(), junk, st.text(min_size=900, max_size=2000))
numbers = st.one_of(st.none(), st.floats(allow_nan=True).map(str), junk)
statuses = st.one_of(
    st.sampled_from(["ringing", "in-progress", "completed", "busy", "failed", "no-answer"]),
    junk,
)
queue_results = st.one_of(
    st.sampled_from(["hangup", "bridged", "leave", "redirected", "redirected-from-bridged"]),
    junk,
)


def _form(**fields: str | None) -> dict[str, str]:
    return {name: value for name, value in fields.items() if value is not None}


class Twilio:
    """Posts signed webhooks to the app, and checks each answer."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def post(self, path: str, form: dict[str, str], **query: str | int) -> Response:
        """POST ``form`` to ``path?query``, signed with the account's token."""
        return self.post_to(f"{path}?{urlencode(query)}" if query else path, form)

    def post_to(self, target: str, form: dict[str, str]) -> Response:
        """POST ``form`` to ``target`` (path and query), signed with the account's token."""
        signature = twilio_signature(PUBLIC + target, form)
        response = self.client.post(target, data=form, headers={"X-Twilio-Signature": signature})
        assert response.status_code < 500, (target, form, response.text[:500])
        assert response.status_code != 403, "the signature must hold, so the logic runs"
        return response


@pytest.fixture(scope="module")
def twilio(fuzz_app: FastAPI) -> Iterator[Twilio]:
    """Twilio, in front of the running application."""
    with TestClient(fuzz_app) as client:
        yield Twilio(client)


def _next_step(twiml: str) -> str | None:
    """The step URL (path and query) the TwiML sends the caller's answer to."""
    match = re.search(r'action="([^"]*/twilio/voice/step\?[^"]*)"', twiml) or re.search(
        r"<Redirect[^>]*>([^<]*/twilio/voice/step\?[^<]*)</Redirect>", twiml
    )
    return unescape(match.group(1)).removeprefix(PUBLIC) if match else None


answers = st.fixed_dictionaries(
    {"Digits": st.one_of(st.none(), digits), "SpeechResult": speech, "Confidence": numbers}
)


@FUZZ
@given(sid=call_sids, caller=phones, turns=st.lists(answers, min_size=1, max_size=5))
def test_a_call_through_the_ivr(twilio: Twilio, sid: str, caller: str, turns: list) -> None:
    """A call answered, then each turn's fuzzed keys or speech posted where the TwiML says."""
    count_case("twilio voice + steps")
    with watched_log() as errors:
        base = {"CallSid": sid, "From": caller, "To": "+525556581111", "CallStatus": "ringing"}
        twiml = twilio.post("/twilio/voice", base).text
        for turn in turns:
            step = _next_step(twiml)
            if step is None:
                break
            form = {**base, **_form(**turn), "CallStatus": "in-progress"}
            twiml = twilio.post_to(step, form).text
    assert not errors.tracebacks(), errors.tracebacks()


@FUZZ
@given(
    sid=st.one_of(call_sids, junk),
    seq=st.integers(0, 10_000),
    silence=st.integers(0, 1),
    media=st.integers(0, 1),
    form=st.fixed_dictionaries({"Digits": digits, "SpeechResult": speech, "From": phones}),
)
def test_a_step_of_an_unknown_call(
    twilio: Twilio, sid: str, seq: int, silence: int, media: int, form: dict
) -> None:
    """A step for a call the service never answered (or with a malformed CallSid)."""
    count_case("twilio step")
    with watched_log() as errors:
        response = twilio.post(
            "/twilio/voice/step",
            _form(CallSid=sid, **form),
            seq=seq,
            silence=silence,
            media=media,
        )
    assert response.status_code in (200, 400)
    assert not errors.tracebacks(), errors.tracebacks()


@FUZZ
@given(
    sid=call_sids,
    queue=st.one_of(st.sampled_from(["asesores", "quejas"]), st.text(min_size=1, max_size=64)),
    agent=st.one_of(st.just(""), junk),
    result=queue_results,
    numbers=st.fixed_dictionaries(
        {"QueueTime": numbers, "QueuePosition": numbers, "CallDuration": numbers}
    ),
    caller=phones,
    status=statuses,
)
def test_the_queue_and_status_webhooks(
    twilio: Twilio,
    sid: str,
    queue: str,
    agent: str,
    result: str,
    numbers: dict,
    caller: str,
    status: str,
) -> None:
    """Hold loop, dequeue, queue result, an agent's leg and the status callback."""
    count_case("twilio queue + status")
    base = {"CallSid": sid, "From": caller, **_form(**numbers)}
    with watched_log() as errors:
        twilio.post("/twilio/voice/queue/wait", base, queue=queue)
        twilio.post("/twilio/voice/queue/connected", base, queue=queue, agent=agent)
        twilio.post("/twilio/voice/queue/result", {**base, "QueueResult": result}, queue=queue)
        twilio.post("/twilio/voice/agent", base, queue=queue[:64], agent=agent[:200])
        twilio.post("/twilio/voice/status", {**base, "CallStatus": status})
    assert not errors.tracebacks(), errors.tracebacks()


@FUZZ
@given(
    sid=call_sids,
    caller=phones,
    callback_id=st.integers(1, 2**31),
    target=st.one_of(st.from_regex(r"\+52[0-9]{10}", fullmatch=True), st.text(min_size=3)),
    folio=st.one_of(st.from_regex(r"[0-9]{10}", fullmatch=True), st.text("0123456789")),
    form=st.fixed_dictionaries({"Digits": digits, "SpeechResult": speech}),
)
def test_callback_transfer_and_status_reading(
    twilio: Twilio, sid: str, caller: str, callback_id: int, target: str, folio: str, form: dict
) -> None:
    """A call-back answered, a transfer, and the status reading an agent sends a caller to."""
    count_case("twilio callback + transfer + estado")
    base = {"CallSid": sid, "From": caller, **_form(**form)}
    with watched_log() as errors:
        twilio.post("/twilio/voice/callback", base, id=callback_id)
        twilio.post("/twilio/voice/transfer", base, target=target[:200])
        twilio.post("/twilio/voice/estado", base, folio=folio[:20])
    assert not errors.tracebacks(), errors.tracebacks()


@FUZZ
@given(
    caller=phones,
    body=st.one_of(junk, st.sampled_from(["estado 2600000019", "AYUDA", "sí", "no"]), speech),
    sid=st.one_of(st.text(HEX, min_size=32, max_size=32).map(lambda t: "SM" + t), junk),
    status=statuses,
    error=st.one_of(st.none(), junk),
)
def test_messages_and_their_delivery_reports(
    twilio: Twilio, caller: str, body: str | None, sid: str, status: str, error: str | None
) -> None:
    """An SMS or WhatsApp message, then a delivery report for a message the City sent."""
    count_case("twilio messaging")
    with watched_log() as errors:
        twilio.post(
            "/twilio/messaging",
            _form(MessageSid=sid, From=caller, To="+525556581111", Body=body),
        )
        twilio.post(
            "/twilio/messaging/status", _form(MessageSid=sid, MessageStatus=status, ErrorCode=error)
        )
    assert not errors.tracebacks(), errors.tracebacks()


def test_nothing_garbage_stored(twilio: Twilio, fuzz_db: Engine) -> None:
    """After the fuzzing above, every stored request is one a person could have made."""
    assert stored_garbage(fuzz_db) == []
