"""A reference the caller recorded, on the folio's page: heard by those who see the exact
address (each play logged, never cached), refused to other roles and hidden from other
authorities, typed by an agent or supervisor into the request (its history kept)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from models.access_log import PersonalDataView
from models.config import Settings
from models.db import session_scope
from models.reference_audio import SPOKEN_REFERENCE, SpokenReference, recording_of
from models.requests import Channel, RequestCreate, RequestHistory, ServiceRequest
from models.users import Role
from suac.web import create_app
from tests.agent_console.console_support import add_staff, post_form, sign_in

ANA = "agent:ana"  # how the agent signs the history
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(28)
TWILIO_URL = (
    "https://api.twilio.com/2010-04-01/Accounts/AC" + "1" * 32 + "/Recordings/RE" + "2" * 32
)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        engine = test_client.app.state.container.engine  # type: ignore[attr-defined]
        add_staff(engine, "ana", Role.AGENT)
        add_staff(engine, "sara", Role.SUPERVISOR)
        add_staff(engine, "rita", Role.ADMIN)
        add_staff(engine, "eva", Role.AUTHORITY, authority_code="ALC-CUH")
        add_staff(engine, "saul", Role.AUTHORITY, authority_code="SACMEX")
        yield test_client


def register(client: TestClient, spoken: SpokenReference) -> str:
    """A pothole in Cuauhtémoc, called in with its reference recorded; its folio."""
    container = client.app.state.container  # type: ignore[attr-defined]
    data = RequestCreate(
        catalogue_code="VIA-001",
        channel=Channel.TWILIO_CALL,
        alcaldia="Cuauhtémoc",
        reference=SPOKEN_REFERENCE,
        citizen_phone="+525512345678",
    )
    registered = client.portal.call(  # type: ignore[union-attr]
        lambda: container.requests.register(data, actor="ivr:twilio", spoken_reference=spoken)
    )
    return str(registered.folio)


@pytest.fixture
def folio(client: TestClient) -> str:
    return register(client, SpokenReference(seconds=6.0, wav=WAV))


def plays(client: TestClient) -> list[tuple[str, str | None, str]]:
    engine = client.app.state.container.engine  # type: ignore[attr-defined]
    with session_scope(engine, readonly=True) as session:
        rows = session.exec(select(PersonalDataView).order_by(PersonalDataView.id))
        return [(v.username, v.folio, v.page) for v in rows if v.page.endswith(".wav")]


@pytest.mark.parametrize("who", ["ana", "sara", "eva"])
def test_those_who_see_the_address_hear_the_recording_and_each_play_is_logged(
    client: TestClient, folio: str, who: str
) -> None:
    sign_in(client, who)
    page = client.get("/consola/folio", params={"folio": folio}).text
    audio = f'<audio controls preload="none" src="/consola/folio/{folio}/referencia.wav">'
    assert "Referencia grabada" in page and audio in page
    assert ("Transcribir referencia" in page) is (who != "eva")  # authorities listen only
    for _ in range(2):
        heard = client.get(f"/consola/folio/{folio}/referencia.wav")
        assert heard.status_code == 200 and heard.content == WAV
        assert heard.headers["content-type"] == "audio/wav"
        assert heard.headers["cache-control"] == "no-store"
    page_of_play = f"/consola/folio/{folio}/referencia.wav"
    assert plays(client) == [(who, folio, page_of_play)] * 2


def test_another_authority_finds_no_recording_and_other_roles_are_refused(
    client: TestClient, folio: str
) -> None:
    sign_in(client, "saul")
    assert client.get(f"/consola/folio/{folio}/referencia.wav").status_code == 404
    sign_in(client, "rita")
    assert client.get(f"/consola/folio/{folio}/referencia.wav").status_code == 403
    assert "Referencia grabada" not in client.get("/consola/folio", params={"folio": folio}).text
    assert plays(client) == []


def test_nobody_signed_in_hears_it(client: TestClient, folio: str) -> None:
    api = client.get(f"/consola/folio/{folio}/referencia.wav", headers={"Accept": "audio/*"})
    assert api.status_code == 401 and api.content != WAV
    browser = client.get(
        f"/consola/folio/{folio}/referencia.wav",
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert browser.status_code in {302, 303} and "/entrar" in browser.headers["location"]
    assert plays(client) == []


def test_a_recording_still_on_twilio_or_gone_is_said_so(client: TestClient) -> None:
    downloading = register(client, SpokenReference(seconds=6.0, source_url=TWILIO_URL))
    sign_in(client, "ana")
    page = client.get("/consola/folio", params={"folio": downloading}).text
    assert "La grabación aún se está descargando" in page and "<audio" not in page
    assert client.get(f"/consola/folio/{downloading}/referencia.wav").status_code == 404
    assert plays(client) == []


def test_an_agent_types_the_reference_into_the_request(client: TestClient, folio: str) -> None:
    sign_in(client, "ana")
    url = f"/consola/folio/{folio}/referencia"
    refused = post_form(client, url, {"referencia": " a "}, follow_redirects=False)
    assert refused.status_code == 422 and "de 3 a 500 caracteres" in refused.text
    typed = "Calle Orizaba 10, frente a la panadería"
    saved = post_form(client, url, {"referencia": typed}, follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/consola/folio?folio={folio}#referencia-grabada"
    page = client.get(saved.headers["location"]).text
    assert "Transcrita por agent:ana" in page and typed in page
    engine = client.app.state.container.engine  # type: ignore[attr-defined]
    with session_scope(engine, readonly=True) as session:
        request = session.exec(select(ServiceRequest).where(ServiceRequest.folio == folio)).one()
        assert request.reference == typed and request.id is not None
        recording = recording_of(session, request.id)
        assert recording is not None and recording.transcribed_by == "agent:ana"
        assert recording.transcribed_at is not None and recording.audio == WAV
        (line,) = session.exec(
            select(RequestHistory).where(
                RequestHistory.request_id == request.id, RequestHistory.field == "reference"
            )
        )
        assert (line.actor, line.from_value, line.to_value) == (
            "agent:ana",
            SPOKEN_REFERENCE,
            typed,
        )


def test_only_agents_and_supervisors_type_it_and_only_with_the_form_token(
    client: TestClient, folio: str
) -> None:
    url = f"/consola/folio/{folio}/referencia"
    sign_in(client, "eva")
    assert post_form(client, url, {"referencia": "calle Orizaba"}).status_code == 403
    sign_in(client, "ana")
    forged = client.post(url, data={"referencia": "calle Orizaba"}, follow_redirects=False)
    assert forged.status_code == 403 and "El formulario caducó" in forged.text
    engine = client.app.state.container.engine  # type: ignore[attr-defined]
    with session_scope(engine, readonly=True) as session:
        request = session.exec(select(ServiceRequest).where(ServiceRequest.folio == folio)).one()
        assert request.reference == SPOKEN_REFERENCE
