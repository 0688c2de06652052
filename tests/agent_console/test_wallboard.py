"""The supervisors' wallboard: today's figures and the agents from the bus's events of both
fronts, rebuilt from storage by a restarted process, the stream's updates, the definitions
page and who may see them."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from agent_console.wallboard import Board
from agent_console.wallboard_stream import MIN_INTERVAL, Wallboard
from models.config import MetricsSettings, Settings
from models.db_types import utcnow
from models.events import BaseEvent, CallConnected
from models.metrics import Interval, LiveMetrics, rules_of
from models.metrics.live_feed import LiveFeed
from models.metrics.restore import stored_since
from models.users import Role
from suac.web import create_app
from tests.agent_console.console_support import add_staff, sign_in
from tests.agent_console.wallboard_support import ANA, BETO, DIEGO, QUEUE, floor, wrapped_up


def until(check: Callable[[], object], what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.02)


def morning(settings: Settings) -> datetime:
    """A start for the scenario inside today (local), its events all past."""
    now = utcnow()
    day = Interval.DAY.start_of(rules_of(settings).quarter_of(now))
    return max(now - timedelta(seconds=150), day)


def publish(client: TestClient, events: list[BaseEvent]) -> None:
    bus = client.app.state.container.bus  # type: ignore[attr-defined]
    for event in sorted(events, key=lambda e: e.occurred_at):
        client.portal.call(bus.publish, event)  # type: ignore[union-attr]


def feed(client: TestClient) -> LiveFeed:
    return client.app.state.live_figures  # type: ignore[attr-defined,no-any-return]


def board(client: TestClient) -> Board:
    return client.portal.call(Wallboard.of(client.app).board)  # type: ignore[arg-type,union-attr]


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        engine = test_client.app.state.container.engine
        add_staff(engine, "ana", Role.AGENT, phone=ANA)
        add_staff(engine, "beto", Role.AGENT, phone=BETO)
        add_staff(engine, "diego", Role.AGENT, phone=DIEGO)
        add_staff(engine, "carla", Role.AGENT, phone="PJSIP/1003")  # never in the queue
        add_staff(engine, "sara", Role.SUPERVISOR)
        yield test_client


def check_morning(seen: Board) -> None:
    """The figures of ``floor`` (hand-computed in its docstring)."""
    total = seen.overall.tally
    assert (total.offered, total.answered, total.abandoned) == (6, 2, 2)
    assert (total.short_abandoned, total.timeouts, seen.overall.waiting) == (1, 1, 1)
    assert total.service_level == pytest.approx(1 / 3)
    assert (total.asa, total.aht, total.abandon_rate) == (21.0, 70.0, 0.2)
    assert [q.name for q in seen.queues] == [QUEUE]
    states = {a.phone: (a.name, a.state, a.reason) for a in seen.agents}
    assert states == {
        ANA: ("Ana Pérez", "wrapup", ""),  # available to the PBX, the wrap-up still to come
        BETO: ("Beto Pérez", "available", ""),
        DIEGO: ("Diego Pérez", "paused", "Comida"),
        "PJSIP/1003": ("Carla Pérez", "logged_out", ""),
    }
    columns = seen.overall.agents
    assert (columns["wrapup"], columns["available"], columns["paused"]) == (1, 1, 1)
    assert columns["logged_out"] == 1
    handled = {a.phone: (a.today.handled, a.today.aht) for a in seen.agents}
    assert handled[ANA] == (1, 60.0) and handled[BETO] == (1, 80.0)


def test_both_fronts_figures_on_the_page_and_after_a_restart(
    client: TestClient, settings: Settings
) -> None:
    start = morning(settings)
    publish(client, floor(start))
    until(lambda: board(client).overall.tally.offered == 6 and feed(client).live.wrapping_up(), "6")
    until(lambda: board(client).overall.agents["paused"] == 1, "Diego's pause")
    check_morning(board(client))

    assert sign_in(client, "sara").status_code == 303
    page = client.get("/supervision/tablero").text
    for shown in ("Ana Pérez", "En cierre", "Comida", "Carla Pérez", "33 %", "1:10", "0:21"):
        assert shown in page
    assert page.count('action="/supervision/escucha"') == 3  # Asterisk agents only
    assert 'name="modo" value="susurrar"' in page and 'name="agente" value="PJSIP/1001"' in page
    assert "El frente Twilio no permite escuchar todavía." in page
    assert page.count('<svg class="chart"') == 3

    engine = client.app.state.container.engine  # type: ignore[attr-defined]
    rules = rules_of(settings)

    def stored() -> bool:  # the recorder (worker role) has written what the bus carried
        live = LiveMetrics(rules)
        records, agents = stored_since(engine, start - timedelta(hours=1))
        for record in records:
            live.restore(record)
        for change in agents:
            live.apply(change)
        now = utcnow()
        mine = feed(client).live
        return (
            live.report(now).overall() == mine.report(now).overall()
            and live.agent_states() == mine.agent_states()
            and live.wrapping_up() == mine.wrapping_up()
        )

    until(stored, "the call records stored")
    client.__exit__(None, None, None)

    with TestClient(create_app(settings)) as again:
        check_morning(board(again))
        publish(again, [wrapped_up("A1", ANA, utcnow(), 30)])
        publish(again, [CallConnected(call_id="W", queue=QUEUE, agent=DIEGO, wait_seconds=50)])
        until(lambda: board(again).overall.waiting == 0, "W answered")
        until(lambda: not feed(again).live.wrapping_up(), "A1 wrapped up")
        after = board(again)
        assert (after.overall.tally.answered, after.overall.tally.aht) == (3, 85.0)
        assert {a.phone: a.state for a in after.agents}[ANA] == "available"


def test_the_stream_sends_the_figures_at_once_then_on_each_change_a_few_times_a_second(
    client: TestClient, settings: Settings
) -> None:
    wallboard = Wallboard.of(client.app)  # type: ignore[arg-type]
    bus = client.app.state.container.bus  # type: ignore[attr-defined]
    events = floor(morning(settings))

    async def watch() -> list[tuple[float, dict[str, Any]]]:
        stream = wallboard.messages(may_spy=True)
        received: list[tuple[float, dict[str, Any]]] = []
        try:
            first = await anext(stream)
            assert first["event"] == "tablero"
            received.append((time.monotonic(), json.loads(first["data"])))
            for event in sorted(events, key=lambda e: e.occurred_at):
                await bus.publish(event)
            while received[-1][1]["totals"]["offered"] < 6:
                message = await asyncio.wait_for(anext(stream), 5)
                received.append((time.monotonic(), json.loads(message["data"])))
        finally:
            await stream.aclose()
        return received

    received = client.portal.call(watch)
    assert received[0][1]["totals"] == {"offered": 0, "answered": 0, "abandoned": 0, "waiting": 0}
    last = received[-1][1]
    assert last["totals"] == {"offered": 6, "answered": 2, "abandoned": 2, "waiting": 1}
    assert set(last["sections"]) == {"colas", "agentes", "graficas"}
    assert "Ana Pérez" in last["sections"]["agentes"] and "<svg" in last["sections"]["graficas"]
    assert 'name="csrftoken" value=""' in last["sections"]["agentes"]  # the page puts its own
    gaps = [b[0] - a[0] for a, b in zip(received, received[1:], strict=False)]
    assert len(events) > 20 and len(received) < len(events)  # changes are gathered
    assert all(gap >= MIN_INTERVAL * 0.9 for gap in gaps)


def test_a_page_load_of_the_stream_goes_to_the_board(client: TestClient) -> None:
    sign_in(client, "sara")
    answer = client.get("/supervision/tablero/eventos", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/supervision/tablero")


def test_only_supervisors_and_administrators(client: TestClient) -> None:
    engine = client.app.state.container.engine  # type: ignore[attr-defined]
    add_staff(engine, "admin", Role.ADMIN)
    visitor = client.get("/supervision/tablero", headers={"accept": "text/html"})
    assert visitor.url.path == "/entrar"
    sign_in(client, "ana")
    for path in ("/supervision/tablero", "/supervision/ayuda"):
        refused = client.get(path)
        assert refused.status_code == 403 and "no tiene permiso" in refused.text
    sign_in(client, "admin")
    page = client.get("/supervision/tablero").text
    assert "Tablero en vivo" in page and "/supervision/escucha" not in page  # they may not
    assert "Solo los supervisores escuchan llamadas." in page


@pytest.fixture
def strict_settings(settings: Settings) -> Settings:
    metrics = MetricsSettings(service_level_seconds=30, short_abandon_seconds=8, wallboard_hours=6)
    return settings.model_copy(update={"metrics": metrics})


def test_the_definitions_state_the_formulas_with_this_services_thresholds(
    strict_settings: Settings,
) -> None:
    with TestClient(create_app(strict_settings)) as client:
        add_staff(client.app.state.container.engine, "sara", Role.SUPERVISOR)  # type: ignore[attr-defined]
        sign_in(client, "sara")
        page = client.get("/supervision/ayuda").text
    for said in (
        "T = 30 s",
        "menos de 8 s",
        "7.9 s es corto, 8 s no",
        "atendidas en T ÷ (atendidas + abandonadas después de T − abandonos cortos)",
        "exactamente a los 30 s está dentro",
        "(abandonadas − cortas) ÷ (ofrecidas − cortas)",
        "espera total de las atendidas ÷ atendidas",
        "(conversación + espera en línea + cierre) ÷ llamadas terminadas",
        "tiempo en llamadas y cierre ÷ (tiempo en sesión − tiempo en pausa)",
        "intervalo de 15 minutos",
        "las últimas 6 h",
        "tiempo máximo de espera agotado, la cola sin agentes, la salida con una tecla",
    ):
        assert said in page, said
