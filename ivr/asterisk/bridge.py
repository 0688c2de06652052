"""The AMI bridge: one long-lived connection per Asterisk server, events fanned out on the bus.

Each :class:`ServerLink` owns its connection: it logs in, resynchronises
(``CoreShowChannels``, ``QueueStatus``, ``QueueSummary``) on every (re)connect, keeps the link
alive with ``Ping`` and reconnects with exponential back-off. The socket callback only
updates the :class:`CallTracker` and the :class:`QueueBoard` and queues events (a queue that
changed is published as a ``QueueSnapshot``; :meth:`AmiBridge.refresh_queues` corrects and
publishes them all); publishing (through the notifier,
possibly to Redis) runs in another task, because Asterisk drops an AMI client that stops
reading for more than 100 ms. Call records are written by the recorder, from the bus.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

from ivr.asterisk.ami_types import AmiAnswer
from ivr.asterisk.call_tracker import CallTracker
from ivr.asterisk.errors import AmiBadAction, AmiConnectionFailed, AmiLoginFailed, AsteriskError
from ivr.asterisk.panoramisk_adapter import AmiConnection
from ivr.asterisk.queue_state import QueueBoard
from ivr.flow.ports import EventPublisher
from models.cancellation import raise_if_cancelled
from models.config import AsteriskServer
from models.events import BaseEvent

log = logging.getLogger(__name__)
QUEUE_ACTIONS = ("QueueStatus", "QueueSummary")
RESYNC_ACTIONS = ("CoreShowChannels", *QUEUE_ACTIONS)


@dataclass(frozen=True)
class Backoff:
    """Reconnection delays: ``first``, doubling up to ``ceiling``."""

    first: float = 0.5
    ceiling: float = 30.0

    def delays(self):  # noqa: ANN201  (an endless generator of floats)
        delay = self.first
        while True:
            yield delay
            delay = min(delay * 2, self.ceiling)


class ServerLink:
    """One Asterisk server: connection, resynchronisation and event fan-out."""

    def __init__(
        self,
        *,
        server: AsteriskServer,
        outbox: asyncio.Queue[BaseEvent],
        timeout: float,
        keepalive: float,
        backoff: Backoff,
    ) -> None:
        self.server = server
        self.tracker = CallTracker(source=f"asterisk:{server.name}")
        self.queues = QueueBoard(source=self.tracker.source)
        self._outbox = outbox
        self._timeout, self._keepalive, self._backoff = timeout, keepalive, backoff
        self.connection: AmiConnection | None = None
        self.connected = asyncio.Event()
        self.last_error = ""
        self.connects = 0

    def _on_event(self, headers: dict[str, str]) -> None:
        for event in self.tracker.feed(headers):
            self._outbox.put_nowait(event)
        for queue in self.queues.feed(headers):
            self._outbox.put_nowait(self.queues.snapshot(queue))

    async def run(self) -> None:
        """Stay connected until cancelled."""
        delays = self._backoff.delays()
        while True:
            connects = self.connects
            try:
                await self._session()
            except AmiLoginFailed as error:
                self.last_error = error.message
                log.error("%s", error.message)
            except (AsteriskError, OSError) as error:
                raise_if_cancelled()  # an action's time-out may hide our own cancellation
                self.last_error = str(error)
                log.warning("AMI link %s down: %s", self.server.name, error)
            finally:
                self.connected.clear()
                if self.connection is not None:
                    self.connection.close()
            if self.connects > connects:  # it was up: start the back-off again
                delays = self._backoff.delays()
            await asyncio.sleep(next(delays))

    async def _session(self) -> None:
        connection = AmiConnection(
            host=self.server.host,
            port=self.server.port,
            username=self.server.username,
            secret=self.server.secret.get_secret_value(),
            sink=self._on_event,
            wanted=self.tracker.wanted | self.queues.wanted,
            timeout=self._timeout,
            name=self.server.name,
        )
        self.connection = connection
        await connection.open()
        await self.resync(connection)
        self.connects += 1
        self.last_error = ""
        self.connected.set()
        log.info("AMI link %s up (connection %d)", self.server.name, self.connects)
        closed = asyncio.ensure_future(connection.wait_closed())
        try:  # asyncio.wait, unlike wait_for on 3.11, never swallows a cancellation
            while not (await asyncio.wait({closed}, timeout=self._keepalive))[0]:
                await connection.send("Ping")
        finally:
            closed.cancel()
        raise AmiConnectionFailed(f"Asterisk {self.server.name} cerró la conexión AMI.")

    async def resync(self, connection: AmiConnection) -> None:
        """Reconcile calls, members and queues with what Asterisk reports now."""
        await self._lists(connection, RESYNC_ACTIONS)

    async def refresh(self) -> None:
        """Correct the queues' state with ``QueueStatus`` and publish every queue."""
        if self.connection is not None and self.connected.is_set():
            await self._lists(self.connection, QUEUE_ACTIONS)

    async def _lists(self, connection: AmiConnection, names: tuple[str, ...]) -> None:
        answers = await asyncio.gather(
            *(
                connection.send(name, as_list=True, on_answer=partial(self._apply, name))
                for name in names
            ),
            return_exceptions=True,
        )
        for name, answer in zip(names, answers, strict=True):
            if isinstance(answer, AmiConnectionFailed):
                raise answer
            if isinstance(answer, BaseException) or not answer.success:
                reason = answer if isinstance(answer, BaseException) else answer.message
                log.warning("%s on %s failed: %s", name, self.server.name, reason)

    def _apply(self, name: str, answer: AmiAnswer) -> None:
        """Apply a list at its place in the event stream (called by the adapter)."""
        if not answer.success:
            return
        events: list[BaseEvent]
        if name == "CoreShowChannels":
            events = self.tracker.resync_channels(answer.items)
        elif name == "QueueStatus":
            events = [e for item in answer.items for e in self.tracker.feed(item)]
            events += self.tracker.agents.resync(answer.items)  # who logged out
            self.queues.apply_status(answer.items)
        else:
            events = list(self.queues.apply_summary(answer.items))
        for event in events:
            self._outbox.put_nowait(event)


class AmiBridge:
    """Every configured server's link and the task that publishes their events."""

    def __init__(
        self,
        *,
        servers: list[AsteriskServer],
        notifier: EventPublisher,
        timeout: float = 10.0,
        keepalive: float = 10.0,
        backoff: Backoff | None = None,
    ) -> None:
        self._notifier = notifier
        self._outbox: asyncio.Queue[BaseEvent] = asyncio.Queue()
        self.links = {
            s.name: ServerLink(
                server=s,
                outbox=self._outbox,
                timeout=timeout,
                keepalive=keepalive,
                backoff=backoff or Backoff(),
            )
            for s in servers
        }
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        """Start every link and the publisher."""
        self._tasks = [asyncio.create_task(link.run()) for link in self.links.values()]
        self._tasks.append(asyncio.create_task(self._publish()))

    async def stop(self) -> None:
        """Stop everything and close the connections."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for link in self.links.values():
            if link.connection is not None:
                link.connection.close()

    async def _publish(self) -> None:
        while True:
            event = await self._outbox.get()
            try:
                await self._notifier.publish(event)
            except Exception:  # noqa: BLE001  (a bus hiccup must not stop the bridge)
                log.exception("could not publish %s", type(event).__name__)
            self._outbox.task_done()

    async def drain(self) -> None:
        """Wait until every event so far is published."""
        await self._outbox.join()

    async def refresh_queues(self) -> None:
        """Correct and publish every connected server's queues."""
        links = list(self.links.values())
        results = await asyncio.gather(*(link.refresh() for link in links), return_exceptions=True)
        for link, result in zip(links, results, strict=True):
            if isinstance(result, Exception):  # the link reconnects and resynchronises itself
                log.warning("queue refresh on %s failed: %s", link.server.name, result)

    async def send(self, server: str, action: str, **headers: Any) -> AmiAnswer:
        """Send an action on ``server``'s link (the only one when ``server`` is empty)."""
        link = self.links.get(server) if server else next(iter(self.links.values()), None)
        if link is None:
            raise AmiBadAction(f"No hay un servidor Asterisk llamado «{server}».")
        if link.connection is None or not link.connected.is_set():
            raise AmiConnectionFailed(f"Asterisk {link.server.name} no está conectado.")
        return await link.connection.send(action, **headers)
