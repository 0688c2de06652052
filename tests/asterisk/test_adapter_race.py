"""A peer that closes the AMI connection right after accepting it (Asterisk restarting, a
proxy or firewall refusing) must fail the login at once, not after its whole time-out."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import pytest

from ivr.asterisk.errors import AmiConnectionFailed
from ivr.asterisk.panoramisk_adapter import AmiConnection

from .threaded_ami import ami_in_thread


@pytest.fixture
async def busy_loop() -> AsyncIterator[None]:
    """Keep the test's event loop busy (as the telephony role's is, serving FastAGI calls), so
    the peer's close arrives before the connecting coroutine resumes."""
    loop = asyncio.get_running_loop()
    handle: asyncio.Handle | None = None

    def work() -> None:
        nonlocal handle
        time.sleep(0.005)
        handle = loop.call_soon(work)

    handle = loop.call_soon(work)
    yield
    handle.cancel()


@pytest.mark.usefixtures("busy_loop")
async def test_a_peer_closing_right_after_accepting_fails_the_login_at_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with ami_in_thread() as ami:
        ami.peer.hang_up_at_once = True
        for _ in range(3):
            connection = AmiConnection(
                host="127.0.0.1",
                port=ami.peer.port,
                username="suac",
                secret=ami.peer.secret,
                sink=print,
                timeout=2,
            )
            with caplog.at_level(logging.ERROR), pytest.raises(AmiConnectionFailed):
                await connection.open()
            assert connection.closed
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
