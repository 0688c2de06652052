"""Throughput and latency of a full IVR step over Twilio webhooks, against a bare endpoint.

Two real uvicorn servers on 127.0.0.1 (one process each): the whole app (embedded SQLite,
signature validation on, stored call state, the flow reading a real folio's status), and a bare
FastAPI endpoint returning constant TwiML. 200 simulated calls (the same client: requests
signed as Twilio signs them, TwiML parsed) run at once against each, for a bounded time and
number of requests, over plain asyncio HTTP/1.1 connections. Three phases: the IVR with every
call pressing keys back to back (its capacity), the IVR with callers pausing about
``--think-seconds`` before each key as people do (latency at that concurrency), and the bare
endpoint back to back. Two more phases register requests by phone (describe, confirm,
alcaldía and its read-back, reference: the folio SMS is a job of the same process) with a
local stand-in for Twilio's REST API that answers at once, then hangs without answering: the
steps' p99 must not differ by more than noise, since nothing on a webhook's path calls the
REST API. The last
lines read like::

    ivr step: 850 req/s, bare: 1200 req/s, ratio 71%, p50 9 ms, p99 31 ms
    registration (REST API up): 2400 steps, p50 4 ms, p99 20 ms; SMS accepted 480
    registration (REST API hanging): 2400 steps, p50 4 ms, p99 21 ms; SMS accepted 0

Run: ``.venv/bin/python benchmarks/twilio_webhooks.py [--calls 200] [--seconds 10]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ivr.twilio.simulator import SimulatedCall, TwimlPage  # noqa: E402
from models.config import Settings, TwilioSettings  # noqa: E402

PUBLIC = "https://locatel.example.mx"
TOKEN = "benchmark-token"
BARE_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/bare" input="dtmf">'
    '<Say language="es-MX">Marque 1.</Say></Gather></Response>'
)


class RestStandIn:
    """Twilio's REST API on 127.0.0.1: answers 201 to every message, or (``hanging``) reads
    the request and never answers, as an API that stopped responding."""

    def __init__(self) -> None:
        self.hanging = False
        self.accepted = 0
        self.port = 0
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                length = next(
                    (
                        int(h.split(":")[1])
                        for h in head.split("\r\n")
                        if h.lower().startswith("content-length:")
                    ),
                    0,
                )
                await reader.readexactly(length)
                if self.hanging:
                    await asyncio.sleep(3600)
                self.accepted += 1
                body = f'{{"sid": "SM{self.accepted:032x}", "status": "queued"}}'.encode()
                writer.write(
                    b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()


def make_bare_app():  # noqa: ANN201
    """A FastAPI app whose only endpoint returns constant TwiML (the baseline)."""
    from fastapi import FastAPI, Response

    app = FastAPI()

    @app.post("/bare")
    async def bare() -> Response:
        return Response(BARE_TWIML, media_type="application/xml")

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(target: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    """Start uvicorn on 127.0.0.1:``port`` and wait until it answers."""
    command = [sys.executable, "-m", "uvicorn", target, "--factory", "--port", str(port)]
    command += ["--host", "127.0.0.1", "--log-level", "warning", "--no-access-log"]
    process = subprocess.Popen(command, cwd=REPO, env={**os.environ, **env})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{target} did not start")


async def seed_folio(settings: Settings) -> str:
    """Migrate the benchmark database and register one request to ask about."""
    from models.requests import Channel, RequestCreate
    from suac.container import build_container

    container = await build_container(settings)
    try:
        request = await container.requests.register(
            RequestCreate(catalogue_code="AGU-001", channel=Channel.AGENT, alcaldia="Tlalpan"),
            actor="benchmark",
        )
        return request.folio
    finally:
        await container.close()


async def ivr_caller(  # noqa: ANN201
    http,  # noqa: ANN001
    folio: str,
    until: float,
    latencies: list[float],
    budget: list[int],
    think: float = 0.0,
):
    """One call: menu → 2 → folio → status → 1 → folio → … until time or budget runs out.

    ``think`` is the mean pause before each key press (a caller listening to the prompt),
    drawn between half and one and a half times it so the calls do not move in lockstep.
    """
    call = SimulatedCall(http=http, public_base_url=PUBLIC, auth_token=TOKEN)
    for page in (await call.start(), await call.press("2")):
        if page.status_code != 200 or not page.action:
            raise RuntimeError(f"unexpected answer: {page.status_code} {page.xml[:300]}")
    while time.monotonic() < until and budget[0] > 0:
        for keys in (folio, "1"):
            await asyncio.sleep(think * random.uniform(0.5, 1.5) if think else 0)
            budget[0] -= 1
            started = time.perf_counter()
            page = await call.press(keys)
            latencies.append(time.perf_counter() - started)
            if page.status_code != 200 or not page.action:
                raise RuntimeError(f"unexpected answer: {page.status_code} {page.xml[:200]}")


REGISTRATION = (
    ("press", "1"),
    ("say", "hay un bache enorme en mi calle"),
    ("press", "1"),
    ("press", "14"),
    ("press", "1"),  # the alcaldía read back is right
    ("say", "calle Morelos frente al mercado"),
)


async def registering_caller(  # noqa: ANN201
    http,  # noqa: ANN001
    until: float,
    latencies: list[float],
    budget: list[int],
    think: float = 0.3,
):
    """One call after another registering a pothole: every step's latency is kept."""
    while time.monotonic() < until and budget[0] > 0:
        call = SimulatedCall(
            http=http, public_base_url=PUBLIC, auth_token=TOKEN, caller="+525512345678"
        )
        await call.start()
        for how, value in REGISTRATION:
            await asyncio.sleep(think * random.uniform(0.5, 1.5))
            budget[0] -= 1
            started = time.perf_counter()
            page = await getattr(call, how)(value)
            latencies.append(time.perf_counter() - started)
            if page.status_code != 200:
                raise RuntimeError(f"unexpected answer: {page.status_code} {page.xml[:200]}")
        if "registrada" not in page.text:
            raise RuntimeError(f"the call registered nothing: {page.text[:300]}")


async def bare_caller(http, until: float, latencies: list[float], budget: list[int]):  # noqa: ANN001, ANN201
    """The same simulated call (signed requests, TwiML parsed), answered by constant TwiML."""
    call = SimulatedCall(http=http, public_base_url=PUBLIC, auth_token=TOKEN)
    call.last = TwimlPage.parse(200, BARE_TWIML)
    while time.monotonic() < until and budget[0] > 0:
        budget[0] -= 1
        started = time.perf_counter()
        page = await call.press("1")
        latencies.append(time.perf_counter() - started)
        if page.status_code != 200 or not page.action:
            raise RuntimeError(f"bare endpoint answered {page.status_code}")


class RawResponse:
    """The two things the simulated call reads of a response."""

    def __init__(self, status_code: int, text: str) -> None:
        self.status_code = status_code
        self.text = text


class RawHttp:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams, one connection per call.

    httpx's connection pool collapses above a few dozen concurrent connections (measured here:
    1,100 req/s with 10 callers, 75 req/s with 200), which would measure the load generator
    instead of the servers; this client costs a few microseconds per request.
    """

    def __init__(self, port: int) -> None:
        self._port = port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, data: dict[str, str], headers: dict[str, str] | None = None):  # noqa: ANN201
        if self._streams is None:
            self._streams = await asyncio.open_connection("127.0.0.1", self._port)
        reader, writer = self._streams
        body = urlencode(data).encode()
        head = [
            f"POST {path} HTTP/1.1",
            "Host: 127.0.0.1",
            "Content-Type: application/x-www-form-urlencoded",
            f"Content-Length: {len(body)}",
            *(f"{k}: {v}" for k, v in (headers or {}).items()),
        ]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await writer.drain()
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        length = next(
            (
                int(line.split(":")[1])
                for line in lines
                if line.lower().startswith("content-length:")
            ),
            0,
        )
        return RawResponse(int(lines[0].split()[1]), (await reader.readexactly(length)).decode())

    async def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()


async def run_phase(port: int, calls: int, seconds: float, budget: int, make) -> tuple:  # noqa: ANN001
    """Run ``calls`` callers for at most ``seconds`` and ``budget`` requests in all."""
    latencies: list[float] = []
    left = [budget]
    clients = [RawHttp(port) for _ in range(calls)]
    started = time.monotonic()
    until = started + seconds
    await asyncio.gather(*(make(http, until, latencies, left) for http in clients))
    elapsed = time.monotonic() - started
    for client in clients:
        await client.close()
    return len(latencies) / elapsed, latencies


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100)[int(share * 100) - 1]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--redis-url", default="", help="keep call state in this Redis")
    parser.add_argument(
        "--think-seconds",
        type=float,
        default=1.0,
        help="pause before each key press in the paced phase (callers listen to prompts)",
    )
    args = parser.parse_args()
    rest = RestStandIn()
    await rest.start()
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            "SUAC_TWILIO__ACCOUNT_SID": "AC" + "0" * 32,
            "SUAC_TWILIO__API_BASE_URL": f"http://127.0.0.1:{rest.port}",
            "SUAC_TWILIO__SMS_SENDER": "LOCATEL",
            "SUAC_DATA_DIR": data_dir,
            "SUAC_PUBLIC_BASE_URL": PUBLIC,
            "SUAC_TWILIO__AUTH_TOKEN": TOKEN,
            "SUAC_REDIS_URL": "",
            "SUAC_IVR__STATE_REDIS_URL": args.redis_url,
            "SUAC_DATABASE_URL": "",
            # every simulated call looks folios up back to back: lift the per-number limit
            "SUAC_IVR__STATUS_QUERIES_PER_HOUR": "1000000000",
        }
        settings = Settings(
            data_dir=Path(data_dir),
            public_base_url=PUBLIC,
            twilio=TwilioSettings(auth_token=TOKEN),
            _env_file=None,
        )
        folio = await seed_folio(settings)
        ivr_port, bare_port = free_port(), free_port()
        servers = [
            serve("suac.web:create_app", ivr_port, env),
            serve("benchmarks.twilio_webhooks:make_bare_app", bare_port, env),
        ]
        try:
            ivr_rate, ivr_lat = await run_phase(
                ivr_port,
                args.calls,
                args.seconds,
                args.max_requests,
                lambda http, until, lat, left: ivr_caller(http, folio, until, lat, left),
            )
            paced_rate, paced_lat = await run_phase(
                ivr_port,
                args.calls,
                args.seconds,
                args.max_requests,
                lambda http, until, lat, left: ivr_caller(
                    http, folio, until, lat, left, args.think_seconds
                ),
            )
            bare_rate, _ = await run_phase(
                bare_port,
                args.calls,
                args.seconds,
                args.max_requests,
                bare_caller,
            )
            registration = {}
            for hanging in (False, True):
                rest.hanging, before = hanging, rest.accepted
                _, latencies = await run_phase(
                    ivr_port, 50, args.seconds, args.max_requests, registering_caller
                )
                registration[hanging] = (latencies, rest.accepted - before)
        finally:
            rest.close()
            for server in servers:
                server.terminate()
                server.wait(10)
    p50, p99 = percentile(ivr_lat, 0.50) * 1000, percentile(ivr_lat, 0.99) * 1000
    store = "Redis" if args.redis_url else "SQLite"
    print(
        f"paced ({args.calls} calls, {args.think_seconds:g} s before each key): "
        f"{paced_rate:.0f} req/s, p50 {percentile(paced_lat, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(paced_lat, 0.99) * 1000:.0f} ms"
    )
    print(f"{len(ivr_lat)} IVR steps by {args.calls} concurrent calls, call state in {store}")
    print(
        f"ivr step: {ivr_rate:.0f} req/s, bare: {bare_rate:.0f} req/s, "
        f"ratio {ivr_rate / bare_rate:.0%}, p50 {p50:.0f} ms, p99 {p99:.0f} ms"
    )
    for hanging, (latencies, accepted) in registration.items():
        print(
            f"registration (REST API {'hanging' if hanging else 'up'}): {len(latencies)} steps, "
            f"p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms; SMS accepted {accepted}"
        )


if __name__ == "__main__":
    asyncio.run(main())
