"""Keeping a process's copy of the reference data current: when the catalogue, the authorities
or the primary roads change (``ReferenceDataChanged`` on the bus), the classifier (unless only
the roads changed) and the IVR's directory are rebuilt in a thread and swapped in, so calls in
progress never wait for them::

    reloader = ReferenceReloader(bus=bus, engine=engine, directory=directory,
                                 install=container.use_classifier)
    await reloader.start()
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy import Engine

from ivr.classifier import Classifier
from ivr.flow.directory import Directory
from models.bus import EventBus
from models.consumer import BackgroundConsumer
from models.events import Event, ReferenceDataChanged

log = logging.getLogger(__name__)


class ReferenceReloader(BackgroundConsumer):
    """Rebuilds the classifier and reloads the directory on every reference-data change."""

    def __init__(
        self,
        *,
        bus: EventBus,
        engine: Engine,
        directory: Directory,
        install: Callable[[Classifier], None],
    ) -> None:
        super().__init__(bus=bus)
        self._engine, self._directory, self._install = engine, directory, install

    async def handle(self, event: Event) -> None:
        """Reload after a ``ReferenceDataChanged``; ignore every other event."""
        if not isinstance(event, ReferenceDataChanged):
            return
        await self._directory.refresh()
        if event.what != "primary_roads":  # the classifier keeps no roads
            self._install(await asyncio.to_thread(Classifier.from_engine, self._engine))
        log.info("reference data reloaded after a change of %s", event.what)
