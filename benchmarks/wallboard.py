"""The wallboard under load: 20 supervisors on its live stream while 1,000 calls arrive over
a minute through both fronts, then the time of a 30-day report over 100,000 stored calls.

One real uvicorn server (its own process, the web and worker roles, the embedded SQLite) with
the event bus on Redis (``--redis``, database 12, flushed first); this process plays both
fronts' telephony sides and publishes each call's events on the bus as the AMI bridge and the
Twilio webhooks do: started, queued, then answered by one of 100 agents (their states in use
and available again, the end, the console's wrap-up) or abandoned, half the calls Asterisk,
half Twilio. Each supervisor is a signed-in client holding ``/supervision/tablero/eventos``
open. The delay of an arrival, answer or abandon is from just before its event is published
to the first message of a stream whose totals count it, for every stream. Prints e.g.::

    wallboard: 1000 calls (5,800 events) in 60 s to 20 supervisors: update delay p50 180 ms,
      p99 420 ms (max 510 ms) over 48,000 updates; 0 missing; 3.9 messages/s per stream
    30-day report over 100000 calls: best 0.50 s, … (benchmarks/wallboard_reports.py)

Run: ``.venv/bin/python benchmarks/wallboard.py [--supervisors 20] [--calls 1000]
[--seconds 60] [--no-report]`` (the report needs PostgreSQL, ``SUAC_BENCH_REPORTS_URL``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import redis

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import wallboard_reports  # noqa: E402
from benchmarks.console import sign_in  # noqa: E402
from benchmarks.twilio_webhooks import free_port, percentile, serve  # noqa: E402
from models.bus import RedisBus  # noqa: E402
from models.config import Settings  # noqa: E402
from models.db import session_scope  # noqa: E402
from models.db_types import utcnow  # noqa: E402
from models.events import (  # noqa: E402
    AgentStateChanged,
    BaseEvent,
    CallAbandoned,
    CallConnected,
    CallEnded,
    CallQueued,
    CallStarted,
    CallTransport,
    CallWrappedUp,
)
from models.users import Role, StaffCreate, create_user  # noqa: E402
from suac.container import prepare_database  # noqa: E402

PASSWORD = "contraseña-de-prueba-1"
QUEUE = "locatel"
KINDS = {CallQueued: "offered", CallConnected: "answered", CallAbandoned: "abandoned"}


def seed_staff(data_dir: str, supervisors: int, agents: int) -> tuple[list[str], list[str]]:
    """The supervisors' usernames and the agents' phones (half Asterisk, half Twilio)."""
    engine = prepare_database(Settings(data_dir=Path(data_dir), _env_file=None))
    phones = [f"PJSIP/{4000 + n}" if n % 2 == 0 else f"+5255{60000000 + n}" for n in range(agents)]
    names = [f"supervisor{n}" for n in range(supervisors)]
    with session_scope(engine) as session:
        for n, phone in enumerate(phones):
            account = StaffCreate(
                username=f"agente{n}", full_name=f"Agente {n}", role=Role.AGENT, phone=phone
            )
            create_user(session, account, password=PASSWORD)
        for name in names:
            account = StaffCreate(username=name, full_name=name, role=Role.SUPERVISOR)
            create_user(session, account, password=PASSWORD)
    engine.dispose()
    return names, phones


Timeline = list[tuple[float, int, BaseEvent]]  # (seconds from the start, order, event)


def timeline(calls: int, seconds: float, phones: list[str], rng: random.Random) -> Timeline:
    """Every call's events at their moments: arrivals spread over ``seconds``; 80 % answered
    after 2–30 s by the agents in turn, talking 15–45 s, the rest abandoned after 1–40 s."""
    events: Timeline = []

    def add(at: float, event: BaseEvent) -> None:
        events.append((at, len(events), event))

    for n in range(calls):
        call_id, arrival = f"bench-{n}", seconds * n / calls
        transport: CallTransport = "asterisk" if n % 2 == 0 else "twilio"
        add(arrival, CallStarted(call_id=call_id, transport=transport, caller=f"+5255{n:08d}"))
        add(arrival + 0.05, CallQueued(call_id=call_id, queue=QUEUE, position=1))
        if rng.random() < 0.8:
            agent = phones[n % len(phones)]
            wait = rng.uniform(2, 30)
            answer, end = arrival + wait, arrival + wait + rng.uniform(15, 45)
            add(answer, AgentStateChanged(agent=agent, queue=QUEUE, state="in_use"))
            add(answer, CallConnected(call_id=call_id, queue=QUEUE, agent=agent, wait_seconds=wait))
            add(end, CallEnded(call_id=call_id, status="answered"))
            add(end, AgentStateChanged(agent=agent, queue=QUEUE, state="available"))
            wrapped = CallWrappedUp(
                call_id=call_id, agent=agent, disposition="registrada", wrapup_seconds=4
            )
            add(end + 4, wrapped)
        else:
            gone = arrival + rng.uniform(1, 40)
            add(gone, CallAbandoned(call_id=call_id, queue=QUEUE, wait_seconds=gone - arrival))
            add(gone, CallEnded(call_id=call_id, status="abandoned"))
    return sorted(events, key=lambda item: item[:2])


class Supervisor:
    """A signed-in supervisor's browser holding the wallboard's stream open."""

    def __init__(self, port: int, name: str) -> None:
        self.name = name
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)
        self.listening = asyncio.Event()
        self.messages: list[tuple[float, dict[str, int]]] = []  # (received, totals)

    async def run(self) -> None:
        await sign_in(self.http, self.name)
        headers = {"accept": "text/event-stream"}
        async with self.http.stream("GET", "/supervision/tablero/eventos", headers=headers) as s:
            async for line in s.aiter_lines():
                if line.startswith("data:"):
                    totals = json.loads(line[5:])["totals"]
                    self.messages.append((time.monotonic(), totals))
                    self.listening.set()


def delays(
    sent: dict[str, list[float]], messages: list[tuple[float, dict[str, int]]]
) -> list[float]:
    """For each published arrival, answer and abandon, the time until a message counted it."""
    out: list[float] = []
    seen = dict.fromkeys(sent, 0)
    for received, totals in messages:
        for kind, times in sent.items():
            counted = min(totals[kind], len(times))
            out += [received - times[k] for k in range(seen[kind], counted)]
            seen[kind] = max(seen[kind], counted)
    return out


async def publish(bus: RedisBus, events: Timeline, sent: dict[str, list[float]]) -> None:
    """Publish each event at its moment, noting when each counted one was sent."""
    began = time.monotonic()
    for at, _, event in events:
        pause = began + at - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        kind = KINDS.get(type(event))
        if kind is not None:
            sent[kind].append(time.monotonic())
        await bus.publish(event.model_copy(update={"occurred_at": utcnow()}))


async def wallboard(port: int, names: list[str], events: Timeline, redis_url: str) -> str:
    supervisors = [Supervisor(port, name) for name in names]
    tasks = [asyncio.create_task(s.run()) for s in supervisors]
    await asyncio.wait_for(asyncio.gather(*(s.listening.wait() for s in supervisors)), 120)
    sent: dict[str, list[float]] = {kind: [] for kind in KINDS.values()}
    bus = RedisBus(url=redis_url)
    began = time.monotonic()
    try:
        await publish(bus, events, sent)
        await asyncio.sleep(3)  # the last updates
    finally:
        elapsed = time.monotonic() - began
        await bus.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for supervisor in supervisors:
            await supervisor.http.aclose()
    counted = sum(len(times) for times in sent.values())
    all_delays: list[float] = []
    missing = 0
    for supervisor in supervisors:
        mine = delays(sent, supervisor.messages)
        missing += counted - len(mine)
        all_delays += mine
    ms = [d * 1000 for d in all_delays] or [float("nan")]
    rate = statistics.mean(len(s.messages) / elapsed for s in supervisors)
    calls = len(sent["offered"])
    arrivals = max(at for at, _, event in events if isinstance(event, CallQueued))
    return (
        f"wallboard: {calls} calls arriving over {arrivals:.0f} s ({len(events):,} events over "
        f"{events[-1][0]:.0f} s) to "
        f"{len(supervisors)} supervisors: update delay p50 {statistics.median(ms):.0f} ms, "
        f"p99 {percentile(ms, 0.99):.0f} ms (max {max(ms):.0f} ms) over {len(ms):,} updates; "
        f"{missing} missing; {rate:.1f} messages/s per stream"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--supervisors", type=int, default=20)
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--no-report", action="store_true", help="skip the 30-day report")
    args = parser.parse_args()
    redis.Redis.from_url(args.redis).flushdb()
    with tempfile.TemporaryDirectory() as data_dir:
        names, phones = seed_staff(data_dir, args.supervisors, args.agents)
        events = timeline(args.calls, args.seconds, phones, random.Random(311))
        env = {
            "SUAC_DATA_DIR": data_dir,
            "SUAC_DATABASE_URL": "",
            "SUAC_REDIS_URL": args.redis,
            "SUAC_SERVE_ROLES": "web,worker",
            "SUAC_CONSOLE__LOGIN_ATTEMPTS_PER_CLIENT": "1000/minute",
        }
        port = free_port()
        server = serve("suac.web:create_app", port, env)
        try:
            print(await wallboard(port, names, events, args.redis), flush=True)
        finally:
            server.terminate()
            server.wait(30)
    if not args.no_report:
        url = wallboard_reports.bench_url()
        print(wallboard_reports.report_time(url), "(benchmarks/wallboard_reports.py)")


if __name__ == "__main__":
    asyncio.run(main())
