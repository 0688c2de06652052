"""Bodies are bounded and Twilio's webhooks are authenticated before any form is parsed.

Regression of issue 13, item 3: a multipart body with a file part gave a 500 before the
signature was checked, and an unsigned 300 MB form was parsed in full before its 403.
"""

from __future__ import annotations

import doctest
from collections.abc import AsyncIterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.datastructures import MultiDict
from test_twilio_support import PUBLIC, TOKEN
from twilio.request_validator import RequestValidator

from agent_console import body_limit
from ivr.twilio import security
from ivr.twilio.simulator import SimulatedCall, new_call_sid
from models.config import Settings

FORM = "application/x-www-form-urlencoded"
VOICE = "/twilio/voice"
MB = 1024 * 1024


def signature(path: str, params: MultiDict | dict[str, str]) -> str:
    """Twilio's signature of a POST of ``params`` (every value of a repeated key) to ``path``."""
    return RequestValidator(TOKEN).compute_signature(f"{PUBLIC}{path}", params)


class Stream:
    """A request body sent in ``chunk``-byte pieces, counting what the server pulled."""

    def __init__(self, total: int, chunk: int = 64 * 1024) -> None:
        self.total, self.chunk, self.sent = total, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < self.total:
            piece = b"a" * min(self.chunk, self.total - self.sent)
            self.sent += len(piece)
            yield piece


async def test_multipart_with_a_file_part_is_refused_before_its_signature(
    twilio_http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await twilio_http.post(
        VOICE,
        data={"CallSid": new_call_sid()},
        files={"audio": ("a.wav", b"RIFF" + b"\0" * 100, "audio/wav")},
        headers={"X-Twilio-Signature": "anything"},
    )
    assert response.status_code == 415
    assert "application/x-www-form-urlencoded" in response.json()["detail"]
    assert "Traceback" not in caplog.text


async def test_a_declared_300_mb_body_is_refused_before_it_is_read(
    twilio_http: httpx.AsyncClient,
) -> None:
    body = Stream(300 * MB)
    headers = {"Content-Type": FORM, "Content-Length": str(body.total)}
    response = await twilio_http.post(VOICE, content=body, headers=headers)
    assert response.status_code == 413
    assert "demasiado grande" in response.json()["detail"]
    assert body.sent <= body.chunk  # at most the first piece was pulled, never the form


async def test_a_chunked_body_is_cut_at_the_twilio_limit(twilio_http: httpx.AsyncClient) -> None:
    body = Stream(300 * MB, chunk=16 * 1024)
    response = await twilio_http.post(VOICE, content=body, headers={"Content-Type": FORM})
    assert response.status_code == 413
    assert body.sent <= 64 * 1024 + body.chunk


async def test_every_request_has_a_size_limit(
    twilio_http: httpx.AsyncClient, voice_settings: Settings
) -> None:
    limit = voice_settings.limits.max_body_bytes
    assert limit == MB and voice_settings.limits.twilio_body_bytes == 64 * 1024
    declared = await twilio_http.post("/entrar", content=b"u=" + b"a" * limit)
    assert declared.status_code == 413
    body = Stream(10 * MB)
    chunked = await twilio_http.post("/entrar", content=body, headers={"Content-Type": FORM})
    assert chunked.status_code == 413 and body.sent <= limit + body.chunk
    small = await twilio_http.post("/entrar", content=b"u=a", headers={"Content-Type": FORM})
    assert small.status_code != 413


async def test_a_signed_twilio_sized_form_still_reaches_the_flow(
    twilio_http: httpx.AsyncClient,
) -> None:
    call = SimulatedCall(http=twilio_http, public_base_url=PUBLIC, auth_token=TOKEN)
    page = await call.post(f"{PUBLIC}{VOICE}", {"CallStatus": "ringing", "Padding": "x" * 60_000})
    assert page.status_code == 200 and "<Response>" in page.text
    charset = {"Content-Type": f"{FORM}; charset=UTF-8"}
    params = {"CallSid": new_call_sid(), "CallStatus": "ringing", "From": "+525512345678"}
    headers = {**charset, "X-Twilio-Signature": signature(VOICE, params)}
    assert (await twilio_http.post(VOICE, data=params, headers=headers)).status_code == 200


async def test_repeated_keys_are_signed_with_every_value(twilio_http: httpx.AsyncClient) -> None:
    sid = new_call_sid()
    params = MultiDict([("CallSid", sid), ("CallStatus", "ringing"), ("X", "1"), ("X", "2")])
    body = "&".join(f"{key}={value}" for key, value in params.multi_items())
    headers = {"Content-Type": FORM, "X-Twilio-Signature": signature(VOICE, params)}
    assert (await twilio_http.post(VOICE, content=body, headers=headers)).status_code == 200
    only_last = signature(VOICE, {"CallSid": sid, "CallStatus": "ringing", "X": "2"})
    headers["X-Twilio-Signature"] = only_last
    assert (await twilio_http.post(VOICE, content=body, headers=headers)).status_code == 403


SHAPES: list[tuple[str, bytes, int]] = [
    (FORM, b"", 403),
    ("", b"", 415),
    ("text/plain", b"CallSid=CA1", 415),
    ("application/json", b'{"CallSid": "CA1"}', 415),
    ("multipart/form-data; boundary=x", b"--x\r\n--x--\r\n", 415),
    (FORM, bytes(range(256)), 400),
    (FORM, b"CallSid=%FF%FE", 400),
    (FORM, "CallSid=ñ".encode(), 400),
    (FORM, b"&".join(b"k%d=v" % n for n in range(5000)), 400),
    (FORM, b"=&&==%%%", 403),
]


@pytest.mark.parametrize(("content_type", "body", "status"), SHAPES)
async def test_no_shape_of_body_is_a_server_error(
    twilio_http: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    content_type: str,
    body: bytes,
    status: int,
) -> None:
    headers = {"X-Twilio-Signature": "forged"}
    if content_type:
        headers["Content-Type"] = content_type
    response = await twilio_http.post(VOICE, content=body, headers=headers)
    assert response.status_code == status, response.text
    assert "Traceback" not in caplog.text


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content_type=st.sampled_from([FORM, f"{FORM}; charset=utf-8", "", "multipart/form-data"]),
    body=st.binary(max_size=2048) | st.text(max_size=512).map(str.encode),
)
async def test_fuzzed_bodies_never_reach_the_flow_unsigned(
    twilio_http: httpx.AsyncClient, content_type: str, body: bytes
) -> None:
    headers = {"Content-Type": content_type, "X-Twilio-Signature": "forged"}
    response = await twilio_http.post("/twilio/voice/step?seq=1", content=body, headers=headers)
    assert response.status_code in {400, 403, 415}


def test_the_examples_in_the_docstrings_hold() -> None:
    assert doctest.testmod(body_limit).failed == 0
    assert doctest.testmod(security).failed == 0
