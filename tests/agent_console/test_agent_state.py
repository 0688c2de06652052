"""The agent's console on Asterisk: queue actions through the command path to the scripted AMI
peer, and the state shown only as the PBX reports it."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from models.config import Settings
from models.users import Role
from suac.roles import WEB
from suac.web import create_app
from tests.agent_console.console_support import add_staff, post_form, sign_in
from tests.asterisk.fake_ami import FakeAmi
from tests.asterisk.threaded_ami import AmiThread, ami_in_thread

PHONE = "PJSIP/1001"


def actions(ami: AmiThread, name: str) -> list[dict[str, str]]:
    """The actions called ``name`` the peer received."""
    return [a for a in list(ami.peer.received) if a.get("Action") == name]


def asterisk_settings(data_dir: Path, ami: AmiThread, **extra: Any) -> Settings:
    """Embedded defaults with one AMI server: the scripted peer."""
    server = {"name": "locatel", "port": ami.peer.port, "username": "suac"}
    return Settings(
        data_dir=data_dir,
        asterisk={
            "servers": [{**server, "secret": ami.peer.secret}],
            "agi_port": 0,
            "speech": "dtmf",
            "prompts_dir": str(data_dir / "voz"),
            "recordings_dir": str(data_dir / "grabaciones"),
            "action_timeout_seconds": 3,
            "queue_refresh_seconds": 0.3,
        },
        _env_file=None,
        **extra,
    )


def until(check: Callable[[], bool], what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def state_of(page: str) -> tuple[str, str]:
    """The state name and pause reason a console page shows."""
    name = re.search(r'id="estado-nombre">([^<]+)<', page)
    reason = re.search(r'id="estado-motivo">([^<]*)<', page)
    assert name and reason, page
    return name.group(1), reason.group(1)


@pytest.fixture
def ami() -> Iterator[AmiThread]:
    with ami_in_thread() as threaded:
        yield threaded


@pytest.fixture
def client(tmp_path: Path, ami: AmiThread) -> Iterator[TestClient]:
    with TestClient(create_app(asterisk_settings(tmp_path, ami))) as client:
        engine = client.app.state.container.engine  # type: ignore[attr-defined]
        add_staff(engine, "ana", Role.AGENT, phone=PHONE)
        add_staff(engine, "beto", Role.AGENT)
        add_staff(engine, "carla", Role.AGENT, phone="1001")
        yield client


def test_pause_reaches_the_pbx_with_its_reason_and_shows_once_the_pbx_reports_it(
    client: TestClient, ami: AmiThread
) -> None:
    sign_in(client, "ana")
    until(lambda: state_of(client.get("/consola").text)[0] == "Fuera de la cola", "a snapshot")
    page = client.get("/consola").text
    assert '<section id="llamada" aria-live="polite"></section>' in page
    assert 'data-stream="/consola/eventos"' in page
    assert page.index("/static/agent.js") < page.index("/static/call.js")

    entered = post_form(client, "/consola/cola/entrar", {}, follow_redirects=False)
    assert (entered.status_code, entered.headers["location"]) == (303, "/consola?hecho=entrar")
    (added,) = actions(ami, "QueueAdd")
    assert (added["Interface"], added["Queue"], added["MemberName"]) == (
        PHONE,
        "locatel",
        "Ana Pérez",
    )
    until(lambda: state_of(client.get("/consola").text) == ("Disponible", ""), "the member added")

    # the PBX accepts the pause but reports nothing yet: the page keeps what the PBX said
    ami.peer.answers["QueuePause"] = lambda action: [
        FakeAmi.response(action, "Success", "Interface paused successfully")
    ]
    paused = post_form(client, "/consola/cola/pausa", {"motivo": "Comida"})
    assert paused.status_code == 200
    assert "la pausa empieza en cuanto la central la confirme" in paused.text
    (pause,) = actions(ami, "QueuePause")
    assert (pause["Interface"], pause["Paused"], pause["Reason"]) == (PHONE, "true", "Comida")
    time.sleep(0.8)  # refreshes of the queue still list the member unpaused
    assert state_of(client.get("/consola").text) == ("Disponible", "")

    member = ami.peer.members[0]
    member.update(Paused="1", PausedReason="Comida")
    ami.push({"Event": "QueueMemberPause", **member})
    until(
        lambda: state_of(client.get("/consola").text) == ("En pausa", "Motivo: Comida"),
        "the pause reported",
    )

    del ami.peer.answers["QueuePause"]
    back = post_form(client, "/consola/cola/disponible", {}, headers={"accept": "application/json"})
    assert back.json() == {
        "mensaje": "Solicitud enviada: quedará disponible en cuanto la central lo confirme."
    }
    assert actions(ami, "QueuePause")[-1]["Paused"] == "false"
    until(lambda: state_of(client.get("/consola").text) == ("Disponible", ""), "the return")
    post_form(client, "/consola/cola/salir", {})
    assert actions(ami, "QueueRemove")[-1]["Interface"] == PHONE
    until(lambda: state_of(client.get("/consola").text)[0] == "Fuera de la cola", "the removal")


def test_a_refused_or_unanswered_action_says_so_and_changes_nothing(
    client: TestClient, ami: AmiThread, tmp_path: Path
) -> None:
    sign_in(client, "ana")
    refused = post_form(client, "/consola/cola/salir", {})  # not a member: Asterisk refuses
    assert refused.status_code == 502
    assert "La central no lo aceptó: Unable to remove interface: Not there." in refused.text
    assert 'role="alert"' in refused.text

    bad = post_form(client, "/consola/cola/pausa", {"motivo": "Siesta"})
    assert bad.status_code == 422
    assert 'aria-invalid="true" aria-describedby="motivo-error"' in bad.text
    assert "Elija el motivo de la pausa de la lista." in bad.text
    assert actions(ami, "QueuePause") == []
    as_json = post_form(client, "/consola/cola/pausa", {}, headers={"accept": "application/json"})
    assert (as_json.status_code, as_json.json()["campo"]) == (422, "motivo")

    # a web process alone: no telephony process owns the AMI link
    with TestClient(create_app(asterisk_settings(tmp_path, ami), roles={WEB})) as alone:
        sign_in(alone, "ana")
        answer = post_form(alone, "/consola/cola/entrar", {})
        assert answer.status_code == 503
        assert (
            "No se pudo: Ningún proceso de telefonía atiende el servidor Asterisk «locatel»."
            in answer.text
        )
        assert state_of(answer.text) == ("Sin datos de la central", "")
    assert actions(ami, "QueueAdd") == []


def test_an_agent_without_a_usable_phone_is_told_why(client: TestClient) -> None:
    sign_in(client, "beto")
    page = client.get("/consola")
    assert "Su cuenta no tiene un teléfono configurado" in page.text
    assert "data-stream" not in page.text
    assert post_form(client, "/consola/cola/entrar", {}).status_code == 409
    stream = client.get("/consola/eventos", headers={"accept": "text/event-stream"})
    assert stream.status_code == 204
    page = client.get("/consola/eventos", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/consola")
    client.post("/salir", data={"csrftoken": client.cookies.get("csrftoken")})
    sign_in(client, "carla")
    assert "El teléfono de su cuenta («1001») no es una extensión de Asterisk" in (
        client.get("/consola").text
    )


ROUTES = [
    ("GET", "/consola"),
    ("POST", "/consola/cola/entrar"),
    ("POST", "/consola/cola/disponible"),
    ("POST", "/consola/cola/pausa"),
    ("POST", "/consola/cola/salir"),
    ("GET", "/consola/eventos"),
]


def test_only_agents_and_supervisors_reach_the_console(client: TestClient) -> None:
    engine = client.app.state.container.engine  # type: ignore[attr-defined]
    add_staff(engine, "sofia", Role.SUPERVISOR)
    add_staff(engine, "ada", Role.ADMIN)
    add_staff(engine, "tono", Role.AUTHORITY, authority_code="SACMEX")
    client.get("/entrar")
    headers = {"accept": "text/html", "x-csrftoken": client.cookies.get("csrftoken") or ""}

    def answers() -> list[int]:
        return [
            client.request(method, path, headers=headers, follow_redirects=False).status_code
            for method, path in ROUTES
        ]

    assert answers() == [303] * len(ROUTES)  # to /entrar
    for username in ("ada", "tono"):
        sign_in(client, username)
        assert answers() == [403] * len(ROUTES)
        client.post("/salir", headers=headers)
    sign_in(client, "sofia")  # a supervisor without a phone: the page and its explanations
    assert answers() == [200, 409, 409, 422, 409, 303]
