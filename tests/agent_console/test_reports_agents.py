"""The agent report over HTTP: each agent (by staff name) with logged-in and paused time by
reason, handled calls, AHT, missed rings and occupancy, as the historical report and the
hand-computed figures have them; one agent per interval; the same figures in the CSV."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from models.config import Settings
from models.metrics import AgentTally, Interval, historical_report, rules_of
from models.users import Role
from suac.web import create_app
from tests.agent_console.console_support import add_staff, sign_in
from tests.agent_console.reports_support import (
    ANA,
    BETO,
    NOBODY,
    csv_tables,
    page_table,
    store_calls,
)
from tests.models.metrics_support import local

PAGE = "/supervision/reportes/agentes"
DAY = {"desde": "2026-03-02", "hasta": "2026-03-02"}
REASONS = ["Descanso", "Capacitación", "Trabajo administrativo", "Comida"]  # the settings'
HEADS = [
    "Conectado (h:mm:ss)",
    "En pausa (h:mm:ss)",
    *(f"Pausa: {reason}" for reason in REASONS),
    "Atendidas",
    "AHT (s)",
    "Timbres perdidos",
    "Ocupación (%)",
]


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, roles={"web"})) as test_client:
        engine = test_client.app.state.container.engine
        add_staff(engine, "sara", Role.SUPERVISOR)
        add_staff(engine, "ana", Role.AGENT, phone=ANA)
        add_staff(engine, "beto", Role.AGENT, phone=BETO)
        store_calls(engine)
        sign_in(test_client, "sara")
        yield test_client


def hms(millis: int) -> str:
    seconds = millis // 1000
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def shown(tally: AgentTally) -> list[str]:
    """How the page writes an agent's figures."""

    def one(value: float | None, scale: float = 1) -> str:
        return "—" if value is None else f"{value * scale:.1f}"

    paused = [hms(tally.paused_ms.get(reason, 0)) for reason in REASONS]
    return [hms(tally.logged_in_ms), hms(tally.paused_total_ms), *paused] + [
        str(tally.handled),
        one(tally.aht),
        str(tally.missed_rings),
        one(tally.occupancy, 100),
    ]


def test_each_agent_by_name_with_the_reports_and_the_hand_computed_figures(
    client: TestClient,
) -> None:
    page = client.get(PAGE, params=DAY)
    assert page.status_code == 200
    table = page_table(page.text, "agente")
    container = client.app.state.container
    rules = rules_of(container.settings)
    report = historical_report(container.engine, local(2, 0), local(3, 0), rules)
    names = {ANA: "Ana Pérez · PJSIP/1001", BETO: "Beto Pérez · PJSIP/1002", NOBODY: NOBODY}
    assert table == {names[phone]: shown(t) for phone, t in report.agent_totals().items()}
    # logged in, paused, Descanso, Capacitación, Trabajo adm., Comida, handled, AHT, missed, occ.
    ana = "3:00:00 0:40:00 0:10:00 0:00:00 0:00:00 0:30:00 2 100.0 0 2.4"
    assert table[names[ANA]] == ana.split()
    beto = "2:30:00 0:00:00 0:00:00 0:00:00 0:00:00 0:00:00 2 165.0 1 3.7"
    assert table[names[BETO]] == beto.split()
    assert table[NOBODY][-4:] == ["1", "30.0", "0", "—"]  # no session: no occupancy
    assert "Elija un agente" in page.text and 't-intervalo"' not in page.text


def test_one_agent_per_hour_and_the_csv(client: TestClient) -> None:
    params = {**DAY, "intervalo": "hora", "agente": ANA}
    page = client.get(PAGE, params=params)
    hours = page_table(page.text, "intervalo")
    assert "Por intervalo · Ana Pérez · PJSIP/1001" in page.text
    assert len(hours) == 25
    busy = {label[-5:]: cells[:2] + cells[-4:-2] for label, cells in hours.items()}
    assert busy["09:00"] == ["1:00:00", "0:00:00", "2", "100.0"]
    assert busy["10:00"] == ["1:00:00", "0:30:00", "0", "—"]
    assert busy["11:00"] == ["1:00:00", "0:10:00", "0", "—"]
    assert busy["12:00"] == ["0:00:00", "0:00:00", "0", "—"]
    container = client.app.state.container
    rules = rules_of(container.settings)
    report = historical_report(container.engine, local(2, 0), local(3, 0), rules)
    by_hour = report.agent_intervals(Interval.HOUR, ANA)
    assert by_hour
    for at, tally in by_hour.items():
        assert hours[at.strftime("%Y-%m-%d %H:%M")] == shown(tally)
    assert hours["Total"] == shown(report.agent_totals()[ANA])

    export = client.get(f"{PAGE}.csv", params=params)
    assert export.status_code == 200
    assert (
        "reporte-agentes_2026-03-02_2026-03-02_hora_PJSIP-1001.csv"
        in (export.headers["content-disposition"])
    )
    header, tables = csv_tables(export.content)
    assert header == ["Tabla", "Fila", *HEADS]
    dash = {"": "—"}
    one = "Por intervalo · Ana Pérez · PJSIP/1001"
    for name, title in (("agente", "Por agente"), ("intervalo", one)):
        as_csv = {k: [dash.get(v, v) for v in row] for k, row in tables[title].items()}
        assert as_csv == page_table(page.text, name)


def test_the_agents_choice_lists_staff_with_a_phone_and_agents_of_the_period(
    client: TestClient,
) -> None:
    page = client.get(PAGE, params={"desde": "2026-03-03", "hasta": "2026-03-03"})
    assert '<option value="PJSIP/1002">Beto Pérez · PJSIP/1002</option>' in page.text
    assert '<option value="PJSIP/1009">' not in page.text  # no account, no call that day
    assert list(page_table(page.text, "agente")) == ["Ana Pérez · PJSIP/1001"]
    link = "desde=2026-03-03&amp;hasta=2026-03-03&amp;intervalo=hora&amp;agente=PJSIP/1001"
    assert f'<a href="{PAGE}?{link}">Ana Pérez · PJSIP/1001</a>' in page.text


def test_a_bad_period_is_explained_next_to_its_field(client: TestClient) -> None:
    for address in (PAGE, f"{PAGE}.csv"):
        page = client.get(address, params={"desde": "2026-03-09", "hasta": "2026-03-02"})
        assert page.status_code == 422
        assert 'aria-invalid="true" aria-describedby="error-hasta"' in page.text
        assert "La fecha final es anterior a la inicial." in page.text
        assert '<option value="PJSIP/1001">Ana Pérez · PJSIP/1001</option>' in page.text
