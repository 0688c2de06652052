"""A webhook's numbers beyond any real call (found by the long fuzzing profile), alone in its
module: the event they make would be retried by the call recorder for the rest of the
module's application, and its log would fail the other fuzz tests."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fuzz_support import PUBLIC, twilio_signature, watched_log

TARGETS = [
    "/twilio/voice",
    "/twilio/voice/queue/wait?queue=asesores",
    "/twilio/voice/queue/connected?queue=asesores",
    "/twilio/voice/queue/result?queue=asesores",
    "/twilio/voice/status",
]


@pytest.fixture(scope="module")
def client(fuzz_app: FastAPI) -> Iterator[TestClient]:
    """A client of the running application."""
    with TestClient(fuzz_app) as client:
        yield client


@pytest.mark.xfail(
    strict=True,
    reason="VoiceWebhook (ivr/twilio/voice.py, the input-limits work) bounds no duration or "
    "position: 10**30 reaches the call recorder, whose insert fails and is retried forever",
)
def test_absurd_queue_numbers_are_refused_at_the_edge(client: TestClient) -> None:
    form = {
        "CallSid": "CA" + "e" * 32,
        "From": "+525512345678",
        "QueueResult": "hangup",
        "QueueTime": "9" * 30,
        "QueuePosition": "9" * 30,
        "CallDuration": "1e300",
    }
    with watched_log() as errors:
        for target in TARGETS:
            signature = twilio_signature(PUBLIC + target, form)
            response = client.post(target, data=form, headers={"X-Twilio-Signature": signature})
            assert response.status_code < 500
        deadline = time.monotonic() + 3  # the call recorder writes in the background
        while time.monotonic() < deadline and not errors.records:
            time.sleep(0.05)
    assert not errors.tracebacks(), errors.tracebacks()
