"""Today's abandoned callers from the call records, and the claim of a call-back attempt."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from ivr.phones import to_e164
from models.abandoned import AbandonedCaller, abandoned_callers
from models.callback_attempts import (
    RINGING,
    AttemptResult,
    CallbackAttempt,
    CallbackBusy,
    claim_attempt,
    finish_attempt,
)
from models.db import make_engine, session_scope, upgrade
from models.db_types import utcnow
from models.ivr_sessions import CallbackRequest
from tests.agent_console.abandoned_support import (
    abandoned,
    answered,
    booked_callback,
    record,
    timed_out,
)

NUMBER = "+525512345678"


def listed(engine: Engine, hours: float = 3) -> list[AbandonedCaller]:
    with session_scope(engine, readonly=True) as session:
        since = utcnow() - timedelta(hours=hours)
        return abandoned_callers(session, since=since, normalise=to_e164)


def test_only_abandoned_calls_with_a_number_since_the_start_are_listed(engine: Engine) -> None:
    record(
        engine,
        abandoned("c1", NUMBER, wait=95),
        abandoned("c2", "", wait=30),  # a withheld number cannot be called back
        timed_out("c3", "+525598765432"),  # the queue gave up: not an abandon
        answered("c4", "+525511112222"),
        abandoned("c5", "+525533334444", start=utcnow() - timedelta(hours=5)),  # before since
    )
    (caller,) = listed(engine)
    assert caller.number == NUMBER and [c.call_id for c in caller.calls] == ["c1"]
    assert caller.latest.wait_seconds == 95 and caller.latest.transport == "asterisk"
    assert caller.at == caller.latest.abandoned_at
    assert not caller.callback_requested and caller.attempts == []


def test_one_entry_per_number_however_it_was_written(engine: Engine) -> None:
    start = utcnow() - timedelta(minutes=40)
    record(
        engine,
        abandoned("c1", "55 1234 5678", start=start),
        abandoned("c2", NUMBER, start=start + timedelta(minutes=20), wait=12),
        abandoned("c3", "+525599990000", start=start + timedelta(minutes=5)),
    )
    first, second = listed(engine)
    assert [first.number, second.number] == ["+525599990000", NUMBER], "longest waiting first"
    assert [c.call_id for c in second.calls] == ["c1", "c2"]
    assert second.latest.call_id == "c2" and second.latest.wait_seconds == 12


def test_a_caller_who_got_through_later_leaves_the_list(engine: Engine) -> None:
    start = utcnow() - timedelta(minutes=30)
    record(
        engine,
        answered("before", "5512345678", start=start - timedelta(minutes=10)),
        abandoned("c1", NUMBER, start=start),
    )
    assert [c.number for c in listed(engine)] == [NUMBER], "an answer before does not count"
    record(engine, answered("again", "5512345678", start=start + timedelta(minutes=5)))
    assert listed(engine) == []


def test_an_answered_call_back_takes_the_number_off(engine: Engine) -> None:
    start = utcnow() - timedelta(minutes=30)
    record(engine, abandoned("c1", NUMBER, start=start))
    record(engine, answered("CA1", "+525556581111", called="5512345678"))
    assert listed(engine) == []


def test_a_call_back_booked_in_the_ivr_is_listed_and_marked(engine: Engine) -> None:
    record(engine, booked_callback("CA9", NUMBER))
    with session_scope(engine) as session:
        session.add(CallbackRequest(call_id="CA9", phone=NUMBER, queue="locatel"))
    (caller,) = listed(engine)
    assert caller.callback_requested and caller.latest.call_id == "CA9"
    assert not caller.being_called(utcnow())
    with session_scope(engine) as session:
        row = session.exec(select(CallbackRequest)).one()
        row.status = "placing"  # the IVR's dispatcher took it
        session.add(row)
    (caller,) = listed(engine)
    assert caller.automatic_callback is not None and caller.being_called(utcnow())


def _claim(engine: Engine, agent: str = "ana", **extra: object) -> CallbackAttempt:
    with session_scope(engine) as session:
        return claim_attempt(
            session, number=NUMBER, call_id="c1", transport="asterisk", agent=agent, **extra
        )


def _finish(engine: Engine, attempt: CallbackAttempt, *, placed: bool) -> None:
    assert attempt.id is not None
    with session_scope(engine) as session:
        finish_attempt(session, attempt.id, placed=placed, error="" if placed else "sin línea")


def test_a_number_is_called_once_at_a_time(engine: Engine) -> None:
    first = _claim(engine)
    with pytest.raises(CallbackBusy, match="ana ya está llamando a este número"):
        _claim(engine, agent="beto")
    _finish(engine, first, placed=False)
    second = _claim(engine, agent="beto")
    assert second.seq == 2, "a failed attempt frees the number"
    _finish(engine, second, placed=True)
    with pytest.raises(CallbackBusy, match="beto acaba de llamar"):
        _claim(engine)
    third = _claim(engine, now=utcnow() + RINGING)
    assert third.seq == 3, "once the ringing is over, another try"
    record(engine, abandoned("c1", NUMBER))
    (caller,) = listed(engine)
    results = [(a.agent, a.result, a.error) for a in caller.attempts]
    assert results == [
        ("ana", AttemptResult.FAILED, "sin línea"),
        ("beto", AttemptResult.PLACED, ""),
        ("ana", AttemptResult.PLACING, ""),
    ]


@pytest.mark.postgres
def test_two_processes_claiming_at_once_make_one_attempt(postgres_url: str) -> None:
    """Both read that nobody is calling; the numbered attempt lets only one in."""
    engine = make_engine(postgres_url)
    upgrade(engine)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def click(agent: str) -> None:
        try:
            with session_scope(engine) as session:
                barrier.wait(5)
                claim_attempt(
                    session, number=NUMBER, call_id="c1", transport="asterisk", agent=agent
                )
            outcomes.append("claimed")
        except CallbackBusy:
            outcomes.append("busy")

    threads = [threading.Thread(target=click, args=(name,)) for name in ("ana", "beto")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(outcomes) == ["busy", "claimed"]
    with session_scope(engine) as session:
        assert len(session.exec(select(CallbackAttempt)).all()) == 1
    engine.dispose()
