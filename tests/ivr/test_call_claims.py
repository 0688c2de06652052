"""Claims on a call's turn expire: a worker killed while computing a turn leaves a claim that
a retried webhook takes over after a short lease (served fresh, computed once), ``0`` reaches
an agent whatever the stored claim, and a worker that lost its claim cannot overwrite the
answer served instead. On SQLite, PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from test_twilio_voice import accept, call, registered, settle_place  # noqa: F401  (the call fixture)

from ivr.twilio.call_store import CallStore, Claim, take_turn
from ivr.twilio.redis_store import RedisCallStore
from ivr.twilio.simulator import SimulatedCall, new_call_sid
from models.config import Settings
from models.db import make_engine, upgrade
from models.db_types import utcnow
from models.ivr_sessions import IvrSession

LEASE = 0.5  # seconds; production keeps a few seconds, well under Twilio's 15 s time-out
BACKENDS = [
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("redis", marks=pytest.mark.redis),
]


@pytest.fixture(params=BACKENDS)
def voice_settings(request: pytest.FixtureRequest, voice_settings: Settings) -> Settings:
    """The Twilio test settings with a short claim lease, on each store."""
    ivr = voice_settings.ivr.model_copy(update={"claim_lease_seconds": LEASE})
    settings = voice_settings.model_copy(update={"ivr": ivr})
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        upgrade(make_engine(url))
        settings = settings.model_copy(update={"database_url": url})
    elif request.param == "redis":
        url = request.getfixturevalue("redis_url")
        ivr = ivr.model_copy(update={"state_redis_url": url})
        settings = settings.model_copy(update={"ivr": ivr})
    return settings


def store_of(app) -> CallStore | RedisCallStore:  # noqa: ANN001
    return app.state.container.ivr.voice.store


async def killed_mid_turn(app, phone: SimulatedCall, seq: int) -> None:  # noqa: ANN001
    """What a worker killed while computing turn ``seq + 1`` leaves: a claim, never saved."""
    claim = await store_of(app).claim(phone.call_sid, seq=seq)
    assert claim.state is not None


async def test_a_turn_whose_worker_died_is_served_fresh_after_the_lease(
    twilio_app,  # noqa: ANN001
    call: SimulatedCall,  # noqa: F811
) -> None:
    await call.start()
    await killed_mid_turn(twilio_app, call, seq=1)
    page = await call.press("2")
    assert "tecla de gato" in page.text, page.text  # the answer to "2", not the welcome again
    assert page.action is not None and "seq=2" in page.action
    stored = await store_of(twilio_app).load(call.call_sid)
    assert stored is not None and stored.seq == 2
    page = await call.press("2600000000")
    assert "seq=3" in (page.action or "") or page.end is not None


async def test_zero_reaches_an_agent_while_a_dead_worker_holds_the_turn(
    twilio_app,  # noqa: ANN001
    call: SimulatedCall,  # noqa: F811
) -> None:
    await call.start()
    await call.press("1")
    await killed_mid_turn(twilio_app, call, seq=2)
    page = await call.press("0")
    assert page.end == "enqueue:locatel", page.xml


async def test_retries_after_the_lease_compute_the_turn_once(
    twilio_app,  # noqa: ANN001
    call: SimulatedCall,  # noqa: F811
) -> None:
    await call.start()
    await call.press("1")
    page = await call.say("hay una fuga de agua en la banqueta de mi calle en coyoacán")
    page = await accept(call, page, "Fuga de agua")
    await settle_place(call, page, "04")
    stored = await store_of(twilio_app).load(call.call_sid)
    assert stored is not None and call.last is not None and call.last.action
    await killed_mid_turn(twilio_app, call, seq=stored.seq)
    reference = {"SpeechResult": "avenida Universidad frente al parque"}
    answers = await asyncio.gather(*(call.post(call.last.action, reference) for _ in range(5)))
    assert len({answer.text for answer in answers}) == 1, [a.text for a in answers]
    assert "quedó registrada" in answers[0].text
    assert len(registered(twilio_app, call.call_sid)) == 1


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> tuple[str, str]:
    """Which store, and its server's address (none for SQLite)."""
    if request.param == "sqlite":
        return "sqlite", ""
    return request.param, request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
async def store(backend: tuple[str, str], engine) -> AsyncIterator:  # noqa: ANN001
    """Each call store, with the short lease."""
    kind, url = backend
    lease = timedelta(seconds=LEASE)
    if kind == "redis":
        kept: CallStore | RedisCallStore = RedisCallStore(url=url, lease=lease)
    elif kind == "postgres":
        engine = make_engine(url)
        upgrade(engine)
        kept = CallStore(engine=engine, lease=lease)
    else:
        kept = CallStore(engine=engine, lease=lease)
    yield kept
    await kept.close()
    engine.dispose()


async def test_a_worker_that_lost_its_claim_cannot_overwrite_the_answer(store) -> None:  # noqa: ANN001
    call_id = new_call_sid()
    await store.create(call_id, state="s1", response="r1")
    slow = await store.claim(call_id, seq=1)
    assert slow.state == "s1"
    taken = await store.claim(call_id, seq=1)  # a retry, once the slow worker's lease is over
    assert taken.state == "s1"
    assert await store.save(call_id, seq=1, state="s2", response="r2-retry") == "r2-retry"
    assert await store.save(call_id, seq=1, state="s2-late", response="r2-late") == "r2-retry"
    row = await store.load(call_id)
    assert row is not None and (row.seq, row.state, row.last_response) == (2, "s2", "r2-retry")
    again = await store.claim(call_id, seq=1)  # a late retry of the same turn: its answer
    assert (again.state, again.response) == (None, "r2-retry")
    assert (await store.claim(call_id, seq=2)).state == "s2"  # the next turn is claimed at once


async def test_a_turn_still_held_after_two_leases_gives_neither_state_nor_prompt() -> None:
    """Each look finds the claim renewed (workers taking it over and dying in turn): after two
    leases the webhook gives up with an empty claim, which the voice front sends to an agent."""
    row = IvrSession(call_id="CA1", seq=1, claimed_seq=2, last_response="the previous prompt")

    async def grab() -> None:
        return None

    async def load(_call_id: str) -> IvrSession:
        row.claimed_at = utcnow()
        return row

    assert await take_turn(grab, load, "CA1", 1, timedelta(seconds=LEASE / 5)) == Claim()
