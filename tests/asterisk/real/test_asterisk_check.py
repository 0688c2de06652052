"""``suac asterisk check`` against a real Asterisk 22: on a server without sounds it names
every missing sound, the music class and the IVR's audios in Spanish and exits 1; with them
all in place it finds nothing missing and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.asterisk.prompt_audio import spoken_templates
from ivr.asterisk.readiness_check import CORE_SOUNDS, check_server
from ivr.asterisk.render import MODULES, record_folders
from ivr.prompts import PromptBook
from models.config import AsteriskPhone

from .real_asterisk import RealAsterisk, real_asterisk, write_silence


def check_cli(server: RealAsterisk) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "suac.cli", "asterisk", "check"]
    env = {**os.environ, **server.env, "COLUMNS": "400"}
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealAsterisk]:
    """A server without Debian's sounds and music (as the prebuilt one is)."""
    with real_asterisk(tmp_path_factory, sounds=tmp_path_factory.mktemp("sin-sonidos")) as server:
        yield server


@pytest.fixture(scope="module")
def complete(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealAsterisk]:
    """A server with every sound, music file and IVR audio the project needs."""
    debian = tmp_path_factory.mktemp("sonidos")
    for sound in CORE_SOUNDS:
        write_silence(debian / "sounds" / "es_MX_f_Allison" / f"{sound}.wav")
    write_silence(debian / "moh" / "espera.wav")
    with real_asterisk(tmp_path_factory, sounds=debian) as server:
        prompts = Path(server.env["SUAC_ASTERISK__PROMPTS_DIR"])
        for name in spoken_templates(PromptBook()):
            write_silence(prompts / f"{name}.wav")
        yield server


async def test_a_server_without_sounds_has_them_named_as_missing(bare: RealAsterisk) -> None:
    settings = bare.settings()
    readiness = await check_server(settings)
    missing = {(need.kind, need.name) for need in readiness.missing}
    assert {("sonido", sound) for sound in CORE_SOUNDS} <= missing
    assert ("clase de música en espera", "default") in missing
    assert {("audio del IVR", name) for name in spoken_templates(PromptBook())} <= missing
    present = {(need.kind, need.name) for need in readiness.needs if need.present}
    assert {("módulo", m) for names in MODULES.values() for m in names} <= present
    assert {("cola", "locatel"), ("extensión PJSIP", "1001")} <= present
    assert {("carpeta", str(folder)) for folder in record_folders(settings)} <= present


async def test_an_endpoint_and_a_folder_that_are_not_there_are_named(bare: RealAsterisk) -> None:
    settings = bare.settings()
    settings.asterisk.agents.append(AsteriskPhone(extension="1002", name="Beto"))
    settings.asterisk.recordings_dir = str(Path(settings.asterisk.recordings_dir) / "otra")
    readiness = await check_server(settings)
    missing = {need.describe() for need in readiness.missing}
    assert "extensión PJSIP «1002»" in missing
    assert f"carpeta «{settings.asterisk.recordings_dir}»" in missing
    assert "extensión PJSIP «1001»" not in missing


def test_the_command_names_what_is_missing_in_spanish_and_fails(bare: RealAsterisk) -> None:
    done = check_cli(bare)
    assert done.returncode == 1, done.stderr
    assert "En Asterisk «real» faltan" in done.stdout
    assert "sonido (es): queue-youarenext, queue-thereare," in done.stdout
    assert "apt-get install asterisk-core-sounds-es-wav" in done.stdout
    assert "suac asterisk prompts" in done.stdout


async def test_a_complete_server_passes(complete: RealAsterisk) -> None:
    readiness = await check_server(complete.settings())
    assert [need.describe() for need in readiness.missing] == []
    done = check_cli(complete)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "tiene todo lo que el proyecto necesita" in done.stdout
