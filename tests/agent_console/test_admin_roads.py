"""The administrators' list of primary roads: add with aliases, change aliases, remove; each
change announced to running processes, whose IVR directory then recognises the new list."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from ivr.flow import Directory
from models.config import Settings
from models.db import session_scope
from models.outbox import OutboxEvent
from models.primary_roads import PrimaryRoad
from models.users import Role
from suac.web import create_app
from tests.agent_console.console_support import add_staff, post_form, sign_in

NEW = {"nombre": "Avenida  Gran Canal", "alias": "Gran Canal; Avenida Gran Canal;; Gran Canal"}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        add_staff(test_client.app.state.container.engine, "rita", Role.ADMIN)
        assert sign_in(test_client, "rita").status_code == 303
        yield test_client


def roads(client: TestClient) -> dict[str, list[str]]:
    with session_scope(client.app.state.container.engine) as session:
        return {road.name: road.aliases for road in session.exec(select(PrimaryRoad))}


def announced(client: TestClient) -> int:
    with session_scope(client.app.state.container.engine) as session:
        rows = session.exec(select(OutboxEvent)).all()
        return sum('"what":"primary_roads"' in row.payload for row in rows)


def test_the_shipped_list_is_shown(client: TestClient) -> None:
    page = client.get("/admin/vias")
    assert page.status_code == 200 and "Vías primarias" in page.text
    assert "Anillo Periférico" in page.text and "Eje 5 Norte" in page.text
    assert 'name="csrftoken"' in page.text and page.headers["cache-control"]


async def test_add_change_and_remove_a_road(client: TestClient) -> None:
    running = client.app.state.container.ivr.directory  # reloaded by the event, not restarted
    assert (await running.primary_roads()).find("bache en el gran canal") is None
    done = post_form(client, "/admin/vias", NEW, follow_redirects=False)
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert "Vía «Avenida Gran Canal» agregada" in page.text
    assert roads(client)["Avenida Gran Canal"] == ["Gran Canal", "Avenida Gran Canal"]
    directory = Directory(engine=client.app.state.container.engine)
    found = (await directory.primary_roads()).find("bache en el gran canal")
    assert found is not None and found.name == "Avenida Gran Canal"
    for _ in range(100):
        if (await running.primary_roads()).find("bache en el gran canal"):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the running IVR never reloaded the primary roads")

    again = post_form(client, "/admin/vias", NEW)
    assert again.status_code == 422 and "ya está en la lista" in again.text

    changed = {"nombre": "Avenida Gran Canal", "alias": "Canal"}
    assert post_form(client, "/admin/vias/alias", changed).status_code == 200
    assert roads(client)["Avenida Gran Canal"] == ["Canal"]

    gone = post_form(client, "/admin/vias/quitar", {"nombre": "Avenida Gran Canal"})
    assert gone.status_code == 200 and "quitada de la lista" in gone.text
    assert "Avenida Gran Canal" not in roads(client)
    await directory.refresh()
    assert (await directory.primary_roads()).find("bache en el gran canal") is None
    assert announced(client) == 3  # one reload per change


def test_refusals_write_nothing(client: TestClient) -> None:
    before = roads(client)
    empty = post_form(client, "/admin/vias", {"nombre": "  ", "alias": "x"})
    assert empty.status_code == 422 and "nombre oficial" in empty.text
    missing = post_form(client, "/admin/vias/quitar", {"nombre": "Calle Inventada"})
    assert missing.status_code == 422 and "no está en la lista" in missing.text
    forged = client.post("/admin/vias/quitar", data={"nombre": "Anillo Periférico"})
    assert forged.status_code == 403
    assert roads(client) == before and announced(client) == 0
