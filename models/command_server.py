"""The owner's side of the commands (see :mod:`models.commands`): serve one target.

    server = CommandServer(client=client, target=target, handlers=handlers, owner="host:12")
    await server.start()        # this process's calls now run directly; others' over Redis
    ...
    await server.stop()

On Redis the server holds ``<target>:owner`` (a heartbeat every ``heartbeat`` seconds renews
a TTL of three heartbeats; a second process finds it held and stands by, taking over when it
lapses) and takes requests from ``<target>:inbox`` one at a time with ``BRPOP``. Each request
runs in its own task, so a slow PBX answer does not hold the ones behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from pydantic import ValidationError

from models.cancellation import raise_if_cancelled
from models.commands import (
    REPLY_SECONDS,
    SEEN_SECONDS,
    CommandClient,
    CommandRequest,
    Handlers,
    Target,
    execute,
    key,
)

log = logging.getLogger(__name__)

# Take or renew the owner key when it is free or ours.
_CLAIM = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
POP_SECONDS = 1


class CommandServer:
    """Serves ``target``'s commands with ``handlers``, in this process and over Redis."""

    def __init__(
        self,
        *,
        client: CommandClient,
        target: Target,
        handlers: Handlers,
        owner: str,
        heartbeat: float = 1.0,
    ) -> None:
        self._client, self.target, self._handlers = client, target, handlers
        self.owner, self._heartbeat = owner, heartbeat
        self.owning = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._running: set[asyncio.Task[None]] = set()

    @property
    def _redis(self) -> Any:
        return self._client.redis

    async def start(self) -> None:
        """Serve locally now; on Redis, claim the target (before returning) and serve it."""
        self._client.serve_locally(self.target, self._handlers)
        if self._redis is None:
            return
        await self._claim()
        self._tasks = [
            asyncio.create_task(self._beat(), name=f"commands-owner:{self.target.key}"),
            asyncio.create_task(self._serve(), name=f"commands:{self.target.key}"),
        ]

    async def _claim(self) -> None:
        ttl_ms = int(self._heartbeat * 3000)
        held = await self._redis.eval(_CLAIM, 1, key(self.target.key, "owner"), self.owner, ttl_ms)
        if held and not self.owning.is_set():
            log.info("serving commands for %s as %s", self.target.key, self.owner)
            self.owning.set()
        elif not held and self.owning.is_set():
            log.error("another process took the commands for %s", self.target.key)
            self.owning.clear()
        elif not held:
            log.warning("commands for %s are served by another process", self.target.key)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat)
            try:
                await self._claim()
            except Exception as error:  # noqa: BLE001  (Redis down: try again next beat)
                raise_if_cancelled()
                log.warning("could not renew ownership of %s: %s", self.target.key, error)

    async def _serve(self) -> None:
        inbox = key(self.target.key, "inbox")
        while True:
            await self.owning.wait()
            try:
                popped = await self._redis.brpop([inbox], POP_SECONDS)
            except Exception as error:  # noqa: BLE001  (Redis down: back off, then read on)
                raise_if_cancelled()
                log.warning("could not read commands for %s: %s", self.target.key, error)
                await asyncio.sleep(self._heartbeat)
                continue
            if popped is not None:
                task = asyncio.create_task(self._handle(popped[1]))
                self._running.add(task)
                task.add_done_callback(self._running.discard)

    async def _handle(self, raw: bytes) -> None:
        try:
            request = CommandRequest.model_validate_json(raw)
        except ValidationError:
            log.warning("ignored an undecodable command for %s", self.target.key)
            return
        if time.time() >= request.deadline:
            log.warning(
                "command %s (%s) came after its deadline: dropped", request.id, request.name
            )
            return
        try:
            await self._answer(request)
        except Exception:  # Redis lost mid-command: the requester sees a time-out
            log.exception("command %s (%s) could not be answered", request.id, request.name)

    async def _answer(self, request: CommandRequest) -> None:
        if not await self._redis.set(key("done", request.id), self.owner, nx=True, ex=SEEN_SECONDS):
            log.warning("command %s (%s) seen before: dropped", request.id, request.name)
            return
        reply = await execute(self._handlers, request)
        reply_key = key("reply", request.id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.lpush(reply_key, reply.model_dump_json())
            pipe.expire(reply_key, REPLY_SECONDS)
            await pipe.execute()

    async def stop(self) -> None:
        """Stop taking commands, let those running finish, give the target up."""
        self._client.stop_serving_locally(self.target)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._running:
            await asyncio.wait(set(self._running), timeout=5)
        if self._redis is not None and self.owning.is_set():
            with contextlib.suppress(Exception):
                await self._redis.eval(_RELEASE, 1, key(self.target.key, "owner"), self.owner)
            self.owning.clear()
