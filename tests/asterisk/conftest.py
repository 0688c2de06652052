"""Fixtures of the Asterisk tests: the scripted AMI peer and the recorded transcripts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .fake_ami import FakeAmi

TRANSCRIPTS = Path(__file__).resolve().parents[3] / "shared" / "asterisk"


@pytest.fixture
async def fake_ami() -> AsyncIterator[FakeAmi]:
    """A running scripted AMI peer (its port is ``fake_ami.port``)."""
    peer = FakeAmi()
    await peer.start()
    yield peer
    await peer.close()


@pytest.fixture
def transcripts() -> Path:
    """The folder of raw AMI and FastAGI transcripts recorded from Asterisk 22."""
    if not TRANSCRIPTS.is_dir():
        pytest.skip(f"transcripts not found in {TRANSCRIPTS}")
    return TRANSCRIPTS
