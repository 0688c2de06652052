"""Media streams are bound to the call Twilio started, bounded in time, and refuse bad frames.

Regression of issue 13, item 4: the WebSocket's signature is the same for every call, so one
captured handshake could drive another caller's call (its CallSid was taken from the first
frame); idle streams never timed out; malformed frames raised unhandled errors.
"""

from __future__ import annotations

import asyncio
import doctest
import json
import time

import anyio
import httpx
import pytest
import test_speech
import websockets
from test_speech import ScriptedSocket, media_headers, stream_parameters, twilio_messages
from test_twilio_support import PUBLIC, TOKEN

from ivr.speech import media_frames
from ivr.speech.engines import VoskEngine
from ivr.speech.media_stream import MediaSession
from ivr.twilio import stream_auth
from ivr.twilio.simulator import SimulatedCall, new_call_sid
from ivr.twilio.stream_auth import stream_token
from models.config import LimitSettings

live_server = test_speech.live_server  # the speech tests' fixtures: the app on uvicorn
vosk_engine = test_speech.vosk_engine
SHORT = {"limits": LimitSettings(media_idle_seconds=1, media_max_seconds=3)}
BOUNDED = 15  # seconds: far over SHORT's bounds, far under the 120 s default total
STRANGER = "CA" + "9" * 32


async def _caller(address: str) -> tuple[SimulatedCall, dict[str, str]]:
    """A call at its first menu (a speech gather), and its stream's parameters."""
    http = httpx.AsyncClient(base_url=f"http://{address}", timeout=30)
    call = SimulatedCall(http=http, public_base_url=PUBLIC, auth_token=TOKEN)
    page = await call.start()
    assert page.status_code == 200
    return call, stream_parameters(page.xml)


async def _close_code(address: str, frames: list[str], wait: float = 10) -> int | None:
    """Send ``frames`` on a signed stream and return the code the server closed it with."""
    async with websockets.connect(
        f"ws://{address}/twilio/media", additional_headers=media_headers()
    ) as socket_:
        for frame in frames:
            await socket_.send(frame)
        await asyncio.wait_for(socket_.wait_closed(), wait)
        return socket_.close_code


def _start(call_sid: str, parameters: dict[str, str]) -> str:
    start = {"callSid": call_sid, "streamSid": "MZ" + "0" * 32, "customParameters": parameters}
    return json.dumps({"event": "start", "start": start})


def test_each_stream_carries_a_token_of_its_own_call_and_turn() -> None:
    one, other = new_call_sid(), new_call_sid()
    token = stream_token("secreto", one, 1)
    assert len(token) >= 32
    assert len({token, stream_token("secreto", other, 1), stream_token("secreto", one, 2)}) == 3
    assert stream_token("otro secreto", one, 1) != token


@pytest.mark.parametrize("live_server", ["vosk"], indirect=True)
async def test_a_captured_handshake_cannot_drive_another_call(live_server, caplog) -> None:
    address, app = live_server
    store = app.state.container.ivr.voice.store
    (mine, my_parameters), (theirs, _) = await _caller(address), await _caller(address)
    assert my_parameters["seq"] == "1" and my_parameters["token"]
    # the attacker replays their own stream's handshake and token, naming the victim's call
    code = await _close_code(address, [_start(theirs.call_sid, my_parameters)])
    assert code == 1008
    assert await store.media(theirs.call_sid, seq=1) == ("", "", None)
    assert "refused the media stream" in caplog.text and "Traceback" not in caplog.text
    await mine.http.aclose()
    await theirs.http.aclose()


@pytest.mark.parametrize("live_server", ["vosk"], indirect=True)
async def test_streams_of_unknown_ended_or_past_turns_are_refused(live_server) -> None:
    address, app = live_server
    secret = app.state.container.settings.secret_key.get_secret_value()
    unknown = {"seq": "1", "token": stream_token(secret, STRANGER, 1)}
    assert await _close_code(address, [_start(STRANGER, unknown)]) == 1008
    call, parameters = await _caller(address)
    past = {**parameters, "seq": "0", "token": stream_token(secret, call.call_sid, 0)}
    assert await _close_code(address, [_start(call.call_sid, past)]) == 1008
    assert (await call.hang_up()).status_code == 204
    assert await _close_code(address, [_start(call.call_sid, parameters)]) == 1008
    await call.http.aclose()


@pytest.mark.parametrize("live_server", [("vosk", SHORT)], indirect=True)
async def test_idle_and_endless_streams_are_closed(live_server) -> None:
    """Closed by the 1 s idle and 3 s total bounds, well before the test stops waiting (the
    margins hold on a loaded machine: the default bounds are 5 s and 120 s)."""
    address, _app = live_server
    started = time.monotonic()
    assert await _close_code(address, [], wait=20) is not None  # no start at all
    assert time.monotonic() - started < BOUNDED
    call, parameters = await _caller(address)
    started = time.monotonic()
    assert await _close_code(address, [_start(call.call_sid, parameters)], wait=20) == 1000
    assert time.monotonic() - started < BOUNDED
    # frames that never end the turn (marks) keep it busy: the total bound closes it
    async with websockets.connect(
        f"ws://{address}/twilio/media", additional_headers=media_headers()
    ) as socket_:
        await socket_.send(_start(call.call_sid, parameters))
        started = time.monotonic()
        with pytest.raises(websockets.ConnectionClosed):
            for _ in range(200):
                await socket_.send(json.dumps({"event": "mark", "mark": {"name": "x"}}))
                await asyncio.sleep(0.3)
        assert time.monotonic() - started < BOUNDED
    await call.http.aclose()


MALFORMED = [
    "no es JSON",
    "[]",
    '{"event": 5}',
    '{"event": "otra"}',
    '{"event": "start"}',
    '{"event": "start", "start": {"callSid": "CA1"}}',
    '{"event": "start", "start": {"callSid": "CA' + "1" * 32 + '", "customParameters": []}}',
    '{"event": "media", "media": {"payload": "AAAA"}}',  # audio before the start
    "x" * 100_000,
]
AFTER_START = [
    '{"event": "media", "media": {"payload": "***no base64***"}}',
    '{"event": "media", "media": {}}',
    '{"event": "media", "media": {"payload": "' + "A" * 40_000 + '"}}',
    '{"event": "dtmf", "dtmf": {"digit": 12}}',
    '{"event": "dtmf", "dtmf": {"digit": "12"}}',
    json.dumps(json.loads(_start("CA" + "1" * 32, {"seq": "4"}))),  # a second start
]


class RawSocket(ScriptedSocket):
    """Frames exactly as given (not only well-formed JSON)."""

    def __init__(self, frames: list[str]) -> None:
        self._messages = list(frames)


class SilentSocket:
    """A peer that opened the stream and never sends a frame."""

    async def receive_text(self) -> str:
        await anyio.sleep_forever()
        raise AssertionError("unreachable")


@pytest.mark.parametrize(
    "frames", [[frame] for frame in MALFORMED] + [["START", frame] for frame in AFTER_START]
)
async def test_malformed_frames_end_the_stream_in_one_log_line(
    vosk_engine: VoskEngine, caplog: pytest.LogCaptureFixture, frames: list[str]
) -> None:
    start = json.dumps(twilio_messages(b"")[0])
    frames = [start if frame == "START" else frame for frame in frames]
    result = await MediaSession(vosk_engine, timeout_seconds=6).run(RawSocket(frames))
    assert result.ended_by == "malformed" and result.refused
    refusals = [r for r in caplog.records if "malformed media frame" in r.getMessage()]
    assert len(refusals) == 1 and refusals[0].exc_info is None
    assert len(refusals[0].getMessage()) < 300


async def test_a_silent_peer_is_closed_when_idle(vosk_engine: VoskEngine) -> None:
    limits = LimitSettings(media_idle_seconds=0.2, media_max_seconds=5)
    session = MediaSession(vosk_engine, timeout_seconds=6, limits=limits)
    with anyio.fail_after(3):
        result = await session.run(SilentSocket())
    assert result.ended_by == "idle" and not result.call_sid


@pytest.mark.parametrize("live_server", ["vosk"], indirect=True)
async def test_a_malformed_frame_closes_the_socket_with_the_policy_code(
    live_server, caplog
) -> None:
    address, _app = live_server
    call, parameters = await _caller(address)
    frames = [_start(call.call_sid, parameters), '{"event": "media", "media": {"payload": 1}}']
    assert await _close_code(address, frames) == 1008
    assert "malformed media frame" in caplog.text and "Traceback" not in caplog.text
    await call.http.aclose()


def test_the_examples_in_the_docstrings_hold() -> None:
    assert doctest.testmod(media_frames).failed == 0
    assert doctest.testmod(stream_auth).failed == 0


@pytest.mark.parametrize("live_server", ["vosk"], indirect=True)
async def test_an_oversized_message_is_refused_by_the_server_unread(live_server) -> None:
    """uvicorn runs with ``SERVER_OPTIONS``: a 100 KB message closes the stream (1009)."""
    address, _app = live_server
    code = await _close_code(address, ["x" * 100_000])
    assert code == 1009
