"""Prometheus metrics: what the processes observe, what is read at each scrape, and the text
the scrape gets.

Observed where it happens (``prometheus-client`` metric objects, one per process, summed over
uvicorn's workers by its multiprocess mode when ``PROMETHEUS_MULTIPROC_DIR`` is set):

- ``suac_twilio_webhook_seconds{route,status}``: time to answer Twilio's webhooks (web role);
- ``suac_ami_action_seconds{server,action}``: time for Asterisk to answer an AMI action
  (telephony role);
- ``suac_job_failures_total{kind,outcome}``: failed job attempts, ``retry`` (rescheduled) or
  ``failed`` (kept as failed) (worker role).

Read at each scrape by collectors (``Exposition(collectors=[...])``), so every process and
worker answers the same: the queues' live state (``models.queue_gauges``), today's call
figures and the job queue (``models.telemetry_collectors``) and each AMI link
(``ivr.asterisk.link_metrics``)::

    exposition = Exposition(collectors=[JobDepth(engine)])
    body, content_type = exposition.render()
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

WEBHOOK_SECONDS = Histogram(
    "suac_twilio_webhook_seconds",
    "Time to answer a Twilio webhook, by route and HTTP status.",
    ["route", "status"],
    buckets=LATENCY_BUCKETS,
)
AMI_ACTION_SECONDS = Histogram(
    "suac_ami_action_seconds",
    "Time for Asterisk to answer an AMI action (failures and time-outs included).",
    ["server", "action"],
    buckets=LATENCY_BUCKETS,
)
JOB_FAILURES = Counter(
    "suac_job_failures",
    "Failed job attempts: outcome=retry (rescheduled) or failed (kept as failed).",
    ["kind", "outcome"],
)


class Exposition:
    """This process's metrics and the scrape-time collectors, as Prometheus text."""

    def __init__(self, *, collectors: Sequence[Collector] = ()) -> None:
        self.collectors = list(collectors)

    def collect(self) -> Iterator[Metric]:
        """Every metric (a registry for ``generate_latest`` and ``start_http_server``)."""
        if os.environ.get(MULTIPROCESS_VARIABLE):
            # the counters and histograms of every worker, summed from their files
            yield from MultiProcessCollector(None).collect()
        else:
            yield from REGISTRY.collect()
        for collector in self.collectors:
            yield from collector.collect()

    def render(self) -> tuple[bytes, str]:
        """The scrape's body and content type."""
        registry = CollectorRegistry(auto_describe=False)
        registry.register(self)
        return generate_latest(registry), CONTENT_TYPE_LATEST
