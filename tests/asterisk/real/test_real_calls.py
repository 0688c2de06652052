"""Calls end to end on a real Asterisk 22, keys only (the FastAGI front has no speech engine,
as with the default settings): the rendered configuration, the telephony role of ``suac
asterisk run`` and the worker's call recorder built by the composition root (SQLite), a
simulated citizen who presses keys, queue members and a supervisor on Local channels. Each
call is checked on its stored record and on the events published."""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlmodel import col, select

from ivr.asterisk import constants as names
from ivr.speech.audio import has_speech, read_wav_8k
from models.calls import CallRecord
from models.db import session_scope
from models.events import (
    AgentStateChanged,
    CallAbandoned,
    CallConnected,
    CallHandedOver,
    CallLeftQueue,
    CallQueued,
    RequestRegistered,
    SpyEnded,
)
from models.reference_audio import SPOKEN_REFERENCE, recording_of
from models.requests import Channel, RequestCreate, ServiceRequest

from ..test_fastagi import AUDIO
from .citizen import SUPERVISOR, Citizen
from .real_asterisk import RealAsterisk
from .switchboard import Switchboard, switchboard

pytestmark = pytest.mark.asyncio(loop_scope="module")


CALLER = "+525512345678"
MEMBERS = itertools.count(1)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def board(pbx: RealAsterisk) -> AsyncIterator[Switchboard]:
    async with switchboard(pbx) as started:
        yield started


@pytest_asyncio.fixture(autouse=True, loop_scope="module")
async def no_call_left(board: Switchboard) -> AsyncIterator[None]:
    yield
    await board.hang_up_all()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def registered(board: Switchboard) -> ServiceRequest:
    """A request registered on the web, whose status callers ask for."""
    data = RequestCreate(catalogue_code="AGU-001", channel=Channel.WEB, alcaldia="Coyoacán")
    return await board.container.requests.register(data, actor="agente")


@pytest_asyncio.fixture(loop_scope="module")
async def member(board: Switchboard) -> AsyncIterator[str]:
    """A queue member logged in through the command path (a Local channel that answers)."""
    interface = board.member(f"asesor-{next(MEMBERS)}")
    added = await board.container.telephony.add_member(interface, name="Asesora de prueba")
    assert added.ok, added.message
    yield interface
    removed = await board.container.telephony.remove_member(interface)
    assert removed.ok, removed.message


async def test_register_by_keys_and_hear_the_folio(board: Switchboard) -> None:
    citizen = await board.call(
        Citizen(
            [
                ("menu-teclas", "1"),
                ("categoria-teclas", "2"),  # the second most requested: street lighting
                ("alcaldia-teclas", "04#"),
                ("lugar-confirmar", "1"),
                ("referencia-teclas", "#"),  # no reference
            ],
            hang_up_on="plazo-respuesta",  # once the folio is read
        )
    )
    record = await board.ended(citizen.call_id)
    events = board.journal.of_call(citizen.call_id)
    (request,) = [e for e in events if isinstance(e, RequestRegistered)]
    assert (request.catalogue_code, request.alcaldia) == ("ALU-001", "Coyoacán")
    assert (record.status, record.folios, record.caller) == ("ivr", [request.folio], CALLER)
    assert record.answered_at is None and record.handoff is None and record.queue is None
    assert record.recording == f"{board.settings.asterisk.recordings_dir}/{citizen.call_id}.wav"
    digits = await board.folio_read(request.folio)  # in the project's voice, digit by digit
    assert citizen.heard_after("folio-registrado")[: len(digits)] == digits


async def test_a_reference_said_on_a_keys_only_call_is_kept_as_audio(board: Switchboard) -> None:
    citizen = await board.call(
        Citizen(
            [
                ("menu-teclas", "1"),
                ("categoria-teclas", "5"),  # a pothole
                ("alcaldia-teclas", "09960"),
                ("lugar-confirmar", "1"),
                ("referencia-teclas", AUDIO / "bache"),  # said, recorded, not transcribed
            ],
            hang_up_on="plazo-respuesta",
        )
    )
    await board.ended(citizen.call_id)
    (registered,) = [
        e for e in board.journal.of_call(citizen.call_id) if isinstance(e, RequestRegistered)
    ]
    with session_scope(board.container.engine, readonly=True) as session:
        request = session.exec(
            select(ServiceRequest).where(col(ServiceRequest.folio) == registered.folio)
        ).one()
        assert request.id is not None
        kept = recording_of(session, request.id)
    assert request.reference == SPOKEN_REFERENCE
    assert kept is not None and kept.audio is not None and kept.seconds >= 1
    assert has_speech(read_wav_8k(kept.audio))  # the citizen's sentence, as Asterisk recorded it


async def test_hang_up_mid_ivr(board: Switchboard) -> None:
    citizen = await board.call(Citizen([], hang_up_on="menu-teclas"))
    record = await board.ended(citizen.call_id)
    assert (record.status, record.ivr_outcome, record.cause) == (
        "ivr",
        "hung_up",
        "Normal Clearing",
    )
    assert record.queue is None and record.folios == [] and record.duration_seconds is not None
    types = [e.type for e in board.journal.of_call(citizen.call_id)]
    assert types[0] == "call.started" and types[-1] == "call.ended"
    assert "call.handed_over" not in types and "call.queued" not in types


async def test_a_hand_off_carries_the_context_and_a_member_answers(
    board: Switchboard, member: str
) -> None:
    citizen = await board.call(Citizen([("menu-teclas", "0")]))
    record = await board.record(citizen.call_id, lambda r: r.answered_at is not None)
    context = await board.variable(citizen.ivr_channel, names.VAR_CONTEXT)
    reason = await board.variable(citizen.ivr_channel, names.VAR_REASON)
    routing = [
        await board.variable(citizen.ivr_channel, name)
        for name in (names.VAR_CALL_ID, names.VAR_QUEUE, names.VAR_NEXT)
    ]
    await citizen.hang_up()
    record = await board.ended(citizen.call_id)
    assert record.handoff == json.loads(base64.b64decode(context)) and record.handoff is not None
    assert record.handoff["reason"] == reason and record.handoff["caller"] == CALLER
    assert routing == [citizen.call_id, "locatel", names.NEXT_QUEUE]
    assert (record.status, record.ivr_outcome, record.agent) == ("answered", "handed_over", member)
    assert record.queued_at is not None and record.answered_at >= record.queued_at
    assert record.wait_seconds is not None and record.wait_seconds < 5
    assert record.ended_at is not None and record.ended_at >= record.answered_at
    events = board.journal.of_call(citizen.call_id)
    handed = next(e for e in events if isinstance(e, CallHandedOver))
    assert handed.context.model_dump(mode="json") == record.handoff
    assert [e.agent for e in events if isinstance(e, CallConnected)] == [member]


async def test_read_a_status_then_an_agent_told_which_folio(
    board: Switchboard, registered: ServiceRequest, member: str
) -> None:
    citizen = await board.call(
        Citizen(
            [
                ("menu-teclas", "2"),
                ("folio-pida", f"{registered.folio}#"),
                ("estado-situacion", "0"),
            ]
        )
    )
    record = await board.record(citizen.call_id, lambda r: r.answered_at is not None)
    await citizen.hang_up()
    record = await board.ended(citizen.call_id)
    digits = await board.folio_read(registered.folio)
    assert citizen.heard_after("estado-folio")[: len(digits)] == digits
    assert record.folios == []  # a folio asked about is not a folio this call registered
    assert record.handoff is not None and record.handoff["queried_folio"] == registered.folio
    assert record.handoff["folio"] is None
    assert (record.status, record.agent) == ("answered", member)
    assert record.ivr_path[:3] == ["menu", "folio", "status_read"]


async def test_abandon_in_the_queue(board: Switchboard) -> None:
    citizen = await board.call(Citizen([("menu-teclas", "0")]))
    await board.journal.first(lambda e: isinstance(e, CallQueued) and e.call_id == citizen.call_id)
    await citizen.hang_up()
    record = await board.ended(citizen.call_id)
    assert (record.status, record.queue_exit, record.queue) == ("abandoned", "abandoned", "locatel")
    assert record.abandoned_at is not None and record.answered_at is None
    assert record.wait_seconds is not None
    events = board.journal.of_call(citizen.call_id)
    assert [type(e) for e in events if isinstance(e, CallAbandoned | CallLeftQueue)] == [
        CallAbandoned
    ]


async def test_a_redirect_from_the_queue_to_the_status_reading_is_no_abandon(
    board: Switchboard, registered: ServiceRequest
) -> None:
    citizen = await board.call(Citizen([("menu-teclas", "0")], hang_up_on="estado-folio"))
    await board.journal.first(lambda e: isinstance(e, CallQueued) and e.call_id == citizen.call_id)
    sent = await board.container.telephony.read_status(citizen.ivr_channel, folio=registered.folio)
    assert (sent.ok, sent.message) == (True, "Redirect successful")
    record = await board.ended(citizen.call_id)
    assert "estado-folio" in citizen.heard
    assert (record.queue_exit, record.abandoned_at) == ("left", None)
    assert record.status == "unanswered" and record.ivr_path[-1] == "status_read"  # hung up there
    events = board.journal.of_call(citizen.call_id)
    assert not [e for e in events if isinstance(e, CallAbandoned)]
    assert [e.reason for e in events if isinstance(e, CallLeftQueue)] == ["left"]


async def test_pause_unpause_and_spy_through_the_command_path(
    board: Switchboard, member: str
) -> None:
    telephony = board.container.telephony
    citizen = await board.call(Citizen([("menu-teclas", "0")]))
    await board.record(citizen.call_id, lambda r: r.answered_at is not None)
    paused = await telephony.pause(member, reason="Comida")
    assert (paused.ok, paused.message) == (True, "Interface paused successfully")
    back = await telephony.unpause(member, reason="Fin de la comida")
    assert (back.ok, back.message) == (True, "Interface unpaused successfully")
    for mode in ("escuchar", "susurrar", "intervenir"):  # listen, whisper, barge
        spy = f"{names.SPY_CHANNEL_PREFIX}{mode}-{citizen.call_id}"
        supervisor = board.member(SUPERVISOR)
        asked = await telephony.spy(supervisor=supervisor, agent=member, mode=mode, channel_id=spy)
        assert asked.ok, asked.message
        started = await board.ami_event(
            lambda e, spy=spy: e.get("Event") == "ChanSpyStart" and e.get("SpyerUniqueid") == spy
        )
        assert started["SpyeeChannel"].startswith(f"{member}-")
        ended = await telephony.hangup(spy)
        assert ended.ok, ended.message
        await board.journal.first(
            lambda e, spy=spy: isinstance(e, SpyEnded) and e.channel_id == spy
        )
    await citizen.hang_up()
    record = await board.ended(citizen.call_id)
    assert (record.status, record.agent) == ("answered", member)
    states = await board.stored_states(member, lambda s: len(s) > 2 and s[-1].state == "available")
    stored = [(s.state, s.reason) for s in states]  # unpaused while still on the call
    assert ("paused", "Comida") in stored
    assert stored[stored.index(("paused", "Comida")) + 1] == ("in_use", "")
    published = [e for e in board.journal.events if isinstance(e, AgentStateChanged)]
    assert ("paused", "Comida") in {(e.state, e.reason) for e in published if e.agent == member}
    with session_scope(board.container.engine, readonly=True) as session:
        spied = select(CallRecord).where(col(CallRecord.call_id).startswith("suac-escucha"))
        assert session.exec(spied).all() == []  # the spy legs are no citizens' calls
        linked = select(CallRecord).where(col(CallRecord.started_at) >= record.started_at)
        assert [r.call_id for r in session.exec(linked)] == [citizen.call_id]
