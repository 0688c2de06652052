"""Serving metrics outside the web application, and across uvicorn's workers.

- A process without the web role (``suac worker``, ``suac asterisk run``) with
  ``SUAC_METRICS_ADDRESS`` (``host:port``) set answers ``/metrics`` there with
  ``prometheus-client``'s own HTTP server and the process's ``Exposition`` (AMI latencies and
  link states in the telephony process, job failures in a worker). It asks for no token: bind
  it to an address only the monitoring network reaches.
- ``suac serve --workers N`` (N > 1) gives its workers one ``PROMETHEUS_MULTIPROC_DIR``
  (``multiprocess_metrics``), so each worker's counters and histograms are summed at every
  scrape whichever worker answers it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from wsgiref.simple_server import WSGIServer

from prometheus_client import start_http_server

from models.telemetry import MULTIPROCESS_VARIABLE, Exposition

log = logging.getLogger(__name__)


class MetricsServer:
    """``start()`` listens at ``address``; ``stop()`` closes it."""

    def __init__(self, *, address: str, exposition: Exposition) -> None:
        host, _, port = address.rpartition(":")
        self.host, self.port = host.strip("[]") or "0.0.0.0", int(port)
        self._exposition = exposition
        self._server: WSGIServer | None = None

    async def start(self) -> None:
        self._server, _ = start_http_server(self.port, addr=self.host, registry=self._exposition)
        self.port = self._server.server_port
        log.info("metrics at http://%s:%d/metrics", self.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            await asyncio.to_thread(server.shutdown)
            server.server_close()


@contextmanager
def multiprocess_metrics(workers: int) -> Iterator[Path | None]:
    """With several workers, a folder for their metric files in the environment they
    inherit: a fresh one removed afterwards, or the one already given, emptied of an earlier
    run's files first."""
    if workers <= 1:
        yield None
        return
    given = os.environ.get(MULTIPROCESS_VARIABLE)
    folder = Path(given) if given else Path(tempfile.mkdtemp(prefix="suac-metrics-"))
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROCESS_VARIABLE] = str(folder)
    try:
        yield folder
    finally:
        if not given:
            shutil.rmtree(folder, ignore_errors=True)
            del os.environ[MULTIPROCESS_VARIABLE]
