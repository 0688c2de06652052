"""The agent console under load: screen-pop delay with 50 agents on the live stream while 200
calls are connected, then requests registered per second through the capture form.

One real uvicorn server (its own process, every role, the embedded SQLite) with the event bus
on Redis (``--redis``, database 12, flushed first), so this process can play the telephony
side: it publishes each call's events (started, handed over with what the IVR learned, queued,
connected to an agent's phone) on the bus exactly as the AMI bridge does. Each agent is a
signed-in client holding ``/consola/eventos`` open; when its stream says ``llamada``
``connected`` it loads the pop (``/consola/llamadas/{id}``), as ``call.js`` does. The delay is
from just before ``CallConnected`` is published to the pop's last byte. Prints lines like::

    screen pop: 200 calls to 50 agents: p50 40 ms, p99 180 ms (max 210 ms), 0 missing
    capture form: 900 registered in 10.0 s by 16 agents: 90 requests/s; …

Run: ``.venv/bin/python benchmarks/console.py [--agents 50] [--calls 200] [--seconds 10]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import redis

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import console_capture  # noqa: E402
from benchmarks.twilio_webhooks import RestStandIn, free_port, percentile, serve  # noqa: E402
from models.bus import RedisBus  # noqa: E402
from models.config import Settings  # noqa: E402
from models.db import session_scope  # noqa: E402
from models.events import CallConnected, CallHandedOver, CallQueued, CallStarted  # noqa: E402
from models.handoff import CategoryGuess, HandoffContext  # noqa: E402
from models.users import Role, StaffCreate, create_user  # noqa: E402
from suac.container import prepare_database  # noqa: E402

PASSWORD = console_capture.PASSWORD
QUEUE = "locatel"


def seed_agents(data_dir: str, count: int) -> dict[str, str]:
    """Migrate the database and create the agents, each with its phone; name → phone."""
    engine = prepare_database(Settings(data_dir=Path(data_dir), _env_file=None))
    agents = {f"agente{i}": f"PJSIP/{3000 + i}" for i in range(count)}
    with session_scope(engine) as session:
        for name, phone in agents.items():
            account = StaffCreate(username=name, full_name=name, role=Role.AGENT, phone=phone)
            create_user(session, account, password=PASSWORD)
    engine.dispose()
    return agents


async def sign_in(http: httpx.AsyncClient, name: str) -> None:
    await http.get("/entrar")
    login = {"usuario": name, "contrasena": PASSWORD, "csrftoken": http.cookies["csrftoken"]}
    if (await http.post("/entrar", data=login)).status_code != 303:
        raise RuntimeError(f"{name} could not sign in")


class Agent:
    """A signed-in agent's browser: the live stream open, each pop loaded when announced."""

    def __init__(self, port: int, name: str, sent: dict[str, float], delays: list[float]):
        self.name, self.sent, self.delays = name, sent, delays
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)
        self.listening = asyncio.Event()

    async def run(self) -> None:
        await sign_in(self.http, self.name)
        headers = {"accept": "text/event-stream"}  # as EventSource asks
        async with self.http.stream("GET", "/consola/eventos", headers=headers) as stream:
            event = ""
            async for line in stream.aiter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event == "estado":
                    self.listening.set()
                elif line.startswith("data:") and event == "llamada":
                    data = json.loads(line.split(":", 1)[1])
                    if data["event"] == "connected":
                        asyncio.create_task(self.pop(data["call_id"]))

    async def pop(self, call_id: str) -> None:
        answer = await self.http.get(f"/consola/llamadas/{call_id}")
        if answer.status_code == 200:
            self.delays.append(time.monotonic() - self.sent[call_id])


async def connect_calls(bus: RedisBus, phones: list[str], calls: int, sent: dict[str, float]):  # noqa: ANN201
    """Publish each call's life up to its connection, spread over about five seconds."""
    for number in range(calls):
        call_id = f"bench-{uuid.uuid4().hex[:12]}"
        caller = f"+5255{10000000 + number}"
        context = HandoffContext(
            caller=caller,
            path=["menu", "describe"],
            transcript=["hay una fuga de agua en mi calle"],
            categories=[CategoryGuess(code="AGU-001", name="Fuga de agua", confidence=0.82)],
            alcaldia="Iztapalapa",
            reason="el ciudadano pidió un asesor",
        )
        await bus.publish(CallStarted(call_id=call_id, transport="asterisk", caller=caller))
        await bus.publish(CallHandedOver(call_id=call_id, queue=QUEUE, context=context))
        await bus.publish(CallQueued(call_id=call_id, queue=QUEUE, position=1))
        sent[call_id] = time.monotonic()
        agent = phones[number % len(phones)]
        await bus.publish(CallConnected(call_id=call_id, queue=QUEUE, agent=agent))
        await asyncio.sleep(5.0 / calls)


async def screen_pops(port: int, agents: dict[str, str], calls: int, redis_url: str) -> str:
    sent: dict[str, float] = {}
    delays: list[float] = []
    browsers = [Agent(port, name, sent, delays) for name in agents]
    tasks = [asyncio.create_task(browser.run()) for browser in browsers]
    await asyncio.wait_for(asyncio.gather(*(b.listening.wait() for b in browsers)), 120)
    bus = RedisBus(url=redis_url)
    try:
        await connect_calls(bus, list(agents.values()), calls, sent)
        deadline = time.monotonic() + 30
        while len(delays) < calls and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
    finally:
        await bus.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for browser in browsers:
            await browser.http.aclose()
    ms = [d * 1000 for d in delays] or [float("nan")]
    return (
        f"screen pop: {calls} calls to {len(agents)} agents: p50 {statistics.median(ms):.0f} ms, "
        f"p99 {percentile(ms, 0.99):.0f} ms (max {max(ms):.0f} ms), "
        f"{calls - len(delays)} missing"
    )


async def capture(port: int, names: list[str], seconds: float) -> str:
    latencies: list[float] = []
    started = time.monotonic()
    counts = await asyncio.gather(
        *(console_capture.agent(port, n, started + seconds, latencies, True) for n in names)
    )
    elapsed = time.monotonic() - started
    total = sum(counts)
    return (
        f"capture form: {total} registered in {elapsed:.1f} s by {len(names)} agents: "
        f"{total / elapsed:.0f} requests/s; form+post p50 "
        f"{statistics.median(latencies) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms (with the folio SMS queued)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--capturing", type=int, default=16, help="agents using the form")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    redis.Redis.from_url(args.redis).flushdb()
    rest = RestStandIn()
    await rest.start()
    with tempfile.TemporaryDirectory() as data_dir:
        agents = seed_agents(data_dir, args.agents)
        env = {
            "SUAC_DATA_DIR": data_dir,
            "SUAC_DATABASE_URL": "",
            "SUAC_REDIS_URL": args.redis,
            "SUAC_SERVE_ROLES": "web,worker",
            "SUAC_CONSOLE__LOGIN_ATTEMPTS_PER_CLIENT": "1000/minute",
            "SUAC_TWILIO__ACCOUNT_SID": "AC" + "0" * 32,
            "SUAC_TWILIO__API_BASE_URL": f"http://127.0.0.1:{rest.port}",
            "SUAC_TWILIO__SMS_SENDER": "LOCATEL",
        }
        port = free_port()
        server = serve("suac.web:create_app", port, env)
        try:
            print(await screen_pops(port, agents, args.calls, args.redis), flush=True)
            print(await capture(port, list(agents)[: args.capturing], args.seconds))
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    asyncio.run(main())
