"""Calls and agents' states of 2 and 3 March 2026 (local) for the reports' tests, stored as the
call recorder stores them (``write_events``), and readers of the reports' tables and CSV.

Queue ``locatel``: A answered by Ana in 12 s (talk 120, wrap 20), B answered by Ana in 25 s
(Beto's phone rang first and he missed it), C abandoned after 3 s (short), D abandoned after
40 s, E timed out, F answered by Beto in 5 s (30 s on hold, wrap 10), G left by a key.
Queue ``quejas``: H answered by Beto in 8 s, I left as the queue had no agent, J abandoned
after 10 s, K answered in 1 s by a phone no account has (PJSIP/1009). 3 March: L answered
by Ana. Ana is available from 9:00, on a lunch pause 10:30–11:00 and a break 11:30–11:40,
gone at 12:00; Beto is available 9:30–12:00.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

from sqlalchemy import Engine

from models.call_records import write_events
from models.events import (
    AgentStateChanged,
    BaseEvent,
    CallAbandoned,
    CallAgentRinging,
    CallConnected,
    CallEnded,
    CallHeld,
    CallLeftQueue,
    CallQueued,
    CallStarted,
    CallWrappedUp,
)
from tests.models.metrics_support import at, local

ANA, BETO, NOBODY = "PJSIP/1001", "PJSIP/1002", "PJSIP/1009"


def _queued(call: str, when: datetime, queue: str) -> list[BaseEvent]:
    return [
        at(CallStarted(call_id=call, transport="asterisk", caller="+525512345678"), when),
        at(CallQueued(call_id=call, queue=queue, position=1), when),
    ]


def _answered(
    call: str,
    when: datetime,
    queue: str,
    agent: str,
    wait: float,
    talk: float,
    *,
    wrap: float = 0,
    hold: float = 0,
) -> list[BaseEvent]:
    answer = when + timedelta(seconds=wait)
    end = answer + timedelta(seconds=talk + hold)
    events = [
        *_queued(call, when, queue),
        at(CallConnected(call_id=call, queue=queue, agent=agent, wait_seconds=wait), answer),
    ]
    if hold:
        events.append(at(CallHeld(call_id=call, on_hold=True), answer + timedelta(seconds=1)))
        back = answer + timedelta(seconds=1 + hold)
        events.append(at(CallHeld(call_id=call, on_hold=False), back))
    events.append(at(CallEnded(call_id=call, ended_by="caller"), end))
    if wrap:
        done = CallWrappedUp(call_id=call, agent=agent, disposition="Otro", wrapup_seconds=wrap)
        events.append(at(done, end + timedelta(seconds=wrap)))
    return events


def _abandoned(call: str, when: datetime, queue: str, wait: float) -> list[BaseEvent]:
    gone = when + timedelta(seconds=wait)
    return [
        *_queued(call, when, queue),
        at(CallAbandoned(call_id=call, queue=queue, wait_seconds=wait), gone),
        at(CallEnded(call_id=call), gone),
    ]


def _left(call: str, when: datetime, queue: str, reason: str, wait: float) -> list[BaseEvent]:
    gone = when + timedelta(seconds=wait)
    exit_ = CallLeftQueue(call_id=call, queue=queue, reason=reason, wait_seconds=wait)  # type: ignore[arg-type]
    return [*_queued(call, when, queue), at(exit_, gone), at(CallEnded(call_id=call), gone)]


def _state(agent: str, state: str, when: datetime, reason: str = "") -> BaseEvent:
    change = AgentStateChanged(agent=agent, queue="locatel", state=state, reason=reason)  # type: ignore[arg-type]
    return at(change, when)


def events() -> list[BaseEvent]:
    """The two days' events, in order of the calls."""
    missed = CallAgentRinging(call_id="B", queue="locatel", agent=BETO, answered=False)
    return [
        _state(ANA, "available", local(2, 9)),
        _state(BETO, "available", local(2, 9, 30)),
        _state(ANA, "paused", local(2, 10, 30), "Comida"),
        _state(ANA, "available", local(2, 11)),
        _state(ANA, "paused", local(2, 11, 30), "Descanso"),
        _state(ANA, "available", local(2, 11, 40)),
        _state(ANA, "logged_out", local(2, 12)),
        _state(BETO, "logged_out", local(2, 12)),
        *_answered("A", local(2, 9, 5), "locatel", ANA, 12, 120, wrap=20),
        *_answered("B", local(2, 9, 20), "locatel", ANA, 25, 60),
        at(missed, local(2, 9, 20, 10)),
        *_abandoned("C", local(2, 9, 40), "locatel", 3),
        *_abandoned("D", local(2, 10, 10), "locatel", 40),
        *_left("E", local(2, 10, 15), "locatel", "timeout", 300),
        *_answered("F", local(2, 10, 50), "locatel", BETO, 5, 200, wrap=10, hold=30),
        *_left("G", local(2, 11, 5), "locatel", "key", 15),
        *_answered("H", local(2, 9, 10), "quejas", BETO, 8, 90),
        *_left("I", local(2, 11, 10), "quejas", "empty", 2),
        *_abandoned("J", local(2, 11, 20), "quejas", 10),
        *_answered("K", local(2, 11, 45), "quejas", NOBODY, 1, 30),
        *_answered("L", local(3, 10), "locatel", ANA, 4, 50),
    ]


def store_calls(engine: Engine) -> None:
    """Store the events as the call recorder does."""
    write_events(engine, events())


Table = dict[str, list[str]]  # row label → its figures as shown


def page_table(html: str, name: str) -> Table:
    """The rows (total included) of the page's table ``name`` (``cola``, ``intervalo``…)."""
    section = re.search(rf'<section data-table="{name}">(.*?)</section>', html, re.S)
    assert section, f"no table {name}"
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', section.group(1), re.S)
    return {
        _text(label): [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
        for label, cells in rows
    }


def _text(fragment: str) -> str:
    return re.sub(r"<[^>]+>", "", fragment).replace("&amp;", "&").strip()


def csv_tables(body: bytes) -> tuple[list[str], dict[str, Table]]:
    """The CSV's header and its rows by table title, then row label (a UTF-8 file with BOM)."""
    assert body.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark"
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    tables: dict[str, Table] = {}
    for title, label, *cells in lines[1:]:
        tables.setdefault(title, {})[label] = cells
    return lines[0], tables
