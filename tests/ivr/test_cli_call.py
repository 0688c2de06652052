"""``suac call``: the terminal softphone plays a whole call against the app, signed as Twilio."""

from __future__ import annotations

import io

import httpx
import pytest
from pydantic import SecretStr
from rich.console import Console

from models.config import Settings
from suac.cli_call import CallFailed, run_call


class TypedConsole(Console):
    """A console whose caller types ``lines`` one by one (then Ctrl-D)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(file=io.StringIO(), width=200, color_system=None)
        self._lines = list(lines)

    def input(self, prompt: str = "", **_: object) -> str:  # noqa: D102
        if not self._lines:
            raise EOFError
        line = self._lines.pop(0)
        self.print(f"{prompt}{line}")
        return line

    @property
    def transcript(self) -> str:
        return self.file.getvalue()


async def _play(twilio_app, voice_settings: Settings, lines: list[str]) -> str:
    console = TypedConsole(lines)
    await run_call(
        "http://testserver",
        "+525512345678",
        False,
        console,
        settings=voice_settings,
        transport=httpx.ASGITransport(app=twilio_app),
    )
    return console.transcript


async def test_softphone_keys_speech_and_silence_reach_an_agent(twilio_app, voice_settings) -> None:
    out = await _play(twilio_app, voice_settings, ["", "2", "123#", "0"])
    assert "IVR: Bienvenido a Locatel" in out and "No recibimos su respuesta" in out
    assert "tecla de gato" in out and "diez dígitos" in out
    assert "— fin: enqueue:locatel —" in out and "El servidor respondió" not in out


async def test_softphone_hangs_up_on_request(twilio_app, voice_settings) -> None:
    out = await _play(twilio_app, voice_settings, ["hay un bache enorme en mi calle", "colgar"])
    assert "Bache" in out and "— colgó —" in out


async def test_softphone_with_a_wrong_token_names_the_settings(twilio_app, voice_settings) -> None:
    twilio = voice_settings.twilio.model_copy(update={"auth_token": SecretStr("otro")})
    wrong = voice_settings.model_copy(update={"twilio": twilio})
    with pytest.raises(CallFailed, match="SUAC_TWILIO__AUTH_TOKEN y SUAC_PUBLIC_BASE_URL"):
        await _play(twilio_app, wrong, ["1"])
