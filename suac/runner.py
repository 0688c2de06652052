"""Running roles in the foreground until Ctrl+C or SIGTERM (``suac worker``,
``suac asterisk run``), with the container built once and closed on the way out."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Collection

from rich.console import Console

from models.config import Settings
from suac.container import build_container
from suac.roles import Runtime

console = Console(soft_wrap=True)


def run_roles(settings: Settings, roles: Collection[str], *, banner: str) -> None:
    """Start ``roles`` and wait for a stop signal."""

    async def main() -> None:
        container = await build_container(settings)
        runtime = Runtime(container, roles=roles)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, stop.set)
        try:
            await runtime.start()
            console.print(banner)
            await stop.wait()
        finally:
            await runtime.stop()
            await container.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
