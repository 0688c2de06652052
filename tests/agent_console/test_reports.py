"""The contact centre's call report over HTTP: the page's and the CSV's figures are the
historical report's (and the hand-computed ones) for stored calls, per queue and per 15
minutes, hour or day; bad periods and intervals explained next to their fields (422); who
may see it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from models.config import Settings
from models.metrics import Interval, MetricsReport, Tally, historical_report, rules_of
from models.users import Role
from suac.web import create_app
from tests.agent_console.console_support import add_staff, sign_in
from tests.agent_console.reports_support import (
    ANA,
    BETO,
    csv_tables,
    page_table,
    store_calls,
)
from tests.models.metrics_support import local

PAGE = "/supervision/reportes"
DAY = {"desde": "2026-03-02", "hasta": "2026-03-02"}
HEADS = [
    "Ofrecidas",
    "Atendidas",
    "Atendidas ≤ 20 s",
    "Abandonadas",
    "Abandonos cortos (< 5 s)",
    "Tiempo agotado",
    "Cola sin agentes",
    "Salida por tecla",
    "Otras salidas",
    "En espera",
    "Nivel de servicio (%)",
    "Abandono (%)",
    "ASA (s)",
    "AHT (s)",
]


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, roles={"web"})) as test_client:
        engine = test_client.app.state.container.engine
        add_staff(engine, "sara", Role.SUPERVISOR)
        add_staff(engine, "admin", Role.ADMIN)
        add_staff(engine, "ana", Role.AGENT, phone=ANA)
        add_staff(engine, "beto", Role.AGENT, phone=BETO)
        add_staff(engine, "luz", Role.AUTHORITY, authority_code="SACMEX")
        store_calls(engine)
        yield test_client


def report_of(client: TestClient, first: int, last: int) -> MetricsReport:
    """The domain's report of local days ``first``–``last`` of March 2026."""
    container = client.app.state.container
    rules = rules_of(container.settings)
    return historical_report(container.engine, local(first, 0), local(last + 1, 0), rules)


def shown(tally: Tally) -> list[str]:
    """How the page writes a tally: counts, percentages and seconds to one decimal."""

    def one(value: float | None, scale: float = 1) -> str:
        return "—" if value is None else f"{value * scale:.1f}"

    counts = (tally.offered, tally.answered, tally.answered_within, tally.abandoned)
    exits = (tally.short_abandoned, tally.timeouts, tally.empty_exits, tally.key_exits)
    rest = (tally.left + tally.unanswered, tally.waiting)
    return [str(n) for n in (*counts, *exits, *rest)] + [
        one(tally.service_level, 100),
        one(tally.abandon_rate, 100),
        one(tally.asa),
        one(tally.aht),
    ]


def words(text: str) -> list[str]:
    """The figures of a row, written with spaces."""
    return text.split()


def test_the_days_figures_per_queue_are_the_reports_and_the_hand_computed_ones(
    client: TestClient,
) -> None:
    sign_in(client, "sara")
    page = client.get(PAGE, params={**DAY, "intervalo": "hora"})
    assert page.status_code == 200
    by_queue = page_table(page.text, "cola")
    report = report_of(client, 2, 2)
    expected = {name: shown(tally) for name, tally in report.queues().items()}
    assert by_queue == {**expected, "Todas las colas": shown(report.overall())}
    assert by_queue["locatel"] == words("7 3 2 2 1 1 0 1 0 0 50.0 16.7 14.0 146.7")
    assert by_queue["quejas"] == words("4 2 2 1 0 0 1 0 0 0 100.0 25.0 4.5 60.0")
    assert by_queue["Todas las colas"] == words("11 5 4 3 1 1 1 1 0 0 66.7 20.0 10.2 112.0")
    assert "Nivel de servicio</strong> = atendidas en 20 s o menos" in page.text
    query = "desde=2026-03-02&amp;hasta=2026-03-02&amp;intervalo=hora&amp;cola=quejas"
    assert f'<a href="{PAGE}?{query}">quejas</a>' in page.text


@pytest.mark.parametrize(
    ("intervalo", "interval", "rows", "first"),
    [
        ("15min", Interval.QUARTER, 96, "2026-03-02 00:00"),
        ("hora", Interval.HOUR, 24, "2026-03-02 00:00"),
        ("dia", Interval.DAY, 1, "2026-03-02"),
    ],
)
def test_each_interval_lists_every_interval_of_the_day_with_the_reports_figures(
    client: TestClient, intervalo: str, interval: Interval, rows: int, first: str
) -> None:
    sign_in(client, "sara")
    page = client.get(PAGE, params={**DAY, "intervalo": intervalo})
    table = page_table(page.text, "intervalo")
    report = report_of(client, 2, 2)
    fmt = "%Y-%m-%d" if interval is Interval.DAY else "%Y-%m-%d %H:%M"
    with_calls = {at.strftime(fmt): shown(t) for at, t in report.intervals(interval).items()}
    empty = shown(Tally())
    assert len(table) == rows + 1 and next(iter(table)) == first
    assert table["Total"] == shown(report.overall())
    assert {label: cells for label, cells in table.items() if cells != empty} == {
        **with_calls,
        "Total": shown(report.overall()),
    }


def test_hours_of_one_queue_and_days_of_two(client: TestClient) -> None:
    sign_in(client, "admin")
    page = client.get(PAGE, params={**DAY, "intervalo": "hora", "cola": "locatel"})
    table = page_table(page.text, "intervalo")
    offered = {label[-5:]: int(cells[0]) for label, cells in table.items() if cells[0] != "0"}
    assert offered == {"09:00": 3, "10:00": 3, "11:00": 1, "Total": 7}
    assert "Por intervalo · locatel" in page.text
    two_days = {"desde": "2026-03-02", "hasta": "2026-03-03", "intervalo": "dia"}
    days = page_table(client.get(PAGE, params=two_days).text, "intervalo")
    assert [(label, cells[0]) for label, cells in days.items()] == [
        ("2026-03-02", "11"),
        ("2026-03-03", "1"),
        ("Total", "12"),
    ]


def test_the_csv_holds_the_pages_figures(client: TestClient) -> None:
    sign_in(client, "sara")
    params = {**DAY, "intervalo": "15min", "cola": "quejas"}
    page = client.get(PAGE, params=params).text
    export = client.get(f"{PAGE}.csv", params=params)
    assert export.status_code == 200
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        "reporte-llamadas_2026-03-02_2026-03-02_15min_quejas.csv"
        in (export.headers["content-disposition"])
    )
    assert b"\r\n" in export.content
    header, tables = csv_tables(export.content)
    assert header == ["Tabla", "Fila", *HEADS]
    dash = {"": "—"}  # the page shows a figure with no base as a dash; the CSV leaves it empty
    for name, title in (("cola", "Por cola"), ("intervalo", "Por intervalo · quejas")):
        as_csv = {k: [dash.get(v, v) for v in row] for k, row in tables[title].items()}
        assert as_csv == page_table(page, name)
    assert tables["Por intervalo · quejas"]["2026-03-02 11:15"][:4] == ["1", "0", "0", "1"]
    assert len(tables["Por intervalo · quejas"]) == 97


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"desde": "", "hasta": "2026-03-02"}, "desde", "Escriba la fecha inicial."),
        ({"desde": "2026-02-30", "hasta": "2026-03-02"}, "desde", "La fecha inicial no es válida"),
        ({"desde": "2026-03-05", "hasta": "2026-03-02"}, "hasta", "La fecha final es anterior"),
        ({"desde": "2026-01-01", "hasta": "2026-04-30"}, "hasta", "El periodo no puede pasar"),
        ({**DAY, "intervalo": "semana"}, "intervalo", "Elija un intervalo de la lista"),
        (
            {"desde": "2026-03-01", "hasta": "2026-03-08", "intervalo": "15min"},
            "intervalo",
            "Con intervalos de 15 minutos el periodo no puede pasar de 7 días",
        ),
        (
            {"desde": "2026-03-01", "hasta": "2026-04-01", "intervalo": "hora"},
            "intervalo",
            "Con intervalos de hora el periodo no puede pasar de 31 días",
        ),
    ],
)
def test_a_bad_request_is_explained_next_to_its_field(
    client: TestClient, params: dict[str, str], field: str, message: str
) -> None:
    sign_in(client, "sara")
    for address in (PAGE, f"{PAGE}.csv"):
        page = client.get(address, params=params)
        assert page.status_code == 422
        assert page.headers["content-type"].startswith("text/html")
        assert f'aria-invalid="true" aria-describedby="error-{field}"' in page.text
        assert f'<p class="field-error" id="error-{field}">{message}' in page.text
        assert 'section data-table="cola"' not in page.text


def test_the_longest_periods_are_accepted(client: TestClient) -> None:
    sign_in(client, "sara")
    for params in (
        {"desde": "2026-03-01", "hasta": "2026-03-07", "intervalo": "15min"},
        {"desde": "2026-03-01", "hasta": "2026-03-31", "intervalo": "hora"},
        {"desde": "2026-01-01", "hasta": "2026-04-02", "intervalo": "dia"},
    ):
        assert client.get(PAGE, params=params).status_code == 200, params


def test_without_dates_the_report_is_todays_by_hour(client: TestClient) -> None:
    sign_in(client, "sara")
    page = client.get(PAGE)
    assert page.status_code == 200
    table = page_table(page.text, "intervalo")
    assert len(table) == 25 and list(table)[0].endswith("00:00")
    assert '<option value="hora" selected>' in page.text


@pytest.mark.parametrize(
    ("who", "status"), [("ana", 403), ("luz", 403), ("sara", 200), ("admin", 200)]
)
def test_only_supervisors_and_administrators_see_reports(
    client: TestClient, who: str, status: int
) -> None:
    sign_in(client, who)
    for address in (PAGE, f"{PAGE}.csv", f"{PAGE}/agentes", f"{PAGE}/agentes.csv"):
        assert client.get(address, params=DAY).status_code == status, address
    nav = client.get("/consola/folio").text
    assert ('href="/supervision/reportes"' in nav) is (status == 200)


def test_no_session_is_sent_to_sign_in(client: TestClient) -> None:
    headers = {"accept": "text/html"}
    page = client.get(PAGE, params=DAY, headers=headers, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/entrar?siguiente=")


def test_the_charts_read_the_intervals_figures(client: TestClient) -> None:
    sign_in(client, "sara")
    page = client.get(PAGE, params={**DAY, "intervalo": "hora"}).text
    assert page.count('<svg class="chart"') == 3
    assert "09:00: Ofrecidas 4, Atendidas 3, Abandonadas 1" in page
    assert "08:00: Ofrecidas 0, Atendidas 0, Abandonadas 0" in page
    assert "09:00: Nivel de servicio 67 %; 10:00: Nivel de servicio 50 %" in page
    assert "08:00: Nivel de servicio sin dato" in page  # no call: no rate, a gap in the line
    assert "09:00: ASA (s) 15; 10:00: ASA (s) 5" in page
    quarters = client.get(PAGE, params={**DAY, "intervalo": "15min", "cola": "quejas"}).text
    assert "11:15: Ofrecidas 1, Atendidas 0, Abandonadas 1" in quarters
