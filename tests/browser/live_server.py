"""A real uvicorn server in a thread, for the browser tests, with a way to run coroutines on
its event loop (the container's parts belong to that loop)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import uvicorn
from fastapi import FastAPI

from suac.container import Container

T = TypeVar("T")


class LiveServer:
    """``create_app(settings)`` served on ``127.0.0.1:port`` until :meth:`stop`."""

    def __init__(self, app: FastAPI, port: int) -> None:
        self.app, self.url = app, f"http://127.0.0.1:{port}"
        self._server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        self._thread = threading.Thread(target=self._server.run, name="live-server")
        self.loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        self._thread.start()
        for _ in range(600):
            if self._server.started:
                break
            threading.Event().wait(0.05)
        assert self._server.started, "the server did not start"
        assert self._server.servers, "no listening socket"
        self.loop = self._server.servers[0].get_loop()

    @property
    def container(self) -> Container:
        return self.app.state.container  # type: ignore[no-any-return]

    def run(self, make: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run ``make(*args, **kwargs)`` on the server's loop and wait for its result."""
        assert self.loop is not None

        async def call() -> T:
            return await make(*args, **kwargs)

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(30)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(30)
