"""What the database fault tests drive (a plain module: ``conftest`` names are ambiguous): another
process holding SQLite's write lock, a ticker that shows whether an event loop kept running,
the service started as a real process, and a caller registering a request by phone."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ivr.prompts.spoken import DIGIT_WORDS
from ivr.twilio.simulator import SimulatedCall, TwimlPage

REPO = Path(__file__).resolve().parents[2]
PUBLIC, TOKEN = "https://locatel.example.mx", "token-de-prueba"
TWILIO_LIMIT_SECONDS = 15.0  # Twilio gives up on a webhook that takes longer
APOLOGY = "Disculpe, tuvimos un problema. Le comunico con un asesor."
_HOLD = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("COMMIT")
"""
_SPOKEN_FOLIO = re.compile(rf"Anote su folio: ((?:(?:{'|'.join(DIGIT_WORDS)}),? ?)+)")


@contextmanager
def sqlite_write_lock(path: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holds ``BEGIN IMMEDIATE`` on the SQLite file ``path`` for ``seconds``
    (from when the block is entered; leaving the block ends it at once)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait()


class LoopTicker:
    """Ticks every 10 ms on the running event loop and keeps the longest gap between ticks:
    a loop blocked by a database wait shows a gap as long as the wait."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._last = time.monotonic()
        self._task: asyncio.Task[None] | None = None

    def _mark(self) -> None:
        now = time.monotonic()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(0.01)
            self._mark()

    async def __aenter__(self) -> LoopTicker:
        self._last = time.monotonic()
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._mark()  # a gap still open counts too
        self._task.cancel()


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ServiceProcess:
    """``suac serve`` as its own process (every role, as a single deployment runs it)."""

    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    url: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.data_dir / "service.log"

    def start(self, timeout: float = 90.0) -> None:
        """Start it and wait until ``/healthz`` answers."""
        port = free_port()
        env = {
            **os.environ,
            "SUAC_DATA_DIR": str(self.data_dir),
            "SUAC_DATABASE_URL": "",  # the embedded default unless the test says otherwise
            "SUAC_REDIS_URL": "",
            "SUAC_PUBLIC_BASE_URL": PUBLIC,
            "SUAC_TWILIO__AUTH_TOKEN": TOKEN,
            "SUAC_TWILIO__ACCOUNT_SID": "AC" + "4" * 32,
            **self.env,
        }
        command = [sys.executable, "-m", "suac.cli", "serve", "--port", str(port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT
            )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the service did not answer in {timeout} s\n{self.log()}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 15 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@dataclass
class TimedCall:
    """A simulated call that times every webhook it sends and keeps every answer."""

    call: SimulatedCall
    seconds: list[float] = field(default_factory=list)
    pages: list[TwimlPage] = field(default_factory=list)

    async def send(self, step: str, value: str = "") -> TwimlPage:
        """``start``, ``press`` or ``say`` (with ``value``), timed."""
        began = time.monotonic()
        page = await (getattr(self.call, step)(value) if value else getattr(self.call, step)())
        self.seconds.append(time.monotonic() - began)
        self.pages.append(page)
        return page

    @property
    def handed_over(self) -> bool:
        """The caller was put in an agents' queue."""
        return any((page.end or "").startswith("enqueue:") for page in self.pages)

    @property
    def folios_heard(self) -> list[str]:
        """Every folio read to the caller (its digits)."""
        heard = []
        for page in self.pages:
            for words in _SPOKEN_FOLIO.findall(page.text):
                spoken = re.findall("|".join(DIGIT_WORDS), words)
                heard.append("".join(str(DIGIT_WORDS.index(word)) for word in spoken))
        return heard

    @property
    def registered(self) -> bool:
        """The caller heard the folio of the request registered."""
        return bool(self.folios_heard)

    @property
    def over(self) -> bool:
        """The call reached its end: a folio read, an agent's queue, or a hang-up."""
        last = self.pages[-1] if self.pages else None
        return last is not None and (bool(last.end) or not last.action or self.registered)


DESCRIPTION = "no tengo agua en mi casa desde ayer"
REFERENCE = "calle Morelos esquina con Ermita frente a la escuela"
ALCALDIA_KEY = "09"  # Iztapalapa


def next_move(page: TwimlPage) -> tuple[str, str]:
    """What a caller reporting a lack of water does at ``page`` (the IVR's question)."""
    text = page.text
    if "Describa" in text:
        return "say", DESCRIPTION
    if "Si su solicitud es sobre" in text:
        return "press", re.findall(r"Si su solicitud es sobre .+?, marque (\d)", text)[0]
    if "¿En qué alcaldía" in text:
        return "press", ALCALDIA_KEY
    if "referencia" in text:
        return "say", REFERENCE
    return "press", "1"  # the menu's registration, or "yes" to what was read back


async def walk(call: TimedCall, moves: int = 8) -> TimedCall:
    """Take ``call`` (started if new) up to ``moves`` answers further, or to its end."""
    if not call.pages:
        await call.send("start")
    for _ in range(moves):
        if call.over:
            break
        await call.send(*next_move(call.pages[-1]))
    return call
