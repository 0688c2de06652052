"""Events that carry ``ChanVariable`` lines (manager.conf ``channelvars``), as the rendered
configuration makes Asterisk send them: the recorded sessions replayed with those lines added to
every event of the call's legs, as Asterisk adds them once the dialplan has set the variable
(``__SUAC_GRABACION`` is inherited by the agent's legs)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from ivr.asterisk import constants as names
from ivr.asterisk.call_tracker import CallTracker
from models.calls import CallRecord
from models.events import BaseEvent

from .fake_ami import channel
from .test_bridge_replay import RESYNC, replay

HEADER = re.compile(rb"\n### \[\s*([\d.]+)s\] (\S+) -> (\S+)(?: \((\d+) bytes\)|: EOF)\n")


def edited(transcript: Path, out: Path, edit: Callable[[bytes], bytes]) -> Path:
    """A copy of an ``*.interleaved.txt`` transcript with ``edit`` applied to what Asterisk
    sent (the chunks' byte counts follow)."""
    data, parts, position = transcript.read_bytes(), [], 0
    while (match := HEADER.search(data, position)) is not None:
        at, sender, receiver, size = match.groups()
        if size is None:
            parts.append(match[0])
            position = match.end() - 1
            continue
        start = match.end()
        chunk = data[start : start + int(size)]
        position = start + int(size)
        if sender == b"asterisk":
            chunk = edit(chunk)
        parts.append(b"\n### [%s s] %s -> %s (%d bytes)\n" % (at, sender, receiver, len(chunk)))
        parts.append(chunk)
    out.write_bytes(b"".join(parts).replace(b" s] ", b"s] "))
    return out


def with_variables(linkedid: str, *pairs: str) -> Callable[[bytes], bytes]:
    """Add ``ChanVariable: NAME=value`` lines to every event of ``linkedid``'s legs."""
    marker = f"\r\nLinkedid: {linkedid}\r\n".encode()
    lines = "".join(f"ChanVariable: {pair}\r\n" for pair in pairs).encode()
    return lambda chunk: chunk.replace(marker, marker + lines)


def kinds(events: list[BaseEvent]) -> list[str]:
    return [type(event).__name__ for event in events]


async def test_a_call_whose_agent_hangs_up_first_ends_and_keeps_its_end_time(
    transcripts: Path, engine: Engine, tmp_path: Path
) -> None:
    recording = f"{names.VAR_RECORDING}=/grabaciones/1795555768.0.wav"
    flow = tmp_path / "a_queue_answered.ami.interleaved.txt"
    source = transcripts / "a_queue_answered.ami.interleaved.txt"
    edited(source, flow, with_variables("1795555768.0", recording, f"{names.VAR_QUEUE_STATUS}="))
    harness = await replay(flow.parent, "a_queue_answered", RESYNC, engine)
    types = [e.type for e in harness.of_call("1795555768.0")]
    assert types == [
        "call.started",
        "call.recording_started",
        "call.queued",
        "call.agent_ringing",
        "call.connected",
        "call.ended",
    ]
    assert harness.link.tracker.active_calls == set()
    with Session(engine) as session:
        record = session.get(CallRecord, "1795555768.0")
    assert record is not None and record.ended_at is not None
    assert (record.status, record.recording) == ("answered", "/grabaciones/1795555768.0.wav")


def test_the_recording_named_by_the_last_legs_hangup_is_kept_and_the_call_ends() -> None:
    tracker = CallTracker(source="prueba")
    caller = channel("5.1", "5.1", "PJSIP/troncal-5")
    agent = channel("5.2", "5.1", "PJSIP/1001-5")
    variable = {"ChanVariable": f"{names.VAR_RECORDING}=/grabaciones/5.1.wav"}
    for leg in (caller, agent):
        tracker.feed({"Event": "Newchannel", **leg})
    assert kinds(tracker.feed({"Event": "Hangup", **caller, **variable})) == [
        "CallRecordingStarted"
    ]
    assert kinds(tracker.feed({"Event": "Hangup", **agent, **variable})) == ["CallEnded"]
    late = {"Event": "Hangup", **caller, **variable}
    assert tracker.feed(late) == [] and tracker.active_calls == set()
