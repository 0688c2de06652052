"""Commands: in-process calls, and the Redis transport against the real server."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from pydantic import BaseModel

from models.command_server import CommandServer
from models.commands import (
    CommandClient,
    CommandRefused,
    CommandRequest,
    CommandTimeout,
    NoOwner,
    Target,
    key,
)
from models.errors import DomainError


class Echo(BaseModel):
    text: str


class Busy(DomainError):
    error_id = "line-busy"


class Peer:
    """Handlers that count their calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def echo(self, text: str) -> Echo:
        self.calls.append(text)
        return Echo(text=text.upper())

    async def busy(self) -> Echo:
        raise Busy("La línea está ocupada.")

    async def slow(self, seconds: float) -> Echo:
        await asyncio.sleep(seconds)
        self.calls.append("slow")
        return Echo(text="tarde")

    def handlers(self) -> dict:
        return {"echo": self.echo, "busy": self.busy, "slow": self.slow}


@pytest.fixture
def target() -> Target:
    name = uuid.uuid4().hex[:8]
    return Target(key=f"prueba:{name}", label=f"el servidor Asterisk «{name}»")


async def test_in_process_calls_run_directly(target: Target) -> None:
    client, peer = CommandClient(), Peer()
    with pytest.raises(NoOwner, match="Ningún proceso de telefonía atiende el servidor Asterisk"):
        await client.call(target, "echo", {"text": "hola"}, Echo, timeout=1)
    server = CommandServer(client=client, target=target, handlers=peer.handlers(), owner="yo")
    await server.start()
    assert await client.call(target, "echo", {"text": "hola"}, Echo, timeout=1) == Echo(text="HOLA")
    with pytest.raises(CommandRefused) as refused:
        await client.call(target, "busy", {}, Echo, timeout=1)
    assert (refused.value.reason, refused.value.message) == ("line-busy", "La línea está ocupada.")
    with pytest.raises(CommandRefused, match="Comando desconocido: «volar»"):
        await client.call(target, "volar", {}, Echo, timeout=1)
    with pytest.raises(CommandRefused, match="Argumentos no válidos para «echo»"):
        await client.call(target, "echo", {"texto": "hola"}, Echo, timeout=1)
    with pytest.raises(CommandTimeout, match="no terminó a tiempo"):
        await client.call(target, "slow", {"seconds": 1}, Echo, timeout=0.1)
    await server.stop()
    assert peer.calls == ["hola"]


@pytest.fixture
async def clients(redis_url: str) -> AsyncIterator[tuple[CommandClient, CommandClient]]:
    """Two processes' clients: the owner's and a requester's."""
    owner, requester = CommandClient(redis_url=redis_url), CommandClient(redis_url=redis_url)
    yield owner, requester
    await owner.close()
    await requester.close()


@pytest.mark.redis
async def test_over_redis_the_owner_answers_once(
    clients: tuple[CommandClient, CommandClient], target: Target
) -> None:
    owner, requester = clients
    peer = Peer()
    server = CommandServer(client=owner, target=target, handlers=peer.handlers(), owner="tel:1")
    await server.start()
    try:
        results = await asyncio.gather(
            *(requester.call(target, "echo", {"text": f"t{i}"}, Echo, timeout=2) for i in range(5))
        )
        assert [r.text for r in results] == [f"T{i}" for i in range(5)]
        with pytest.raises(CommandRefused) as refused:
            await requester.call(target, "busy", {}, Echo, timeout=2)
        assert refused.value.reason == "line-busy"
        # the same request delivered twice (a retried push) is executed once
        request = CommandRequest(
            target=target.key, name="echo", args={"text": "doble"}, deadline=time.time() + 5
        )
        for _ in range(2):
            await requester.redis.lpush(key(target.key, "inbox"), request.model_dump_json())
        await asyncio.sleep(0.5)
        assert peer.calls.count("doble") == 1
        assert await requester.redis.llen(key("reply", request.id)) == 1
    finally:
        await server.stop()
    assert not await requester.redis.exists(key(target.key, "owner"))


@pytest.mark.redis
async def test_no_owner_is_known_at_once(
    clients: tuple[CommandClient, CommandClient], target: Target
) -> None:
    _, requester = clients
    started = time.monotonic()
    with pytest.raises(NoOwner) as error:
        await requester.call(target, "echo", {"text": "hola"}, Echo, timeout=5)
    assert time.monotonic() - started < 0.5
    assert error.value.error_id == "command-no-owner"
    assert not await requester.redis.exists(key(target.key, "inbox"))


@pytest.mark.redis
async def test_a_request_that_timed_out_is_never_executed_late(
    clients: tuple[CommandClient, CommandClient], target: Target
) -> None:
    owner, requester = clients
    await requester.redis.set(key(target.key, "owner"), "colgado", px=2000)  # alive, not serving
    started = time.monotonic()
    with pytest.raises(CommandTimeout, match="no respondió a «echo» en 0.3 s"):
        await requester.call(target, "echo", {"text": "tarde"}, Echo, timeout=0.3)
    assert time.monotonic() - started < 2.0
    await requester.redis.delete(key(target.key, "owner"))
    peer = Peer()
    server = CommandServer(client=owner, target=target, handlers=peer.handlers(), owner="tel:2")
    await server.start()
    try:
        await asyncio.sleep(0.3)
        assert await requester.redis.llen(key(target.key, "inbox")) == 0  # taken, and dropped
        assert peer.calls == []
        with pytest.raises(CommandTimeout, match="no terminó a tiempo"):
            await requester.call(target, "slow", {"seconds": 2}, Echo, timeout=0.3)
        await asyncio.sleep(0.2)
        assert peer.calls == []  # cut at the deadline, not finished behind the requester's back
    finally:
        await server.stop()


@pytest.mark.redis
async def test_a_second_owner_stands_by_and_takes_over(
    clients: tuple[CommandClient, CommandClient], target: Target, redis_url: str
) -> None:
    first_client, requester = clients
    second_client = CommandClient(redis_url=redis_url)
    first = CommandServer(
        client=first_client, target=target, handlers=Peer().handlers(), owner="a", heartbeat=0.1
    )
    second_peer = Peer()
    second = CommandServer(
        client=second_client,
        target=target,
        handlers=second_peer.handlers(),
        owner="b",
        heartbeat=0.1,
    )
    await first.start()
    await second.start()
    try:
        assert first.owning.is_set() and not second.owning.is_set()
        await first.stop()
        await asyncio.wait_for(second.owning.wait(), 1)
        await requester.call(target, "echo", {"text": "b"}, Echo, timeout=2)
        assert second_peer.calls == ["b"]
    finally:
        await second.stop()
        await second_client.close()
