"""A webhook's numbers beyond any real call (found by the long fuzzing profile), in a module
of their own: the call events they make must not reach the other fuzz tests' application."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fuzz_support import PUBLIC, twilio_signature, watched_log
from sqlalchemy import Engine

from models.calls import CallRecord
from models.db import session_scope

ABSURD = {"QueueTime": "9" * 30, "QueuePosition": "9" * 30, "CallDuration": "1e300"}
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


def _call(client: TestClient, call_sid: str, numbers: dict[str, str]) -> list[int]:
    """A call through the IVR, the queue and its end, with ``numbers`` in every webhook."""
    form = {"CallSid": call_sid, "From": "+525512345678", "QueueResult": "hangup", **numbers}
    statuses = []
    for target in TARGETS:
        signature = twilio_signature(PUBLIC + target, form)
        response = client.post(target, data=form, headers={"X-Twilio-Signature": signature})
        statuses.append(response.status_code)
    return statuses


def _recorded(engine: Engine, call_sid: str) -> bool:
    with session_scope(engine, readonly=True) as session:
        return session.get(CallRecord, call_sid) is not None


def test_one_refused_call_event_does_not_stop_the_call_records(
    client: TestClient, fuzz_db: Engine
) -> None:
    """The database refuses the absurd call's event; the recorder logs it (no traceback) and
    goes on: the next call is recorded."""
    with watched_log() as errors:
        assert all(status < 500 for status in _call(client, "CA" + "e" * 32, ABSURD))
        assert _call(client, "CA" + "d" * 32, {}) == [200, 200, 200, 200, 204]
        deadline = time.monotonic() + 10  # the recorder writes in the background
        while time.monotonic() < deadline and not _recorded(fuzz_db, "CA" + "d" * 32):
            time.sleep(0.05)
    assert _recorded(fuzz_db, "CA" + "d" * 32), "the call records are stuck"
    assert not errors.tracebacks(), errors.tracebacks()


def test_absurd_numbers_are_refused_at_the_edge(client: TestClient) -> None:
    assert _call(client, "CA" + "c" * 32, ABSURD) == [400] * len(TARGETS)
