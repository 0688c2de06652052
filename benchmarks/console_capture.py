"""Requests registered per second through the agent console's capture form.

One real uvicorn server (its own process: the whole app on the embedded SQLite, every role in
it, Twilio's REST API replaced by a local stand-in that accepts each folio SMS at once).
``--agents`` signed-in agents each loop as a browser does: load the form (a fresh form id),
post it with a new street in one of the alcaldía Cuauhtémoc's colonias (so the likely-duplicate
search runs over the colonia's recent requests and finds none) and a mobile number (so the
folio SMS is queued and sent by the same process; ``--no-sms`` leaves it out; with
``--separate-worker`` a ``suac worker`` process sends it). Prints one line like::

    capture form: 640 registered in 10.1 s by 16 agents: 64 requests/s; form+post p50 149 ms,
    p99 1187 ms; folio SMS accepted 0

Run: ``.venv/bin/python benchmarks/console_capture.py [--agents 16] [--seconds 10] [--no-sms]
[--separate-worker]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from agent_console.colonias import ColoniaDirectory  # noqa: E402
from benchmarks.twilio_webhooks import RestStandIn, free_port, percentile, serve  # noqa: E402
from models.config import Settings  # noqa: E402
from models.db import make_engine, session_scope, upgrade  # noqa: E402
from models.users import Role, StaffCreate, create_user  # noqa: E402
from suac.container import prepare_database  # noqa: E402

PASSWORD = "contraseña-de-prueba-1"
FIELD = re.compile(r'name="(csrftoken|formulario)" value="([^"]+)"')
STREETS = ["Orizaba", "Medellín", "Tonalá", "Jalapa", "Córdoba", "Colima", "Durango", "Puebla"]
ALCALDIA = "Cuauhtémoc"
COLONIAS = ColoniaDirectory.default().names(ALCALDIA)


def seed_agents(data_dir: str, database_url: str, count: int) -> list[str]:
    """Migrate the database and create the agents' accounts (new names on every run)."""
    if database_url:
        upgrade_engine = make_engine(database_url)
        upgrade(upgrade_engine)
        upgrade_engine.dispose()
    settings = Settings(data_dir=Path(data_dir), database_url=database_url, _env_file=None)
    engine = prepare_database(settings)
    run = secrets.token_hex(3)
    names = [f"agente{i}-{run}" for i in range(count)]
    with session_scope(engine) as session:
        for name in names:
            account = StaffCreate(username=name, full_name=name, role=Role.AGENT)
            create_user(session, account, password=PASSWORD)
    engine.dispose()
    return names


async def agent(port: int, name: str, until: float, latencies: list[float], sms: bool) -> int:
    """One agent capturing back to back; how many requests it registered."""
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        await http.get("/entrar")
        token = http.cookies["csrftoken"]
        login = {"usuario": name, "contrasena": PASSWORD, "csrftoken": token}
        if (await http.post("/entrar", data=login)).status_code != 303:
            raise RuntimeError(f"{name} could not sign in")
        registered = 0
        while time.monotonic() < until:
            started = time.perf_counter()
            page = await http.get("/consola/capturar")
            fields = dict(FIELD.findall(page.text))
            number = registered + 1
            form = {
                **fields,
                "categoria": "VIA-001",
                "descripcion": "Bache enorme frente al mercado",
                "alcaldia": ALCALDIA,
                "colonia": COLONIAS[number % len(COLONIAS)],
                "calle": f"{STREETS[number % len(STREETS)]} {name} {number}",
                "nombre": "Eva Ruiz",
                "telefono": "55 1234 5678" if sms else "",
            }
            answer = await http.post("/consola/capturar", data=form)
            if answer.status_code != 303:
                raise RuntimeError(f"not registered: {answer.status_code} {answer.text[:300]}")
            latencies.append(time.perf_counter() - started)
            registered += 1
        return registered


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=16, help="at most 20 (sign-in limit)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--no-sms", action="store_true", help="no mobile number, so no SMS job")
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL database to use (migrated here) instead of the embedded SQLite",
    )
    parser.add_argument(
        "--separate-worker",
        action="store_true",
        help="the web role alone, the jobs in a `suac worker` process (the production layout)",
    )
    args = parser.parse_args()
    rest = RestStandIn()
    await rest.start()
    with tempfile.TemporaryDirectory() as data_dir:
        names = seed_agents(data_dir, args.database_url, args.agents)
        env = {
            "SUAC_DATA_DIR": data_dir,
            "SUAC_DATABASE_URL": args.database_url,
            "SUAC_REDIS_URL": "",
            "SUAC_TWILIO__ACCOUNT_SID": "AC" + "0" * 32,
            "SUAC_TWILIO__API_BASE_URL": f"http://127.0.0.1:{rest.port}",
            "SUAC_TWILIO__SMS_SENDER": "LOCATEL",
        }
        port = free_port()
        worker = None
        if args.separate_worker:
            env["SUAC_SERVE_ROLES"] = "web"
            command = [sys.executable, "-c", "from suac.cli import app; app()", "worker"]
            worker = subprocess.Popen(command, cwd=REPO, env={**os.environ, **env})
        server = serve("suac.web:create_app", port, env)
        try:
            latencies: list[float] = []
            started = time.monotonic()
            until = started + args.seconds
            counts = await asyncio.gather(
                *(agent(port, n, until, latencies, not args.no_sms) for n in names)
            )
            elapsed = time.monotonic() - started
        finally:
            for process in (server, worker):
                if process is not None:
                    process.terminate()
                    process.wait(30)
    total = sum(counts)
    print(
        f"capture form: {total} registered in {elapsed:.1f} s by {args.agents} agents: "
        f"{total / elapsed:.0f} requests/s; form+post p50 "
        f"{statistics.median(latencies) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms; "
        f"folio SMS accepted {rest.accepted}"
    )


if __name__ == "__main__":
    asyncio.run(main())
