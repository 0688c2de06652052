"""An agent opens a folio whose reference the caller recorded: the browser loads the WAV under
the console's security policy, and the agent types what it says into the request."""

from __future__ import annotations

import io
import wave

from playwright.sync_api import Page, expect

from models.folio import format_folio
from models.reference_audio import SPOKEN_REFERENCE, SpokenReference
from models.requests import Channel, RequestCreate
from models.users import Role
from tests.agent_console.console_support import PASSWORD, add_staff
from tests.browser.conftest import shot
from tests.browser.live_server import LiveServer

TYPED = "Calle Orizaba 10, frente a la panadería"


def two_seconds() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(8000)
        file.writeframes(bytes(2 * 8000 * 2))
    return out.getvalue()


def register(server: LiveServer) -> str:
    async def create() -> str:
        request = await server.container.requests.register(
            RequestCreate(
                catalogue_code="VIA-001",
                channel=Channel.TWILIO_CALL,
                alcaldia="Cuauhtémoc",
                reference=SPOKEN_REFERENCE,
            ),
            actor="ivr:twilio",
            spoken_reference=SpokenReference(seconds=2.0, wav=two_seconds()),
        )
        return request.folio

    return server.run(create)


def test_an_agent_hears_the_recorded_reference_and_types_it(
    page: Page, live_server: LiveServer
) -> None:
    add_staff(live_server.container.engine, "ana", Role.AGENT)
    folio = register(live_server)
    page.goto("/")
    page.get_by_label("Usuario").fill("ana")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.goto(f"/consola/folio?folio={format_folio(folio)}")
    section = page.get_by_role("region", name="Referencia grabada")
    expect(section).to_be_visible()
    seconds = page.locator("audio").evaluate(
        """audio => new Promise((done, failed) => {
            audio.addEventListener("loadedmetadata", () => done(audio.duration));
            audio.addEventListener("error", () => failed(audio.error && audio.error.code));
            audio.load();
        })"""
    )
    assert abs(seconds - 2.0) < 0.1
    shot(page, "folio-referencia-grabada")
    page.get_by_label("Transcribir referencia").fill(TYPED)
    page.get_by_role("button", name="Guardar referencia").click()
    expect(section).to_contain_text("Transcrita por agent:ana")
    expect(page.get_by_text(f"({TYPED})")).to_be_visible()  # the request's address line
