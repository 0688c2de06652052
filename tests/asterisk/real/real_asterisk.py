"""The real Asterisk 22 of ``../shared/asterisk/server`` on the project's rendered
configuration, on free loopback ports (several can run at once)::

    with real_asterisk(tmp_path_factory) as server:
        server.cli("core show channels")
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest

from models.config import Settings

RUN_ASTERISK = Path(__file__).resolve().parents[3].parent / "shared/asterisk/server/run-asterisk"
SECRET = "secreto-de-prueba"
CHECK_SECRET = "secreto-de-revision"
TEST_DIALPLAN = "extensions-pruebas.conf"


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def pipe(source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
    """Copy one direction of a proxied TCP connection until it ends, then close the other."""
    with contextlib.suppress(ConnectionError):
        while data := await source.read(65536):
            target.write(data)
            await target.drain()
    target.close()


def write_silence(path: Path, seconds: float = 0.1) -> Path:
    """A short 8 kHz mono wav of silence (a stand-in for a sound or music file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(b"\0\0" * int(8000 * seconds))
    return path


@dataclass(frozen=True)
class RealAsterisk:
    """A started server: the settings it was rendered from, its folders and its CLI."""

    env: dict[str, str]
    conf: Path
    run: Path
    ami_port: int
    start_env: dict[str, str]

    @property
    def console_log(self) -> Path:
        """Where ``run-asterisk`` sends Asterisk's console (start-up and loader lines)."""
        return self.run / "log" / "console.log"

    def settings(self) -> Settings:
        """The project's settings for this server (as ``suac`` would read them)."""
        with mock.patch.dict(os.environ, self.env):
            return Settings(_env_file=None)

    def start(self) -> None:
        """Start Asterisk again on the same configuration (after :meth:`stop`)."""
        start = [RUN_ASTERISK, "start", self.run, self.conf]
        subprocess.run(start, env={**os.environ, **self.start_env}, check=True, capture_output=True)

    def stop(self) -> None:
        """Stop Asterisk (``core stop now``)."""
        subprocess.run([RUN_ASTERISK, "stop", self.run], check=False, capture_output=True)

    def cli(self, command: str) -> str:
        """Run one Asterisk CLI command and return its output."""
        done = subprocess.run(
            [RUN_ASTERISK, "cli", self.run, command], check=True, capture_output=True, text=True
        )
        return done.stdout


@contextlib.contextmanager
def real_asterisk(
    tmp_path_factory: pytest.TempPathFactory,
    *,
    before_start: Callable[[Path], None] | None = None,
    sounds: Path | None = None,
    settings: dict[str, str] | None = None,
    dialplan: str = "",
    modules: tuple[str, ...] = (),
) -> Iterator[RealAsterisk]:
    """Render the configuration (``suac asterisk render``), start Asterisk, stop it after.

    ``before_start(rundir)`` may add files (sounds, music) to the run folder first; ``sounds``
    replaces ``/usr/share/asterisk`` (Debian's ``sounds/<voice>/`` and ``moh/``); ``settings``
    adds or overrides ``SUAC_*`` variables; ``dialplan`` (the tests' own contexts) and ``modules``
    (what those need besides the project's) are added to the rendered files."""
    if not RUN_ASTERISK.exists():
        pytest.skip(f"no Asterisk server at {RUN_ASTERISK}")
    conf, run = tmp_path_factory.mktemp("conf"), tmp_path_factory.mktemp("ast")
    files = tmp_path_factory.mktemp("files")
    ami = free_port()
    env = {
        "SUAC_ASTERISK__SERVERS": (
            f'[{{"name":"real","host":"127.0.0.1","port":{ami},'
            f'"username":"suac","secret":"{SECRET}","check_secret":"{CHECK_SECRET}"}}]'
        ),
        "SUAC_ASTERISK__SIP_BIND": f"127.0.0.1:{free_port()}",
        "SUAC_ASTERISK__AGI_PORT": str(free_port()),
        "SUAC_ASTERISK__AGENTS": '[{"extension":"1001","name":"Ana","password":"clave-1001"}]',
        "SUAC_ASTERISK__PROMPTS_DIR": str(files / "voz"),
        "SUAC_ASTERISK__RECORDINGS_DIR": str(files / "grabaciones"),
        "SUAC_DATA_DIR": str(files / "datos"),
        **(settings or {}),
    }
    render = [sys.executable, "-m", "suac.cli", "asterisk", "render", "--out", str(conf)]
    subprocess.run(render, env={**os.environ, **env}, check=True, capture_output=True)
    if dialplan:
        (conf / TEST_DIALPLAN).write_text(dialplan, encoding="utf-8")
        with (conf / "extensions.conf").open("a", encoding="utf-8") as extensions:
            extensions.write(f"\n#include {TEST_DIALPLAN}\n")
    with (conf / "modules.conf").open("a", encoding="utf-8") as loaded:
        loaded.writelines(f"load => {module}\n" for module in modules)
    if before_start is not None:
        before_start(run)
    start_env = {"RUN_ASTERISK_SOUNDS": str(sounds)} if sounds else {}
    server = RealAsterisk(env=env, conf=conf, run=run, ami_port=ami, start_env=start_env)
    server.start()
    try:
        yield server
    finally:
        server.stop()
