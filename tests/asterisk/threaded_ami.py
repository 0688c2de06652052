"""The scripted AMI peer on its own event loop in a thread, for tests whose server runs on
another loop (``TestClient``'s portal, the browser tests' live server)::

    with ami_in_thread() as ami:
        ami.push({"Event": "Newchannel", ...})
        ami.peer.received
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from models.config import AsteriskServer, AsteriskSettings, Settings
from tests.asterisk.fake_ami import FakeAmi, Headers


@dataclass(frozen=True)
class AmiThread:
    """The peer and the loop that serves it."""

    peer: FakeAmi
    loop: asyncio.AbstractEventLoop

    def push(self, *frames: bytes | Headers) -> None:
        """Send AMI events to the peer's clients, from any thread."""
        asyncio.run_coroutine_threadsafe(self.peer.push(*frames), self.loop).result(10)


@contextlib.contextmanager
def ami_in_thread() -> Iterator[AmiThread]:
    """A started peer (its ``port`` set) served by a loop of its own until the block ends."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fake-ami", daemon=True)
    thread.start()
    peer = FakeAmi()
    asyncio.run_coroutine_threadsafe(peer.start(), loop).result(10)
    try:
        yield AmiThread(peer=peer, loop=loop)
    finally:
        asyncio.run_coroutine_threadsafe(peer.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def settings_for_peer(data_dir: Path, peer: FakeAmi) -> Settings:
    """Embedded settings whose one Asterisk server is ``peer`` (DTMF only, short time-outs)."""
    server = AsteriskServer(name="locatel", port=peer.port, secret=SecretStr(peer.secret))
    return Settings(
        data_dir=data_dir,
        asterisk=AsteriskSettings(
            servers=[server],
            agi_port=0,
            speech="dtmf",
            action_timeout_seconds=3,
            prompts_dir=str(data_dir / "voz"),
            recordings_dir=str(data_dir / "grabaciones"),
        ),
        _env_file=None,
    )
