"""Replays the transcripts recorded from Asterisk 22 over TCP, byte for byte.

AMI: :class:`AmiReplay` listens like Asterisk and sends every chunk Asterisk sent, in order,
unchanged except for one thing Asterisk itself does: it echoes the ``ActionID`` the client
chose. For the actions named in ``answers`` (their first occurrence in the recording) the
server waits for the client under test to send the same action and substitutes its
``ActionID`` for the recorded one; the client's other actions go unanswered, as on a server
that is slow to answer, and recorded answers to actions the client never sent carry their
recorded ids (a client ignores them).

FastAGI: :func:`replay_agi` plays Asterisk's side of a FastAGI session against a server: the
environment block, then each recorded reply after checking that the line the application
sent is the recorded command, byte for byte.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .fake_ami import parse_frame

CHUNK = re.compile(rb"\n### \[\s*[\d.]+s\] (\S+) -> (\S+)(?: \((\d+) bytes\)|: EOF)\n")


def read_interleaved(path: Path) -> list[tuple[str, bytes | None]]:
    """``(sender, bytes)`` chunks of an ``*.interleaved.txt`` transcript (None for EOF)."""
    data = path.read_bytes()
    chunks: list[tuple[str, bytes | None]] = []
    position = 0
    while (match := CHUNK.search(data, position)) is not None:
        sender, size = match[1].decode(), match[3]
        if size is None:
            chunks.append((sender, None))
            position = match.end() - 1
        else:
            start = match.end()
            chunks.append((sender, data[start : start + int(size)]))
            position = start + int(size)
    return chunks


def action_id(data: bytes) -> bytes | None:
    match = re.search(rb"ActionID: (\S+)\r\n", data)
    return match[1] if match else None


@dataclass
class AmiReplay:
    """Asterisk's side of one recorded AMI session."""

    transcript: Path
    answers: frozenset[str]
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    sessions: int = 0
    _server: asyncio.AbstractServer | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.sessions += 1
        if self.sessions > 1:  # one recording, one session
            writer.close()
            return
        received: list[dict[str, str]] = []
        arrived = asyncio.Event()

        async def collect() -> None:
            with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
                while True:
                    received.append(parse_frame(await reader.readuntil(b"\r\n\r\n")))
                    arrived.set()

        collector = asyncio.create_task(collect())
        ids: dict[bytes, bytes] = {}
        waited: set[str] = set()
        for sender, data in read_interleaved(self.transcript):
            if sender == "asterisk" and data is None:
                break
            if data is None:
                continue
            if sender == "asterisk":
                for recorded, chosen in ids.items():
                    data = data.replace(b"ActionID: " + recorded, b"ActionID: " + chosen)
                writer.write(data)
                await writer.drain()
                continue
            name = parse_frame(data).get("Action", "")
            if name in self.answers and name not in waited:
                waited.add(name)
                frame = await self._wait_for(name, received, arrived)
                ids[action_id(data) or b""] = frame["ActionID"].encode()
        await asyncio.sleep(0.05)
        writer.close()
        collector.cancel()
        self.finished.set()

    @staticmethod
    async def _wait_for(name: str, received: list, arrived: asyncio.Event) -> dict[str, str]:
        async with asyncio.timeout(10):
            while True:
                for frame in received:
                    if frame.get("Action") == name:
                        received.remove(frame)
                        return frame
                arrived.clear()
                await arrived.wait()


async def replay_agi(transcript: Path, port: int, grace: float = 0.3) -> list[bytes]:
    """Play Asterisk's side of a recorded FastAGI session; return the lines the app sent.

    Each line the application sends must be the recorded one. A recorded reply waits for the
    commands recorded before it, or for ``grace`` seconds when the application is itself
    waiting (Asterisk's unsolicited ``HANGUP`` line made the recorded client run ahead).
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent: list[bytes] = []
    expected: list[bytes] = []
    try:
        for sender, data in read_interleaved(transcript):
            if data is None:
                continue
            if sender != "asterisk":
                expected.append(data)
                continue
            while expected:
                try:
                    line = await asyncio.wait_for(reader.readline(), grace)
                except TimeoutError:
                    break
                if not line:  # the application closed the session: nothing more to replay
                    return sent
                assert line == expected[0], f"the app sent {line!r}, recorded {expected[0]!r}"
                sent.append(expected.pop(0))
            writer.write(data)
            await writer.drain()
        while expected and (line := await asyncio.wait_for(reader.readline(), 5)):
            assert line == expected[0], f"the app sent {line!r}, recorded {expected[0]!r}"
            sent.append(expected.pop(0))
    finally:
        writer.close()
    return sent
