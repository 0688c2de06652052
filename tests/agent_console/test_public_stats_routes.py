"""The public statistics over HTTP, with no sign-in: the hand-counted December of
``public_stats_support`` on the page, the same figures in the CSV and the JSON (and in
``statistics_rows``), the ranking's stated minimum, every figure linked to its definition,
bad periods explained, cacheable answers, and no personal data anywhere."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from models.config import Settings
from models.db_types import utcnow
from models.notifier import Notifier
from models.public_stats import COLUMNS, statistics_rows
from models.request_service import RequestService
from suac.web import create_app
from tests.models.public_stats_support import (
    ANSWER,
    DECEMBER,
    NOW,
    PERSONAL,
    Clock,
    local,
    register,
    seed_december,
)

PERIOD = {"desde": "2026-12-01", "hasta": "2026-12-31"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path, _env_file=None, public={"ranking_min_requests": 4, "cache_seconds": 60}
    )
    with TestClient(create_app(settings, roles={"web"})) as test_client:
        yield test_client


@pytest.fixture
def timed(client: TestClient) -> tuple[RequestService, Clock]:
    """A request service of the app's database and calendar, on a clock of our own."""
    container, clock = client.app.state.container, Clock(NOW)
    notifier = Notifier(engine=container.engine, bus=container.bus)
    service = RequestService(
        engine=container.engine, calendar=container.calendar, notifier=notifier, clock=clock
    )
    return service, clock


@pytest.fixture
def december(client: TestClient, timed: tuple[RequestService, Clock]) -> dict[str, str]:
    return client.portal.call(seed_december, *timed)


def number(text: str | None) -> object:
    """A figure as read on any of the three: '' and '—' are none, '33.3 %' is 33.3."""
    text = (text or "").replace("%", "").strip()
    if text in ("", "—"):
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


FIGURES = ("recibidas", "respondidas", "respondidas_en_plazo", "porcentaje_en_plazo")
FIGURES += ("abiertas", "vencidas", "mediana_dias_habiles")


def page_rows(html: str) -> dict[tuple[str, str], dict[str, object]]:
    """The figures of each row of the page's tables, by scope and key."""
    rows = {}
    for scope, key, cells in re.findall(
        r'<tr data-ambito="(\w+)" data-clave="([^"]*)">(.*?)</tr>', html, re.S
    ):
        found = dict(re.findall(r'data-columna="(\w+)">([^<]*)</td>', cells))
        rows[(scope, key)] = {name: number(found[name]) for name in FIGURES}
    return rows


def figures_of(row: dict[str, object]) -> dict[str, object]:
    return {name: number(str(row[name]) if row[name] is not None else None) for name in FIGURES}


def test_page_shows_the_hand_counted_figures(client: TestClient, december: dict) -> None:
    page = client.get("/estadisticas", params=PERIOD)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "public, max-age=60"
    rows = page_rows(page.text)
    # (open and overdue depend on today: tests/models/test_public_stats.py fixes the clock)
    assert rows[("autoridad", "SACMEX")] | {"vencidas": None} == {
        "recibidas": 3,
        "respondidas": 2,
        "respondidas_en_plazo": 1,
        "porcentaje_en_plazo": 33.3,
        "abiertas": 1,
        "vencidas": None,
        "mediana_dias_habiles": 5.5,
    }
    tlalpan = rows[("autoridad", "ALC-TLP")]
    assert (tlalpan["respondidas_en_plazo"], tlalpan["mediana_dias_habiles"]) == (2, 5)
    assert rows[("alcaldia", "Tlalpan")]["recibidas"] == 5
    assert rows[("total", "")]["recibidas"] == 7
    # the ranking states its minimum and leaves SACMEX (3 requests) out
    assert "al menos <strong>4 solicitudes</strong>" in page.text
    ranking = page.text.split('<table class="figures ranking">')[1].split("</table>")[0]
    assert "Alcaldía Tlalpan" in ranking and "Sistema de Aguas" not in ranking
    assert page.text.count('<svg class="chart"') == 2


def test_every_figure_links_to_its_definition(client: TestClient, december: dict) -> None:
    page = client.get("/estadisticas", params=PERIOD).text
    definitions = client.get("/estadisticas/definiciones")
    assert definitions.status_code == 200
    anchors = set(re.findall(r'id="([\w-]+)"', definitions.text))
    linked = set(re.findall(r'href="/estadisticas/definiciones#([\w-]+)"', page))
    assert {"recibidas", "respondidas", "en-plazo", "abiertas", "vencidas", "mediana"} <= linked
    assert linked <= anchors
    for head in re.findall(r"<thead>(.*?)</thead>", page, re.S):
        for cell in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S):
            assert "/estadisticas/definiciones#" in cell, cell
    for caption in re.findall(r"<figcaption>(.*?)</figcaption>", page, re.S):
        assert "/estadisticas/definiciones#" in caption
    # the calendars behind the deadline: SACMEX works the City's last days of December
    assert "Sistema de Aguas de la Ciudad de México" in definitions.text
    assert "28/12/2026" in definitions.text and "al menos <strong>4</strong>" in definitions.text


def test_downloads_hold_the_page_figures(client: TestClient, december: dict) -> None:
    page = page_rows(client.get("/estadisticas", params=PERIOD).text)
    answer = client.get("/estadisticas.json", params=PERIOD)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=60"
    data = answer.json()
    table = client.get("/estadisticas.csv", params=PERIOD)
    assert table.headers["content-type"].startswith("text/csv")
    assert "estadisticas-2026-12-01_2026-12-31.csv" in table.headers["content-disposition"]
    lines = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))

    assert tuple(lines[0]) == COLUMNS
    assert [{k: number(v) for k, v in line.items()} for line in lines] == [
        {k: number(None if v is None else str(v)) for k, v in row.items()} for row in data["filas"]
    ]
    assert {(r["ambito"], r["clave"] or ""): figures_of(r) for r in data["filas"]} == page
    # the open data's rows are the same, computed at the same moment
    container = client.app.state.container
    again = statistics_rows(
        container.engine,
        start=DECEMBER.first,
        end=DECEMBER.last,
        calendar=container.calendar,
        now=datetime.fromisoformat(data["generado_en"]),
    )
    assert again == data["filas"][:-1]
    assert data["filas"][-1]["ambito"] == "total"
    assert data["minimo_para_ranking"] == 4
    assert [(r["lugar"], r["clave"]) for r in data["ranking"]] == [(1, "ALC-TLP")]
    assert data["ranking"][0]["porcentaje_en_plazo"] == 50.0
    assert [c["clave"] for c in data["categorias_principales"]] == ["VIA-001", "AGU-001"]


def test_no_personal_data_in_any_output(client: TestClient, december: dict) -> None:
    for path in ("/estadisticas", "/estadisticas.csv", "/estadisticas.json"):
        text = client.get(path, params=PERIOD).content.decode("utf-8-sig")
        assert "Coyoacán" in text or "Coyoac\\u00e1n" in text
        for value in [*PERSONAL.values(), ANSWER, PERSONAL["citizen_phone"][-4:]]:
            assert value not in text, (path, value)


def test_bad_periods_are_explained(client: TestClient) -> None:
    reversed_ = {"desde": "2026-12-31", "hasta": "2026-12-01"}
    page = client.get("/estadisticas", params=reversed_)
    assert page.status_code == 422
    assert "La fecha final es anterior a la inicial." in page.text
    assert 'aria-invalid="true"' in page.text
    too_long = client.get(
        "/estadisticas.json", params={"desde": "2025-01-01", "hasta": "2026-12-31"}
    )
    assert too_long.status_code == 422
    assert too_long.json() == {"errores": {"hasta": "El periodo no puede pasar de 366 días."}}
    bad = client.get("/estadisticas.csv", params={"desde": "ayer", "hasta": "2026-12-01"})
    assert bad.status_code == 422
    assert "AAAA-MM-DD" in bad.json()["errores"]["desde"]


def test_the_last_30_days_by_default(client: TestClient) -> None:
    today = utcnow().astimezone(client.app.state.container.calendar.zone).date()
    page = client.get("/estadisticas")
    assert page.status_code == 200
    first = (today - timedelta(days=29)).isoformat()
    assert f'name="desde" type="date" value="{first}"' in page.text
    assert f'href="/estadisticas?desde={first}&amp;hasta={today.isoformat()}"' in page.text
    assert "No se recibieron solicitudes en este periodo." in page.text


def test_a_period_is_computed_once_per_cache_lifetime(
    client: TestClient, december: dict, timed: tuple[RequestService, Clock]
) -> None:
    before = client.get("/estadisticas.json", params=PERIOD).json()["filas"][-1]["recibidas"]
    service, clock = timed
    clock.now = local(2026, 12, 18, 12)
    client.portal.call(register, service, "VIA-001", "Tlalpan")
    cached = client.get("/estadisticas.json", params=PERIOD).json()["filas"][-1]["recibidas"]
    client.app.state.public_cache.clear()
    fresh = client.get("/estadisticas.json", params=PERIOD).json()["filas"][-1]["recibidas"]
    assert (before, cached, fresh) == (7, 7, 8)
