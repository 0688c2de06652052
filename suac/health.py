"""Liveness and readiness: what ``/healthz`` and ``/readyz`` report.

``/readyz``: the database, Redis, each AMI link, the job backlog; a check that fails names what
failed, and the service is ready only when every check passes.

``/healthz``: the process answers, so it is always 200 (restarting it would not bring back a
server that every process shares); it also says whether Redis answers, ``"redis": "caída: …"``
with ``"status": "degradado"`` while it is away, so an outage shows where liveness is watched.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from models.bus import RedisBus
from models.db import run_blocking, session_scope
from suac.container import Container
from suac.roles import TELEPHONY, Runtime

CHECK_TIMEOUT_SECONDS = 2.0
LIVENESS_TIMEOUT_SECONDS = 1.0  # a liveness probe is answered well within its own time-out
MAX_BACKLOG = 1_000


async def liveness(runtime: Runtime) -> dict[str, object]:
    """``{"status": "ok" | "degradado", "checks": {"redis": "ok" | "caída: …"}}`` (no checks
    on the embedded, in-process bus)."""
    checks: dict[str, str] = {}
    bus = runtime.container.bus
    if isinstance(bus, RedisBus):
        try:
            await asyncio.wait_for(bus.ping(), LIVENESS_TIMEOUT_SECONDS)
        except Exception as error:  # noqa: BLE001  (any failure is the answer)
            checks["redis"] = f"caída: {_reason(error)}"
        else:
            checks["redis"] = "ok"
    ok = all(state == "ok" for state in checks.values())
    return {"status": "ok" if ok else "degradado", "checks": checks}


async def readiness(runtime: Runtime) -> tuple[bool, dict[str, object]]:
    """Every check with its state ("ok" or the reason), and whether all passed."""
    container = runtime.container
    checks: dict[str, object] = {
        "base_de_datos": await _check(_database(container)),
    }
    if isinstance(container.bus, RedisBus):
        checks["redis"] = await _check(container.bus.ping())
    if TELEPHONY in runtime.roles:
        for name, link in container.asterisk.bridge.links.items():
            up = link.connected.is_set()
            checks[f"ami:{name}"] = "ok" if up else (link.last_error or "sin conexión")
    backlog = await _check(container.jobs.backlog())
    checks["trabajos_pendientes"] = backlog
    ok = all(v == "ok" for k, v in checks.items() if k != "trabajos_pendientes")
    ok = ok and isinstance(backlog, int) and backlog <= MAX_BACKLOG
    return ok, checks


async def _database(container: Container) -> None:
    def probe() -> None:
        with session_scope(container.engine, readonly=True) as session:  # waits for no writer
            session.execute(text("SELECT 1"))

    await run_blocking(container.engine, probe)


async def _check(probe) -> object:  # noqa: ANN001  (any awaitable)
    try:
        result = await asyncio.wait_for(probe, CHECK_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001  (any failure is the answer)
        return f"falla: {_reason(error)}"
    return "ok" if result is None or result is True else result


def _reason(error: Exception) -> str:
    """What failed, in one bounded line."""
    return f"{type(error).__name__}: {error}"[:290]
