"""AMI bridge throughput: events per second from the socket through the call state to the bus.

A peer in another process plays Asterisk: it answers the login and the resynchronisation,
then sends the events of the four recorded sessions (``../shared/asterisk``) over and over,
each repetition with its own Uniqueid/Linkedid, and closes. The same byte stream is read
twice: by the bridge (adapter → call tracker → domain events → in-process bus with one
subscriber) and by plain panoramisk with a no-op callback (its raw parsing). The last line
reads ``bridge: N events/s, raw: M events/s, ratio R%``.

    .venv/bin/python benchmarks/ami_bridge.py [--repeat 150]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import re
import socket
import time
from pathlib import Path

from pydantic import SecretStr

from ivr.asterisk.bridge import AmiBridge, Backoff
from models.bus import InProcessBus
from models.config import AsteriskServer

TRANSCRIPTS = Path(__file__).resolve().parents[2] / "shared" / "asterisk"
FLOWS = ("a_queue_answered", "b_queue_abandoned", "c_ivr_fastagi", "d_ivr_caller_hangup")
ID = re.compile(rb"1795555(\d{3})\.(\d+)")


def event_stream(repeat: int) -> tuple[bytes, int]:
    """The recorded events (no responses), repeated with fresh ids; and how many there are."""
    frames = []
    for flow in FLOWS:
        raw = (TRANSCRIPTS / f"{flow}.ami.asterisk-to-client.raw.txt").read_bytes()
        frames += [
            f + b"\r\n\r\n"
            for f in raw.split(b"\r\n\r\n")
            if f.startswith(b"Event: ") and b"ActionID:" not in f
        ]
    one = b"".join(frames)
    stream = b"".join(ID.sub(rb"%d\1.\2" % (1000 + n), one) for n in range(repeat))
    return stream, len(frames) * repeat


def _answer(frame: bytes) -> bytes:
    fields = dict(line.split(": ", 1) for line in frame.decode().split("\r\n") if ": " in line)
    action_id = fields.get("ActionID", "")
    head = f"Response: Success\r\nActionID: {action_id}\r\n"
    if fields.get("Action") == "Login":
        return f"{head}Message: Authentication accepted\r\n\r\n".encode()
    return (
        f"{head}EventList: start\r\nMessage: follows\r\n\r\n"
        f"Event: {fields.get('Action')}Complete\r\nActionID: {action_id}\r\n"
        "EventList: Complete\r\nListItems: 0\r\n\r\n"
    ).encode()


def serve(port: int, stream: bytes, sessions: int) -> None:
    """The peer process: per session, answer the login and resync, then send the stream."""

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"Asterisk Call Manager/11.0.0\r\n")
        answered = 0
        while answered < 4:  # Login + CoreShowChannels + QueueStatus + QueueSummary
            writer.write(_answer(await reader.readuntil(b"\r\n\r\n")))
            answered += 1
        await writer.drain()
        await asyncio.sleep(0.2)
        for start in range(0, len(stream), 65536):
            writer.write(stream[start : start + 65536])
            await writer.drain()
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(session, "127.0.0.1", port)
        async with server:
            await asyncio.sleep(3600)

    asyncio.run(main())


async def through_bridge(port: int) -> float:
    """Seconds from the first event to the last one published on the bus."""
    bus = InProcessBus()
    server = AsteriskServer(name="bench", port=port, username="u", secret=SecretStr("s"))
    bridge = AmiBridge(servers=[server], notifier=bus, backoff=Backoff(first=3600))
    async with bus.subscribe() as events:
        drained = asyncio.create_task(_consume(events))
        await bridge.start()
        link = bridge.links["bench"]
        await link.connected.wait()
        start = time.perf_counter()
        await link.connection.wait_closed()
        await bridge.drain()
        elapsed = time.perf_counter() - start
        drained.cancel()
    await bridge.stop()
    return elapsed - 0.2


async def _consume(events) -> None:  # noqa: ANN001
    async for _ in events:
        pass


async def raw_panoramisk(port: int) -> float:
    """Seconds plain panoramisk takes to parse and dispatch the same stream."""
    from panoramisk import Manager  # the benchmark's reference, outside the adapter on purpose

    loop = asyncio.get_running_loop()
    ready, lost = loop.create_future(), loop.create_future()
    manager = Manager(
        loop=loop, host="127.0.0.1", port=port, username="u", secret="s", ping_delay=3600,
        on_login=lambda m: ready.set_result(time.perf_counter()),
        on_disconnect=lambda m, exc: lost.done() or lost.set_result(time.perf_counter()),
    )  # fmt: skip
    manager.register_event("*", lambda m, event: None)
    manager.connect()
    await ready
    for action in ("CoreShowChannels", "QueueStatus", "QueueSummary"):
        await manager.send_action({"Action": action}, as_list=True)
    start = time.perf_counter()
    end = await lost
    manager.close()
    return end - start - 0.2


def free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=150)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # the peer closing the socket is the end, not an error
    stream, count = event_stream(args.repeat)
    port = free_port()
    peer = multiprocessing.Process(target=serve, args=(port, stream, 2), daemon=True)
    peer.start()
    time.sleep(0.5)
    try:
        raw = asyncio.run(raw_panoramisk(port))
        bridged = asyncio.run(through_bridge(port))
    finally:
        peer.terminate()
    print(f"{count} events ({len(stream) / 1e6:.1f} MB) from {len(FLOWS)} recorded flows")
    print(f"raw panoramisk: {raw:.2f} s; bridge (state + bus): {bridged:.2f} s")
    bridge_rate, raw_rate = count / bridged, count / raw
    print(
        f"bridge: {bridge_rate:.0f} events/s, raw: {raw_rate:.0f} events/s, "
        f"ratio {100 * bridge_rate / raw_rate:.0f}%"
    )


if __name__ == "__main__":
    main()
