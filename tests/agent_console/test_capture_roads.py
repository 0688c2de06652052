"""The road class of a request typed by an agent or sent by a citizen from the web: a pothole
on a primary road goes to the primary-road authority, on another street to the alcaldía."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from suac.web import create_app
from tests.agent_console import test_capture as capture
from tests.agent_console import test_citizen_report as web
from tests.agent_console.test_capture import (  # noqa: F401  (an agent's console)
    capture_settings,
    client,
)

CASES = [
    ({"calle": "Av. Insurgentes Sur 1500"}, "SOBSE", "primaria"),
    ({"calle": "", "referencia": "sobre el Eje Central, frente al mercado"}, "SOBSE", "primaria"),
    ({"calle": "Orizaba 10"}, "ALC-CUH", "secundaria"),
    ({"calle": "", "referencia": "frente al mercado"}, "ALC-CUH", None),
]


@pytest.mark.parametrize(("place", "authority", "road_class"), CASES)
def test_an_agents_capture_takes_the_road_class_of_the_street(
    client: TestClient,  # noqa: F811
    place: dict[str, str],
    authority: str,
    road_class: str | None,
) -> None:
    folio = capture.register(client, capture.valid(client, **place))
    request = capture.stored(client, folio)
    assert (request.authority_code, request.road_class) == (authority, road_class)


def test_a_citizens_web_report_on_a_primary_road(tmp_path: Path) -> None:
    with TestClient(create_app(web.settings_for(tmp_path), roles={"web"})) as browser:
        sent = web.report(browser, calle="Calzada de Tlalpan 1200")
        assert sent.status_code == 303, sent.text
        (request,) = web.requests_in(browser)
    assert (request.authority_code, request.road_class) == ("SOBSE", "primaria")
