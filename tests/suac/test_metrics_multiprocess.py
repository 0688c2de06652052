"""``suac serve --workers 2``: whichever worker answers the scrape, ``/metrics`` counts the
webhooks both workers answered (prometheus-client's multiprocess mode, one folder of metric
files per deployment)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from models.config import Settings
from suac.container import prepare_database
from tests.suac.test_processes import free_port, wait_until

COUNT = "suac_twilio_webhook_seconds_count"


def webhooks_counted(url: str) -> float:
    """The forged-webhook count one scrape reports (a fresh connection: any worker)."""
    text = httpx.get(f"{url}/metrics", timeout=5, headers={"connection": "close"}).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == COUNT and sample.labels == {
                "route": "/twilio/voice",
                "status": "403",
            }:
                return sample.value
    return 0.0


def forged_webhook(url: str) -> int:
    """An unsigned Twilio webhook on a connection of its own (refused: 403)."""
    with httpx.Client(headers={"connection": "close"}) as client:
        return client.post(f"{url}/twilio/voice", data={"CallSid": "CA1"}, timeout=5).status_code


def test_two_workers_counters_are_summed(tmp_path: Path) -> None:
    prepare_database(Settings(data_dir=tmp_path, _env_file=None)).dispose()  # migrated once
    folder = tmp_path / "metricas"
    folder.mkdir()
    (folder / "histogram_1.db").write_bytes(b"")  # an earlier run's file: removed at start
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SUAC_DATA_DIR": str(tmp_path), "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    log = (tmp_path / "serve.log").open("wb")
    command = [sys.executable, "-m", "suac.cli", "serve", "--role", "web", "--workers", "2"]
    server = subprocess.Popen(
        [*command, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:

        def ready() -> bool:
            try:
                return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, 120, "the server answering")
        sent = 0
        with ThreadPoolExecutor(8) as pool:
            deadline = time.monotonic() + 60
            # until both workers have answered some (each writes its own file)
            while len(list(folder.glob("histogram_*.db"))) < 2 or sent < 40:
                assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                assert set(pool.map(forged_webhook, [url] * 8)) == {403}
                sent += 8
        pids = {path.stem.split("_")[1] for path in folder.glob("histogram_*.db")}
        assert "1" not in pids and len(pids) == 2
        assert [webhooks_counted(url) for _ in range(10)] == [sent] * 10
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
