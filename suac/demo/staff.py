"""Simulated staff working through the service's own pages, over HTTP, as a browser would:
agents who enter the queue, capture requests during calls and wrap each call up, and an
authority official who answers the requests in the inbox.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from sqlalchemy import Engine
from sqlmodel import col, select

from models.authorities import ALCALDIAS
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.requests import ServiceRequest, Status
from suac.demo.accounts import AUTHORITY_UNIT, DemoAccount

log = logging.getLogger(__name__)
_TOKEN = re.compile(r'name="csrftoken" value="([^"]+)"')
_FORM_ID = re.compile(r'name="formulario" value="([^"]+)"')
OPEN = (Status.RECEIVED, Status.ASSIGNED, Status.REASSIGNED, Status.IN_PROGRESS)

# what callers tell the agents: category, description, street and reference
REPORTS = (
    ("AGU-008", "Fuga de agua potable a media calle desde la mañana.", "Calle Juárez 45"),
    ("AGU-001", "No llega agua al domicilio desde hace dos días.", "Calle Hidalgo 120"),
    ("AGU-005", "El agua llega con muy poca presión y no sube al tinaco.", "Av. Morelos 8"),
    ("DRE-007", "Drenaje colapsado frente a la escuela, huele muy mal.", "Calle Allende 3"),
    ("VIA-001", "Bache grande en el carril derecho, ya se cayó un motociclista.", "Av. Central"),
    ("ALU-001", "La luminaria de la esquina lleva una semana apagada.", "Calle Reforma 210"),
)


class StaffDenied(Exception):
    """The service refused a simulated member of staff (a sign-in or a form)."""


class StaffSession:
    """One member of staff signed in over HTTP, with the session and CSRF cookies a browser
    keeps."""

    def __init__(self, base_url: str, account: DemoAccount) -> None:
        self.account = account
        self.client = httpx.AsyncClient(base_url=base_url, timeout=30)

    async def sign_in(self) -> None:
        """Sign in through the form."""
        page = await self.client.get("/entrar")
        token = _TOKEN.search(page.text)
        if token is None:
            raise StaffDenied("la página /entrar no trae formulario")
        form = {
            "usuario": self.account.username,
            "contrasena": self.account.password,
            "csrftoken": token.group(1),
        }
        answer = await self.client.post("/entrar", data=form)
        if answer.status_code != 303:
            raise StaffDenied(f"{self.account.username} no pudo entrar ({answer.status_code})")

    async def post(self, url: str, data: dict[str, str]) -> httpx.Response:
        """Post a form with this browser's CSRF token."""
        token = self.client.cookies.get("csrftoken") or ""
        answer = await self.client.post(url, data={**data, "csrftoken": token})
        if answer.status_code >= 400:
            log.warning("%s: %s answered %s", self.account.username, url, answer.status_code)
        return answer

    async def close(self) -> None:
        await self.client.aclose()


@dataclass
class Chores:
    """Background work that is cancelled as a whole when the demonstration stops."""

    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def run(self, work: Callable[[], Awaitable[None]]) -> None:
        async def guarded() -> None:
            try:
                await work()
            except (httpx.HTTPError, StaffDenied):
                log.warning("a simulated chore failed", exc_info=True)

        task = asyncio.create_task(guarded())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def cancel(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


class SimulatedAgent:
    """An agent at the console: in the queue; captures a request during its first call and
    some later ones, then wraps every call up."""

    def __init__(
        self,
        session: StaffSession,
        *,
        codes: list[str],
        rng: random.Random,
        chores: Chores,
        capture_share: float = 0.5,
    ) -> None:
        self.session, self._codes, self._rng, self._chores = session, codes, rng, chores
        self._capture_share = capture_share
        self._calls = 0

    @property
    def phone(self) -> str:
        return self.session.account.phone or ""

    async def start(self) -> None:
        """Sign in and enter the queue (the console's button)."""
        await self.session.sign_in()
        answer = await self.session.post("/consola/cola/entrar", {})
        if answer.status_code != 303:
            raise StaffDenied(f"{self.phone} no pudo entrar a la cola ({answer.status_code})")

    def answered(self, call_id: str, ended: asyncio.Event) -> None:
        """A call was put through to this agent's phone."""
        self._chores.run(lambda: self._handle(call_id, ended))

    async def _handle(self, call_id: str, ended: asyncio.Event) -> None:
        captured = False
        self._calls += 1
        if self._calls == 1 or self._rng.random() < self._capture_share:
            await asyncio.sleep(self._rng.uniform(2.0, 4.0))  # listening to the citizen
            captured = await self.capture(call_id)
        await ended.wait()
        await asyncio.sleep(self._rng.uniform(2.0, 5.0))  # notes after the call
        code = self._codes[0] if captured else self._rng.choice(self._codes[1:4])
        await self.session.post(f"/consola/llamadas/{call_id}/cierre", {"codigo": code})

    async def capture(self, call_id: str) -> bool:
        """Capture the caller's request with the form, linked to the call."""
        page = await self.session.client.get("/consola/capturar", params={"llamada": call_id})
        form_id = _FORM_ID.search(page.text)
        if form_id is None:
            return False
        category, description, street = self._rng.choice(REPORTS)
        answer = await self.session.post(
            "/consola/capturar",
            {
                "formulario": form_id.group(1),
                "canal": "agente",
                "llamada": call_id,
                "categoria": category,
                "descripcion": description,
                "alcaldia": self._rng.choice(ALCALDIAS),
                "calle": street,
                "referencia": "Frente a la tienda de la esquina.",
                "accion": "registrar_igual",
            },
        )
        return answer.status_code == 303


class SimulatedAuthority:
    """An authority official who answers, through the inbox, the requests of its authority
    that have waited ``delay`` seconds."""

    def __init__(
        self,
        session: StaffSession,
        *,
        engine: Engine,
        delay: float = 15.0,
        every: float = 4.0,
        answered: Callable[[str], None] | None = None,
    ) -> None:
        self.session, self._engine = session, engine
        self._delay, self._every = delay, every
        self._answered = answered  # told each folio answered

    async def run(self) -> None:
        """Sign in, then work the inbox until cancelled."""
        await self.session.sign_in()
        while True:
            for folio, unit, status in await run_blocking(self._engine, self._due):
                if status != Status.IN_PROGRESS:
                    await self.session.post(f"/bandeja/{folio}/en-proceso", {})
                answer = await self.session.post(
                    f"/bandeja/{folio}/respuesta",
                    {
                        "texto": "Se atendió el reporte: una cuadrilla revisó y corrigió la falla.",
                        "responsable": "Ing. Rosa Martínez",
                        "unidad": unit or AUTHORITY_UNIT,
                    },
                )
                if answer.status_code == 303 and self._answered is not None:
                    self._answered(folio)
            await asyncio.sleep(self._every)

    def _due(self) -> list[tuple[str, str | None, str]]:
        before = utcnow() - timedelta(seconds=self._delay)
        with session_scope(self._engine, readonly=True) as session:
            rows = session.exec(
                select(ServiceRequest.folio, ServiceRequest.unit_code, ServiceRequest.status)
                .where(
                    ServiceRequest.authority_code == self.session.account.authority_code,
                    col(ServiceRequest.status).in_([s.value for s in OPEN]),
                    ServiceRequest.received_at <= before,
                )
                .order_by(col(ServiceRequest.received_at))
                .limit(3)
            )
            return [(folio, unit, status) for folio, unit, status in rows]
