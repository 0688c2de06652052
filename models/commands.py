"""Commands to telephony links: one call path, in-process or over Redis, answered once.

The process that owns a link (an AMI server) serves its commands; any process calls them the
same way, with a correlation id and a time-out::

    client = CommandClient(redis_url=settings.redis_url)      # "": in-process only
    server = CommandServer(client=client, target=target, handlers=handlers, owner="host:12")
    await server.start()
    result = await client.call(target, "pause", {"interface": "PJSIP/1001", "reason": "comida"},
                               ActionResult, timeout=5)

A target served in this process is called directly. Otherwise, on Redis (keys under
``suac:commands``): the owner keeps ``<target>:owner`` alive with a TTL (heartbeat), so a
request to a target nobody serves fails at once with :class:`NoOwner`; a request is pushed on
``<target>:inbox`` only while that key exists (one Lua script) and taken by ``BRPOP``, so one
process takes it once; ``done:<id>`` (``SET NX``) refuses a request seen before; a request
whose deadline has passed is dropped unexecuted, and the handler runs within what remains of
the deadline, so a requester that gave up never has it executed late. The reply goes to
``reply:<id>``, which the requester waits on (``BLPOP``) until the deadline plus a short grace.
Deadlines are wall-clock times: the hosts' clocks must agree (NTP).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from models.errors import DomainError
from models.redis_connection import redis_client

log = logging.getLogger(__name__)

Handler = Callable[..., Awaitable[BaseModel]]
Handlers = Mapping[str, Handler]
R = TypeVar("R", bound=BaseModel)

PREFIX = "suac:commands"
GRACE_SECONDS = 1.0  # the owner replies by the deadline; the requester waits this much longer
SEEN_SECONDS = 600
REPLY_SECONDS = 60


class CommandError(DomainError):
    """Base of every failure to get a command answered."""

    error_id = "command-error"
    status_code = 502


class NoOwner(CommandError):
    """No running process serves the target."""

    error_id = "command-no-owner"
    status_code = 503


class CommandTimeout(CommandError):
    """The owner did not answer within the time-out (the command was not executed late)."""

    error_id = "command-timeout"
    status_code = 504


class CommandRefused(CommandError):
    """The owner refused or could not carry out the command; ``reason`` is its error id."""

    error_id = "command-refused"
    status_code = 422

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class CommandBusDown(CommandError):
    """Redis, which carries the commands, cannot be reached."""

    error_id = "command-bus-down"
    status_code = 503


@dataclass(frozen=True)
class Target:
    """What a command is for: ``key`` on the wire, ``label`` in messages."""

    key: str
    label: str


class CommandRequest(BaseModel):
    """One command, as sent to its owner."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    target: str
    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    deadline: float


class CommandReply(BaseModel):
    """The owner's answer: a result, or the error that stopped it."""

    id: str
    ok: bool
    result: dict[str, Any] = Field(default_factory=dict)
    error_id: str = ""
    message: str = ""


def _sentence(label: str) -> str:
    return label[:1].upper() + label[1:]


def key(*parts: str) -> str:
    """A Redis key under the commands' prefix."""
    return ":".join((PREFIX, *parts))


async def execute(handlers: Handlers, request: CommandRequest) -> CommandReply:
    """Run one request within its deadline; every failure becomes a reply, never an exception."""

    def failed(error_id: str, message: str) -> CommandReply:
        return CommandReply(id=request.id, ok=False, error_id=error_id, message=message)

    handler = handlers.get(request.name)
    if handler is None:
        return failed("unknown-command", f"Comando desconocido: «{request.name}».")
    try:
        inspect.signature(handler).bind(**request.args)
    except TypeError as error:
        return failed("bad-arguments", f"Argumentos no válidos para «{request.name}»: {error}.")
    remaining = request.deadline - time.time()
    try:
        async with asyncio.timeout(remaining):
            result = await handler(**request.args)
    except TimeoutError:
        return failed(CommandTimeout.error_id, f"«{request.name}» no terminó a tiempo.")
    except DomainError as error:
        return failed(error.error_id, error.message)
    except Exception:
        log.exception("command %s on %s failed", request.name, request.target)
        return failed("command-failed", f"No se pudo ejecutar «{request.name}».")
    return CommandReply(id=request.id, ok=True, result=result.model_dump(mode="json"))


_PUSH_IF_OWNED = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('LPUSH', KEYS[2], ARGV[1])
return 1
"""


LONGEST_WAIT_SECONDS = 120.0  # no command waits longer for its reply


class CommandClient:
    """Calls commands on any target: directly when served here, otherwise over Redis."""

    def __init__(self, *, redis_url: str = "") -> None:
        self.redis: Any = None  # redis-py's stubs type replies loosely
        if redis_url:
            self.redis = redis_client(redis_url, longest_block_seconds=LONGEST_WAIT_SECONDS)
        self._local: dict[str, Handlers] = {}

    def serve_locally(self, target: Target, handlers: Handlers) -> None:
        """Let this process's calls to ``target`` run ``handlers`` directly."""
        self._local[target.key] = handlers

    def stop_serving_locally(self, target: Target) -> None:
        """Forget ``target``'s local handlers."""
        self._local.pop(target.key, None)

    async def call(
        self, target: Target, name: str, args: dict[str, Any], result: type[R], *, timeout: float
    ) -> R:
        """Run command ``name`` on ``target`` and return its typed result, or raise a
        :class:`CommandError` in Spanish (no owner, time-out, refused)."""
        request = CommandRequest(
            target=target.key, name=name, args=args, deadline=time.time() + timeout
        )
        local = self._local.get(target.key)
        if local is not None:
            reply = await execute(local, request)
        elif self.redis is None:
            raise NoOwner(f"Ningún proceso de telefonía atiende {target.label}.")
        else:
            reply = await self._remote(target, request, timeout)
        if reply.ok:
            return result.model_validate(reply.result)
        if reply.error_id == CommandTimeout.error_id:
            raise CommandTimeout(f"{_sentence(target.label)}: {reply.message}")
        raise CommandRefused(reply.message, reason=reply.error_id)

    async def _remote(
        self, target: Target, request: CommandRequest, timeout: float
    ) -> CommandReply:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        try:
            pushed = await self.redis.eval(
                _PUSH_IF_OWNED,
                2,
                key(target.key, "owner"),
                key(target.key, "inbox"),
                request.model_dump_json(),
            )
            if not pushed:
                raise NoOwner(f"Ningún proceso de telefonía atiende {target.label}.")
            popped = await self.redis.blpop([key("reply", request.id)], timeout + GRACE_SECONDS)
        except (RedisConnectionError, RedisTimeoutError, OSError) as error:
            raise CommandBusDown(f"No se pudo enviar el comando por Redis: {error}") from error
        if popped is None:
            raise CommandTimeout(
                f"{_sentence(target.label)} no respondió a «{request.name}» en {timeout:g} s."
            )
        return CommandReply.model_validate_json(popped[1])

    async def close(self) -> None:
        """Release the Redis connections."""
        if self.redis is not None:
            with contextlib.suppress(Exception):
                await self.redis.aclose()
