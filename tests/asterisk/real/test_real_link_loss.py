"""The AMI link lost mid-call on a real Asterisk 22, with ``suac asterisk run``'s roles on the
rendered configuration: the link cut (a proxy in front of AMI closes it and refuses new ones)
and restored, and Asterisk itself restarted. What happened meanwhile reaches the stored call
records on resynchronisation: a start, an answer (dated by Asterisk's ``QUEUEWAIT``) and the
ends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio

from ivr.asterisk import constants as names
from ivr.asterisk.bridge import ServerLink
from models.events import CallQueued

from .citizen import Citizen
from .real_asterisk import RealAsterisk, pipe
from .switchboard import WAIT, Switchboard, switchboard

pytestmark = pytest.mark.asyncio(loop_scope="module")


class LinkCutter:
    """A TCP proxy in front of Asterisk's AMI port: :meth:`cut` closes every connection and
    refuses new ones until :meth:`restore`."""

    def __init__(self, target_port: int) -> None:
        self._target, self.port = target_port, 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def restore(self) -> None:
        """Listen (again, on the same port)."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for writer in self._writers:
            writer.close()
        self._writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._target)
        except OSError:  # Asterisk is down: so is the link
            writer.close()
            return
        self._writers += [writer, up_writer]
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cutter(pbx: RealAsterisk) -> AsyncIterator[LinkCutter]:
    proxy = LinkCutter(pbx.ami_port)
    await proxy.restore()
    yield proxy
    await proxy.cut()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def board(pbx: RealAsterisk, cutter: LinkCutter) -> AsyncIterator[Switchboard]:
    async with switchboard(pbx, ami_port=cutter.port) as started:
        yield started


def link_of(board: Switchboard) -> ServerLink:
    return board.container.asterisk.bridge.links["real"]


async def down(link: ServerLink) -> int:
    """Wait until the bridge knows the link is down; how many times it had connected."""
    async with asyncio.timeout(WAIT):
        while link.connected.is_set():
            await asyncio.sleep(0.02)
    return link.connects


async def up_again(link: ServerLink, connects: int) -> None:
    async with asyncio.timeout(WAIT):
        while link.connects <= connects or not link.connected.is_set():
            await asyncio.sleep(0.02)


async def queued(board: Switchboard) -> Citizen:
    """A citizen who asked for an agent and waits in the queue."""
    citizen = await board.call(Citizen([("menu-teclas", "0")]))
    await board.journal.first(lambda e: isinstance(e, CallQueued) and e.call_id == citizen.call_id)
    return citizen


async def test_calls_started_answered_and_ended_while_the_link_was_cut(
    board: Switchboard, cutter: LinkCutter
) -> None:
    link = link_of(board)
    answered, gone = await queued(board), await queued(board)
    await cutter.cut()
    connects = await down(link)
    member = board.member("asesor-sin-enlace")
    board.server.cli(f"queue add member {member} to {names.DEFAULT_QUEUE}")
    try:
        connect = await board.ami_event(
            lambda e: e.get("Event") == "AgentConnect" and e.get("Linkedid") == answered.call_id
        )
        await gone.hang_up()
        await gone.done()
        new = await board.call(Citizen([]))  # still in the IVR when the link is back
        await board.ami_event(lambda e: e.get("Linkedid") == new.call_id and "Command" in e)
        wait = int(await board.variable(answered.ivr_channel, names.VAR_QUEUE_WAIT))
        await cutter.restore()
        await up_again(link, connects)
        lost = await board.ended(gone.call_id)
        started = await board.record(new.call_id, lambda r: r.transport == "asterisk")
        assert started.caller == "+525512345678"  # announced by the resynchronisation
        await new.hang_up()
        record = await board.record(answered.call_id, lambda r: r.answered_at is not None)
        assert (record.agent, record.wait_seconds) == (member, float(wait))
        assert float(connect["HoldTime"]) == wait  # Asterisk's own figure, kept
        assert record.queued_at is not None and record.answered_at is not None
        assert abs(record.answered_at - (record.queued_at + timedelta(seconds=wait))) < timedelta(
            seconds=1
        )  # dated by the queue join plus the wait, not by the reconnection
        await answered.hang_up()
        record = await board.ended(answered.call_id)
    finally:
        board.server.cli(f"queue remove member {member} from {names.DEFAULT_QUEUE}")
    assert (record.status, record.ended_at is not None) == ("answered", True)
    assert (lost.status, lost.cause, lost.answered_at) == ("lost", "resync", None)


async def test_asterisk_restarted_mid_call(board: Switchboard) -> None:
    link = link_of(board)
    before = await queued(board)
    board.server.stop()
    connects = await down(link)
    board.server.start()
    await up_again(link, connects)
    await board.log_in()
    cut = await board.ended(before.call_id)  # hung up by Asterisk stopping: no abandon
    assert (cut.status, cut.cause, cut.abandoned_at, cut.queue_exit) == (
        "lost",
        "shutdown",
        None,
        None,
    )
    assert not [e for e in board.journal.of_call(before.call_id) if e.type == "call.abandoned"]
    after = await board.call(Citizen([], hang_up_on="menu-teclas"))
    record = await board.ended(after.call_id)
    assert (record.status, record.ivr_outcome, record.caller) == ("ivr", "hung_up", "+525512345678")
