"""A half-open AMI link on a real Asterisk 22 (a NAT or firewall that forgot the connection,
so neither end hears of its end): the bridge must notice it by its keepalive and log in again
at once, while Asterisk still holds the stale session, and hear the calls' events again."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from ivr.asterisk.bridge import Backoff, ServerLink
from ivr.asterisk.panoramisk_adapter import AmiConnection
from models.config import AsteriskServer
from models.events import BaseEvent, QueueSnapshot

from .real_asterisk import SECRET, RealAsterisk, pipe


class FreezingProxy:
    """A TCP proxy to Asterisk's AMI port. :meth:`freeze` stops forwarding on the connections
    it holds, both ways, and keeps them open: Asterisk's session goes stale, unaware."""

    def __init__(self, target_port: int) -> None:
        self._target = target_port
        self._pipes: set[asyncio.Task[None]] = set()
        self._held: list[asyncio.StreamWriter] = []
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    def freeze(self) -> None:
        for running in self._pipes:
            running.cancel()
        self._pipes.clear()

    async def close(self) -> None:
        self.freeze()
        for writer in self._held:
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._target)
        self._held += [writer, up_writer]
        for source, target in ((reader, up_writer), (up_reader, writer)):
            self._pipes.add(asyncio.create_task(pipe(source, target)))


@pytest.fixture(scope="module")
def server(pbx: RealAsterisk) -> RealAsterisk:
    """The real Asterisk the call modules share."""
    return pbx


@pytest.fixture
async def proxy(server: RealAsterisk) -> AsyncIterator[FreezingProxy]:
    started = FreezingProxy(server.ami_port)
    await started.start()
    yield started
    await started.close()


def connection(port: int) -> AmiConnection:
    return AmiConnection(
        host="127.0.0.1", port=port, username="suac", secret=SECRET, sink=lambda _: None
    )


async def test_a_login_is_accepted_while_asterisk_holds_a_stale_session(
    server: RealAsterisk, proxy: FreezingProxy
) -> None:
    stale = connection(await proxy.start())
    await stale.open()
    proxy.freeze()
    fresh = connection(server.ami_port)
    answer = await fresh.open()  # "Login Already In Use" with allowmultiplelogin = no
    assert answer.message == "Authentication accepted"
    assert (await fresh.send("Ping")).headers.get("Ping") == "Pong"
    fresh.close()
    stale.close()


async def test_the_bridge_notices_a_half_open_link_and_hears_events_again(
    server: RealAsterisk, proxy: FreezingProxy
) -> None:
    port = await proxy.start()
    outbox: asyncio.Queue[BaseEvent] = asyncio.Queue()
    ami = AsteriskServer(name="real", port=port, username="suac", secret=SecretStr(SECRET))
    link = ServerLink(
        server=ami, outbox=outbox, timeout=1.0, keepalive=0.5, backoff=Backoff(first=0.1)
    )
    running = asyncio.create_task(link.run())
    try:
        async with asyncio.timeout(30):  # generous: a keepalive, its time-out, one back-off
            await link.connected.wait()
            proxy.freeze()
            while link.connects < 2 or not link.connected.is_set():
                await asyncio.sleep(0.05)
            member = "Local/9999@locatel-colgar"
            server.cli(f"queue add member {member} to locatel")
            while True:
                event = await outbox.get()
                if isinstance(event, QueueSnapshot) and member in {m.agent for m in event.members}:
                    break
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        if link.connection is not None:
            link.connection.close()
        server.cli("queue remove member Local/9999@locatel-colgar from locatel")
