"""The public board (``/tablero``, its stream and ``/api/public/tablero``): the latest requests
by alcaldía, category and status, live from the bus, with the maps by alcaldía and by rounded
zone; cacheable; and never a citizen's name, phone, e-mail, address, description or answer."""

from __future__ import annotations

import asyncio
import doctest
import json
from collections.abc import Awaitable, Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import agent_console.board_map
import agent_console.board_stream
from agent_console.board_stream import LiveRows, board_messages
from models.config import Settings
from models.folio import format_folio
from models.public_board import BoardFilter
from suac.web import create_app
from tests.agent_console.board_support import (
    NEAR,
    answer_async,
    assert_nothing_personal,
    register_async,
)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path, _env_file=None)
    with TestClient(create_app(settings, roles={"web"})) as test_client:
        yield test_client


def register(client: TestClient, **place: Any) -> str:
    return str(client.portal.call(partial(register_async, client.app, **place)))


def seed(client: TestClient) -> dict[str, str]:
    folios = {
        "luz": register(client),
        "bache": register(
            client, catalogue_code="VIA-001", alcaldia="Coyoacán", colonia="Del Carmen"
        ),
        "atendida": register(client),
    }
    client.portal.call(answer_async, client.app, folios["atendida"])
    for latitude, longitude in NEAR:
        register(client, latitude=latitude, longitude=longitude)
    register(client, latitude=19.3501, longitude=-99.1623, alcaldia="Coyoacán")  # alone
    return folios


def test_the_page_lists_the_latest_requests_by_filter_cacheable(client: TestClient) -> None:
    folios = seed(client)
    page = client.get("/tablero")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "public, max-age=15"
    assert 'data-stream="/tablero/eventos"' in page.text and 'aria-current="page"' in page.text
    for folio in folios.values():
        assert format_folio(folio) in page.text
    assert "Bache en calle" in page.text and "Del Carmen" in page.text and "Atendida" in page.text
    assert_nothing_personal(page.text)

    coyoacan = client.get("/tablero", params={"alcaldia": "Coyoacán"}).text
    assert format_folio(folios["bache"]) in coyoacan and format_folio(folios["luz"]) not in coyoacan
    assert 'data-stream="/tablero/eventos?alcaldia=Coyoac%C3%A1n"' in coyoacan
    answered = client.get("/tablero", params={"estado": "answered"}).text
    assert format_folio(folios["atendida"]) in answered
    assert format_folio(folios["luz"]) not in answered
    bache = client.get("/tablero", params={"categoria": "VIA-001", "alcaldia": "Tlalpan"}).text
    assert "No hay solicitudes con estos filtros." in bache
    assert '<option value="VIA-001" selected>' in bache

    unknown = client.get("/tablero", params={"alcaldia": "Gotham"})
    assert unknown.status_code == 422 and "Esa alcaldía no existe" in unknown.text
    assert "data-stream" not in unknown.text
    long = client.get("/tablero", params={"categoria": "x" * 500})
    assert long.status_code == 422 and "Esa categoría no existe" in long.text


def test_the_maps_count_by_alcaldia_and_show_only_zones_of_three(client: TestClient) -> None:
    seed(client)
    page = client.get("/tablero").text
    assert "Tlalpan: 5 solicitudes; " in page and "Coyoacán: 2 solicitudes; " in page
    assert "1 zona de un kilómetro con 3 solicitudes o más" in page and "19.29, -99.17" in page
    assert page.count('class="map-q') == 16 + 1  # the tiles and the one zone
    assert '<td>19.29</td><td>-99.17</td><td class="num">3</td>' in page
    assert_nothing_personal(page)


def test_the_json_has_the_same_rows_and_aggregates(client: TestClient) -> None:
    folios = seed(client)
    answer = client.get("/api/public/tablero", params={"alcaldia": "Tlalpan"})
    assert answer.headers["cache-control"] == "public, max-age=15"
    data = answer.json()
    assert_nothing_personal(answer.text)
    assert set(data["rows"][0]) == {
        "folio",
        "folio_display",
        "catalogue_code",
        "category_name",
        "alcaldia",
        "colonia",
        "status",
        "status_label",
        "received_at",
    }
    assert folios["bache"] not in {row["folio"] for row in data["rows"]}
    assert len(data["rows"]) == 5 and data["alcaldias"] == {"Tlalpan": 5}
    assert data["cells"] == [{"latitude": 19.29, "longitude": -99.17, "count": 3}]
    assert (data["cell_degrees"], data["cell_minimum"]) == (0.01, 3)
    refused = client.get("/api/public/tablero", params={"estado": "perdida"})
    assert refused.status_code == 422 and refused.json()["error_id"] == "unknown-board-filter"


def test_each_filters_page_and_json_are_built_once_per_cache_period(client: TestClient) -> None:
    page, data = client.get("/tablero").text, client.get("/api/public/tablero").json()
    folio = register(client)
    assert client.get("/tablero").text == page  # the kept bytes
    assert client.get("/api/public/tablero").json() == data
    client.app.state.public_cache.clear()  # type: ignore[attr-defined]
    assert format_folio(folio) in client.get("/tablero").text
    assert client.get("/api/public/tablero").json()["rows"][0]["folio"] == folio


def test_a_page_load_of_the_stream_goes_to_the_board(client: TestClient) -> None:
    answer = client.get("/tablero/eventos", params={"estado": "closed"}, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/tablero?estado=closed")


Messages = list[tuple[str, dict[str, Any]]]


async def listen(
    app: FastAPI, filters: list[BoardFilter], action: Callable[[], Awaitable[object]], count: int
) -> list[Messages]:
    """What each filter's stream sent while ``action`` ran (until ``count`` in all)."""
    hub, received = app.state.live, [[] for _ in filters]  # type: ignore[var-annotated]

    async def read(board_filter: BoardFilter, into: Messages) -> None:
        async for message in board_messages(hub, board_filter, rows=LiveRows.of(app)):
            into.append((message["event"], json.loads(message["data"])))

    readers = [
        asyncio.create_task(read(f, into)) for f, into in zip(filters, received, strict=True)
    ]
    try:
        async with asyncio.timeout(5):
            while hub.listeners < len(filters):
                await asyncio.sleep(0.01)
            await action()
            while sum(map(len, received)) < count:
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # nothing more arrives
    finally:
        for reader in readers:
            reader.cancel()
    return received


def test_the_stream_sends_new_and_changed_rows_by_filter(client: TestClient) -> None:
    app = client.app
    assigned = BoardFilter(alcaldia="Tlalpan", status="assigned")
    filters = [BoardFilter(), assigned, BoardFilter(alcaldia="Coyoacán")]
    folio = ""

    async def registration() -> None:
        nonlocal folio
        folio = await register_async(app)

    every, tlalpan, coyoacan = client.portal.call(listen, app, filters, registration, 2)
    assert [name for name, _data in every] == ["fila"] and coyoacan == []
    assert tlalpan == every
    data = every[0][1]
    assert data["folio"] == folio and set(data) == {"folio", "received", "html"}
    html = data["html"]
    assert html.startswith(f'<tr data-folio="{folio}"') and format_folio(folio) in html
    assert "Luminaria apagada" in html and "Toriello Guerra" in html and "Turnada" in html
    assert "hace un momento" in html
    assert_nothing_personal(json.dumps(every, ensure_ascii=False))

    answered = partial(answer_async, app, folio)
    every, tlalpan, coyoacan = client.portal.call(listen, app, filters, answered, 2)
    assert [name for name, _data in every] == ["fila"] and "Atendida" in every[0][1]["html"]
    assert tlalpan == [("quitar", {"folio": folio})] and coyoacan == []
    assert_nothing_personal(json.dumps(every, ensure_ascii=False))


@pytest.mark.parametrize("module", [agent_console.board_map, agent_console.board_stream])
def test_docstring_examples(module: object) -> None:
    results = doctest.testmod(module)  # type: ignore[arg-type]
    assert results.attempted > 0 and results.failed == 0
