"""The whole system on one machine, with its telephony simulated: the service (every role, in
this process, on its own data folder), a simulated Asterisk that the AMI bridge and the
FastAGI IVR talk to, a stand-in for Twilio that signs every webhook, simulated staff, and the
callers.

    demo = DemoSystem(DemoOptions(data_dir=folder, port=8000))
    await demo.start()      # then demo.url, demo.accounts
    ...
    await demo.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr
from sse_starlette.sse import AppStatus

from ivr.asterisk.simulator import AsteriskSimulator
from models.config import (
    AsteriskQueue,
    AsteriskServer,
    AsteriskSettings,
    IvrSettings,
    Settings,
    TwilioSettings,
    default_data_dir,
)
from models.folio import format_folio
from suac.demo.accounts import DemoAccount, create_accounts, demo_accounts
from suac.demo.staff import Chores, SimulatedAgent, SimulatedAuthority, StaffSession
from suac.demo.traffic import Traffic
from suac.demo.twilio_standin import ACCOUNT_SID, TwilioStandIn
from suac.web import SERVER_OPTIONS, create_app

MARKER = ".suac-demo"  # a folder holding it was made by a demonstration and may be emptied
CITY_NUMBER = "+525556580311"
START_SECONDS = 60.0
SETTLE_SECONDS = 1.0
ANNOUNCED_ANSWERS = 3  # the first answers are shown on screen, with their public page


class DemoRefused(Exception):
    """The demonstration cannot start; ``str()`` is the Spanish line for the screen."""


def prepare_folder(folder: Path) -> None:
    """Make ``folder`` an empty demonstration folder: a new or empty one, or one a previous
    demonstration made (emptied). Anything else, and the real data folder, is refused."""
    folder = folder.expanduser().resolve()
    if folder == default_data_dir().resolve():
        raise DemoRefused(f"{folder} es la carpeta de datos real: elija otra para la demostración.")
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            raise DemoRefused(
                f"La carpeta {folder} no está vacía y no es de una demostración: elija otra."
            )
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("Carpeta de una demostración de SUAC Locatel (suac demo).\n")


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def check_port(host: str, port: int) -> None:
    """Refuse a port another program holds."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            raise DemoRefused(
                f"No se puede usar {host}:{port} ({error.strerror}): elija otro con --port."
            ) from error


def demo_settings(
    *, data_dir: Path, url: str, ami_port: int, ami_secret: str, agi_port: int, api_url: str
) -> Settings:
    """Settings of the demonstration alone: every value is given, none read from the
    environment or a ``.env`` file (so the user's own database, Redis or PBX are never used)."""
    values = {
        name: info.get_default(call_default_factory=True)
        for name, info in Settings.model_fields.items()
    }
    values.update(
        environment="development",
        data_dir=data_dir,
        database_url="",
        redis_url="",
        public_base_url=url,
        secret_key=SecretStr(secrets.token_urlsafe(32)),
        twilio=TwilioSettings(
            account_sid=ACCOUNT_SID,
            auth_token=SecretStr(secrets.token_hex(16)),
            api_base_url=api_url,
            sms_sender=CITY_NUMBER,
        ),
        asterisk=AsteriskSettings(
            servers=[AsteriskServer(port=ami_port, secret=SecretStr(ami_secret))],
            agi_port=agi_port,
            speech="dtmf",
            prompts_dir=str(data_dir / "audios"),
            recordings_dir=str(data_dir / "grabaciones"),
            queue_refresh_seconds=5,
            queue=AsteriskQueue(wrapup_seconds=5),
        ),
        ivr=IvrSettings(callback_from=CITY_NUMBER, status_queries_per_hour=1000),
    )
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass(frozen=True)
class DemoOptions:
    """Where the demonstration runs."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    seed: int | None = None


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the demonstration stops it."""

    @contextlib.contextmanager
    def capture_signals(self):  # type: ignore[no-untyped-def]  # noqa: ANN201
        yield


@dataclass
class DemoSystem:
    """Everything the demonstration runs, started and stopped in order."""

    options: DemoOptions
    announce: Callable[[str], None] = print  # a line for the screen (Spanish)
    accounts: list[DemoAccount] = field(default_factory=demo_accounts)
    announced: int = 0
    settings: Settings | None = None
    chores: Chores = field(default_factory=Chores)  # the simulated staff's work
    _server: _Server | None = None
    _serving: asyncio.Task[None] | None = None
    _work: list[asyncio.Task[None]] = field(default_factory=list)
    _sessions: list[StaffSession] = field(default_factory=list)

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.options.host in ("0.0.0.0", "") else self.options.host
        return f"http://{host}:{self.options.port}"

    async def start(self) -> None:
        """Start the telephony simulators and the service, create the accounts, put the
        simulated staff to work and let the callers in."""
        options = self.options
        check_port(options.host, options.port)
        rng = random.Random(options.seed)
        ami_secret = secrets.token_hex(8)
        self.asterisk = AsteriskSimulator(secret=ami_secret)
        await self.asterisk.start()
        self.http = httpx.AsyncClient(base_url=self.url, timeout=30)
        self.twilio = TwilioStandIn(http=self.http, public_base_url=self.url, auth_token="")
        await self.twilio.start()
        agi_port = free_port()
        self.settings = settings = demo_settings(
            data_dir=options.data_dir,
            url=self.url,
            ami_port=self.asterisk.port,
            ami_secret=ami_secret,
            agi_port=agi_port,
            api_url=self.twilio.api_base_url,
        )
        self.twilio.auth_token = settings.twilio.auth_token.get_secret_value()
        self.asterisk.agi = ("127.0.0.1", agi_port)
        app = create_app(settings)
        await self._serve(app)
        create_accounts(app.state.container.engine, self.accounts)
        await self.asterisk.wait_for_action("QueueSummary", timeout=START_SECONDS)
        await self._staff(app, rng)
        self.traffic = Traffic(asterisk=self.asterisk, twilio=self.twilio, rng=rng)
        self._work.append(asyncio.create_task(self.traffic.run(), name="demo-traffic"))

    async def _serve(self, app: FastAPI) -> None:
        config = uvicorn.Config(
            app,
            host=self.options.host,
            port=self.options.port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=3,
            **SERVER_OPTIONS,  # type: ignore[arg-type]
        )
        self._server = _Server(config)
        self._serving = asyncio.create_task(self._server.serve(), name="demo-web")
        async with asyncio.timeout(START_SECONDS):
            while not self._server.started:
                if self._serving.done():
                    await self._serving
                    raise DemoRefused("El servicio no pudo arrancar: vea demo.log.")
                await asyncio.sleep(0.05)

    async def _staff(self, app: FastAPI, rng: random.Random) -> None:
        codes = app.state.container.settings.console.wrapup_codes
        agents: dict[str, SimulatedAgent] = {}
        authority: SimulatedAuthority | None = None
        for account in (a for a in self.accounts if a.simulated):
            session = StaffSession(self.url, account)
            self._sessions.append(session)
            if account.phone:
                agent = SimulatedAgent(session, codes=codes, rng=rng, chores=self.chores)
                await agent.start()
                agents[agent.phone] = agent
            else:
                authority = SimulatedAuthority(
                    session, engine=app.state.container.engine, answered=self._answered
                )

        def answered(call_id: str, phone: str, ended: asyncio.Event) -> None:
            if phone in agents:
                agents[phone].answered(call_id, ended)

        self.asterisk.on_answer = self.twilio.on_answer = answered
        if authority is not None:
            self._work.append(asyncio.create_task(authority.run(), name="demo-authority"))

    def _answered(self, folio: str) -> None:
        """Point the newcomer at the first answers on the public folio page."""
        self.announced += 1
        if self.announced <= ANNOUNCED_ANSWERS:
            self.announce(
                f"SACMEX respondió el folio {format_folio(folio)}; consúltelo en "
                f"{self.url}/folio?folio={folio}"
            )

    async def stop(self) -> None:
        """Stop the callers and staff, then the service, then the simulators."""
        for task in self._work:
            task.cancel()
        await asyncio.gather(*self._work, return_exceptions=True)
        if hasattr(self, "traffic"):
            await self.traffic.chores.cancel()
        await self.chores.cancel()
        await asyncio.sleep(SETTLE_SECONDS)  # the last hang-ups reach the call records
        for session in self._sessions:
            await session.close()
        if self._server is not None and self._serving is not None:
            AppStatus.should_exit = True  # the pages' live streams end
            self._server.should_exit = True
            await asyncio.gather(self._serving, return_exceptions=True)
        if hasattr(self, "twilio"):
            await self.twilio.close()
            await self.http.aclose()
        if hasattr(self, "asterisk"):
            await self.asterisk.close()


def configure_logging(data_dir: Path) -> Path:
    """Every log line to ``demo.log`` in the demonstration's folder, none on the screen."""
    path = data_dir / "demo.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for chatty in ("httpx", "twilio.http_client"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    return path
