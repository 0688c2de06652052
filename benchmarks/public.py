"""Requests per second of the public face with 100,000 requests stored.

Fills an embedded database with ``--requests`` requests of a month (``request_rows``: every
category, alcaldía and colonia, answered, rejected and open ones, their status history),
starts the service as production does (``suac serve --role web --workers N`` on 127.0.0.1,
the workers sharing their limits through Redis, ``--redis``, database 12, flushed first),
warms each page once, then drives it with ``wrk`` (Debian package ``wrk``) for ``--seconds``
over ``--connections`` keep-alive connections: the live board, its JSON, the statistics page,
the folio lookup page and its JSON, over 2,000 real folios asked again and again (each folio's
public view is kept for the period) and over folios each asked once (read every time from the
database). Every look-up passes
through the per-client limiter with its shipped allowance: wrk stands for a proxy the service
trusts (``SUAC_PUBLIC__TRUSTED_PROXIES``) forwarding citizens from 62,500 addresses, each
within its allowance (one client hammering alone is refused, as it should be). The
board and statistics are served from the per-process cache of each period
(``SUAC_PUBLIC__CACHE_SECONDS``), as in production. Prints one line per page::

    /tablero: 2140 req/s, p50 21 ms, p99 48 ms, errors 0
    /folio?folio=… (every folio once, none kept): 610 req/s, p50 40 ms, p99 95 ms, errors 0

Run: ``.venv/bin/python benchmarks/public.py [--requests 100000] [--workers 2]``
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import redis

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from request_rows import store_requests  # noqa: E402

from models.business_days import BusinessCalendar  # noqa: E402
from models.config import Settings  # noqa: E402
from models.folio import make_folio  # noqa: E402
from suac.container import prepare_database  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)
FOLIOS = 2000
# each look-up from its own client address, forwarded by the trusted proxy (127.0.0.1)
ROTATE = """
local folios = {%s}
local n = 0
request = function()
  n = n + 1
  local client = "10." .. (n %% 250) .. "." .. (math.floor(n / 250) %% 250) .. ".7"
  return wrk.format("GET", "%s" .. folios[(n %% #folios) + 1], {["X-Forwarded-For"] = client})
end
"""


def seed(data_dir: Path, count: int) -> list[str]:
    """Store ``count`` requests of the last 30 days; their folios."""
    settings = Settings(data_dir=data_dir, database_url="", redis_url="", _env_file=None)  # type: ignore[call-arg]
    engine = prepare_database(settings)
    start = NOW - timedelta(days=30)
    store_requests(engine, count, BusinessCalendar.default(), start=start, now=NOW)
    engine.dispose()
    return [make_folio(start.year, n) for n in range(1, count + 1)]


def serve(data_dir: Path, port: int, workers: int, redis_url: str) -> subprocess.Popen:
    """``suac serve --role web`` on ``port``, waited for until it answers."""
    env = {
        **os.environ,
        "SUAC_DATA_DIR": str(data_dir),
        "SUAC_DATABASE_URL": "",
        "SUAC_REDIS_URL": redis_url,
        "SUAC_PUBLIC__TRUSTED_PROXIES": '["127.0.0.1"]',
    }
    command = [str(Path(sys.executable).parent / "suac"), "serve", "--role", "web"]
    command += ["--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError("el servicio no arrancó")


def _millis(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if found is None:
        raise ValueError(f"wrk latency not understood: {text!r}")
    value, unit = found.groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def drive(base: str, path: str, seconds: int, connections: int, script: Path | None) -> str:
    """One ``wrk`` run against ``path``: its requests per second, p50, p99 and errors."""
    command = ["wrk", "--latency", f"-d{seconds}s", f"-c{connections}", "-t2"]
    command += ["-s", str(script)] if script else []
    output = subprocess.run(
        [*command, base + path], capture_output=True, text=True, check=True
    ).stdout
    if "Requests/sec" not in output or "50%" not in output:
        raise RuntimeError(output)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _millis(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _millis(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    failed = re.search(r"Socket errors: .*", output)
    problems = (int(errors.group(1)) if errors else 0, failed.group(0) if failed else "")
    return (
        f"{rate:.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, errors {problems[0]}"
        f"{' ' + problems[1] if problems[1] else ''}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    redis.Redis.from_url(args.redis).flushdb()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        started = time.perf_counter()
        folios = seed(data_dir, args.requests)
        print(f"{args.requests} requests stored in {time.perf_counter() - started:.0f} s")
        server = serve(data_dir, args.port, args.workers, args.redis)
        base = f"http://127.0.0.1:{args.port}"
        try:
            for path in ("/tablero", "/api/public/tablero", "/estadisticas"):
                httpx.get(base + path, timeout=60).raise_for_status()
                print(f"{path}: {drive(base, path, args.seconds, args.connections, None)}")
            random.Random(3).shuffle(folios)
            asked = {"2,000 folios, each again within the period": folios[:FOLIOS]}
            asked["every folio once, none kept"] = folios[FOLIOS:]
            for prefix in ("/folio?folio=", "/api/public/folios/"):
                httpx.get(base + prefix + folios[0], timeout=60).raise_for_status()
                for label, chosen in asked.items():
                    script = data_dir / "rotate.lua"
                    script.write_text(ROTATE % (",".join(f'"{f}"' for f in chosen), prefix))
                    figures = drive(base, "/", args.seconds, args.connections, script)
                    print(f"{prefix}… ({label}): {figures}")
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
