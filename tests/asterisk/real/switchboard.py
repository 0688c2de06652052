"""The telephony role of ``suac asterisk run`` and the worker's call recorder, built by the
composition root on a real Asterisk 22 running the rendered configuration, with the tests'
own dialplan: simulated citizens (Local channels) call the inbound context, queue members
(Local channels) answer, and every call is read back from the stored call records::

    async with switchboard(server) as board:
        citizen = await board.call(Citizen([("menu-teclas", "0")]))
        record = await board.ended(citizen.call_id)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest
from sqlmodel import col, select

from ivr.asterisk import constants as names
from ivr.asterisk.fastagi import AgiFront
from ivr.asterisk.panoramisk_adapter import AmiConnection
from ivr.asterisk.prompt_audio import Synthesizer, spoken_templates
from ivr.flow.steps import Digits
from ivr.prompts import PromptBook
from ivr.speech import UtteranceEngine
from models.calls import CallRecord
from models.config import Settings
from models.db import session_scope
from models.events import BaseEvent
from models.metrics.agent_log import AgentStateChange
from suac.container import Container, build_container
from suac.roles import TELEPHONY, WORKER, Runtime

from .citizen import AGENTS_CONTEXT, CITIZEN_CONTEXT, Citizen
from .real_asterisk import SECRET, RealAsterisk, write_silence

SETTINGS = {
    "SUAC_ASTERISK__QUEUE__WRAPUP_SECONDS": "0",  # a member takes the next call at once
    "SUAC_ASTERISK__RECONNECT_MAX_SECONDS": "1",  # back after a drop or a restart within 1 s
    "SUAC_ASTERISK__QUEUE_REFRESH_SECONDS": "2",  # the queues' figures corrected every 2 s
}
WAIT = 20.0  # seconds any one expected thing may take, at most
_numbers = itertools.count(1)


class Journal:
    """Every event published on the bus since the switchboard started, to wait on."""

    def __init__(self) -> None:
        self.events: list[BaseEvent] = []
        self._changed = asyncio.Condition()

    async def follow(self, container: Container) -> None:
        async with container.bus.subscribe() as events:
            async for event in events:
                async with self._changed:
                    self.events.append(event)
                    self._changed.notify_all()

    def of_call(self, call_id: str) -> list[BaseEvent]:
        """The events of one call, in order."""
        return [e for e in self.events if getattr(e, "call_id", None) == call_id]

    async def first(self, wanted: Callable[[BaseEvent], bool], seconds: float = WAIT) -> BaseEvent:
        """The first event (already published or to come) that is ``wanted``."""
        async with asyncio.timeout(seconds), self._changed:
            while True:
                found = next((e for e in self.events if wanted(e)), None)
                if found is not None:
                    return found
                await self._changed.wait()


@dataclass
class Switchboard:
    """The started role on one server, the tests' AMI session and what was published."""

    server: RealAsterisk
    container: Container
    journal: Journal
    ami: AmiConnection = field(init=False)
    citizens: dict[str, Citizen] = field(default_factory=dict)
    ami_events: list[dict[str, str]] = field(default_factory=list)

    async def log_in(self) -> None:
        """Open the tests' own AMI session (straight to Asterisk, never through a proxy),
        again after a restart."""
        if (stale := getattr(self, "ami", None)) is not None:
            stale.close()
        self.ami = AmiConnection(
            host="127.0.0.1",
            port=self.server.ami_port,
            username="suac",
            secret=SECRET,
            sink=self.on_ami,
        )
        await self.ami.open()

    def on_ami(self, headers: dict[str, str]) -> None:
        self.ami_events.append(headers)
        citizen = self.citizens.get(headers.get("Linkedid", ""))
        if citizen is not None:
            citizen.on_event(headers)

    async def call(self, citizen: Citizen, *, caller: str = "5512345678") -> Citizen:
        """``citizen`` dials 0311 (a Local channel into the inbound context)."""
        citizen.call_id = f"prueba-{os.getpid()}-{next(_numbers)}"
        citizen.ami = self.ami
        self.citizens[citizen.call_id] = citizen
        answer = await self.ami.send(
            "Originate",
            Channel=f"Local/{names.EXTEN_START}@{names.CONTEXT_INBOUND}",
            Context=CITIZEN_CONTEXT,
            Exten=names.EXTEN_START,
            Priority="1",
            CallerID=f"Ciudadana <{caller}>",
            ChannelId=citizen.call_id,
        )
        assert answer.success, answer.message
        return citizen

    async def record(
        self, call_id: str, done: Callable[[CallRecord], bool], seconds: float = WAIT
    ) -> CallRecord:
        """The call's stored record once ``done`` holds for it (the recorder writes later)."""
        record = None
        try:
            async with asyncio.timeout(seconds):
                while record is None or not done(record):
                    await asyncio.sleep(0.05)
                    with session_scope(self.container.engine, readonly=True) as session:
                        record = session.get(CallRecord, call_id)
        except TimeoutError:
            citizen = self.citizens.get(call_id)
            heard, errors = (citizen.heard, citizen.errors) if citizen else ([], [])
            events = [e.type for e in self.journal.of_call(call_id)]
            raise AssertionError(f"{record!r}\nheard {heard} {errors}\nevents {events}") from None
        return record

    async def ended(self, call_id: str, seconds: float = WAIT) -> CallRecord:
        """The record of a call that has ended."""
        return await self.record(call_id, lambda r: r.ended_at is not None, seconds)

    async def ami_event(
        self, wanted: Callable[[dict[str, str]], bool], seconds: float = WAIT
    ) -> dict[str, str]:
        """The first AMI event the tests' own session saw that is ``wanted``."""
        async with asyncio.timeout(seconds):
            while True:
                found = next((e for e in self.ami_events if wanted(e)), None)
                if found is not None:
                    return found
                await asyncio.sleep(0.02)

    @property
    def settings(self) -> Settings:
        return self.container.settings

    async def folio_read(self, folio: str) -> list[str]:
        """The files the IVR plays to read ``folio`` aloud, digit by digit, by name."""
        paths = await self.container.asterisk.front.audio.paths_for(Digits(folio))
        return [path.rsplit("/", 1)[1] for path in paths]

    async def variable(self, channel: str, name: str) -> str:
        """A channel variable's value, as Asterisk holds it now."""
        answer = await self.ami.send("Getvar", Channel=channel, Variable=name)
        assert answer.success, answer.message
        return answer.headers.get("Value", "")

    async def stored_states(
        self, agent: str, done: Callable[[list[AgentStateChange]], bool], seconds: float = WAIT
    ) -> list[AgentStateChange]:
        """An agent's stored state changes, in order, once ``done`` holds for them."""
        query = select(AgentStateChange).where(AgentStateChange.agent == agent)
        async with asyncio.timeout(seconds):
            while True:
                with session_scope(self.container.engine, readonly=True) as session:
                    states = list(session.exec(query.order_by(col(AgentStateChange.seq))))
                if done(states):
                    return states
                await asyncio.sleep(0.05)

    async def hang_up_all(self) -> None:
        """Put down every citizen's phone still off the hook (a test's leftovers must not wait
        in the queue for the next test's member)."""
        for citizen in self.citizens.values():
            if not citizen.hung_up.is_set():
                await self.ami.send("Hangup", Channel=citizen.call_id, Cause="16")

    def member(self, name: str) -> str:
        """A queue member's interface: a Local channel that answers at once."""
        return f"Local/{name}@{AGENTS_CONTEXT}"


def write_prompts(settings: Settings) -> None:
    """The static prompts as short silences (the dynamic ones, folio digits among them, are
    synthesised during the calls by espeak-ng, as in production)."""
    for name in spoken_templates(PromptBook()):
        write_silence(Path(settings.asterisk.prompts_dir) / f"{name}.wav", 0.2)


@contextlib.asynccontextmanager
async def switchboard(
    server: RealAsterisk,
    *,
    recognizer: UtteranceEngine | None = None,
    ami_port: int | None = None,
) -> AsyncIterator[Switchboard]:
    """Build the container on ``server``'s settings (SQLite in its data folder), start the
    telephony and worker roles, and log the tests' own AMI session in. The FastAGI front has
    no speech engine (as with the default ``speech_engine``) unless ``recognizer`` is given;
    ``ami_port`` points the bridge elsewhere (a proxy)."""
    if not Synthesizer().available():
        pytest.skip("espeak-ng and sox are not installed (the IVR's spoken prompts)")
    settings = server.settings()
    if ami_port is not None:
        settings.asterisk.servers[0].port = ami_port
    write_prompts(settings)
    with mock.patch.dict(os.environ, server.env):
        container = await build_container(settings)
    if recognizer is not None:
        part, keys_only = container.asterisk, container.asterisk.front
        part.front = AgiFront(
            flow=keys_only.flow,
            audio=keys_only.audio,
            options=keys_only.options,
            recognizer=recognizer,
            pool=part.pool,
        )
    runtime = Runtime(container, roles={TELEPHONY, WORKER})
    journal = Journal()
    following = asyncio.create_task(journal.follow(container))
    board = Switchboard(server=server, container=container, journal=journal)
    await runtime.start()
    try:
        link = container.asterisk.bridge.links["real"]
        await asyncio.wait_for(link.connected.wait(), WAIT)
        await board.log_in()
        yield board
        await board.hang_up_all()
    finally:
        board.ami.close()
        await runtime.stop()
        following.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await following
        await container.close()
