"""The public pages' cache computes each view once per period, whoever asks meanwhile."""

from __future__ import annotations

import asyncio

import pytest

from agent_console.public_cache import PublicCache


async def test_concurrent_askers_share_one_computation() -> None:
    cache, calls = PublicCache(seconds=60), []

    async def compute() -> int:
        calls.append(1)
        await asyncio.sleep(0.01)
        return len(calls)

    values = await asyncio.gather(*(cache.get("k", compute) for _ in range(20)))
    assert values == [1] * 20 and len(calls) == 1
    assert await cache.get("k", compute) == 1  # still fresh
    assert await cache.get("other", compute) == 2


async def test_expired_values_are_recomputed_and_failures_not_kept() -> None:
    cache, calls = PublicCache(seconds=0), []

    async def compute() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("base de datos caída")
        return len(calls)

    with pytest.raises(RuntimeError):
        await cache.get("k", compute)
    assert await cache.get("k", compute) == 2
    assert await cache.get("k", compute) == 3  # seconds=0: never kept


async def test_the_least_recently_used_key_goes_first() -> None:
    cache = PublicCache(seconds=60, size=2)
    for key in ("a", "b", "c"):
        await cache.get(key, lambda key=key: asyncio.sleep(0, result=key))
    assert await cache.get("a", lambda: asyncio.sleep(0, result="nuevo")) == "nuevo"


async def test_a_forgotten_key_is_computed_again() -> None:
    cache = PublicCache(seconds=60)
    assert await cache.get("folio", lambda: asyncio.sleep(0, result="asignada")) == "asignada"
    assert await cache.get("folio", lambda: asyncio.sleep(0, result="respondida")) == "asignada"
    cache.forget("folio")
    cache.forget("nunca guardada")
    assert await cache.get("folio", lambda: asyncio.sleep(0, result="respondida")) == "respondida"


async def test_a_value_just_expired_is_served_while_it_is_renewed() -> None:
    now = [0.0]
    cache, calls, release = PublicCache(seconds=10, clock=lambda: now[0]), [], asyncio.Event()

    async def compute() -> int:
        calls.append(1)
        if len(calls) == 2:
            await release.wait()
        return len(calls)

    assert await cache.get("k", compute) == 1
    now[0] = 15  # expired less than a period ago
    assert await cache.get("k", compute) == 1  # served at once, renewed meanwhile
    await asyncio.sleep(0)
    assert await cache.get("k", compute) == 1 and len(calls) == 2  # one renewal at a time
    release.set()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert await cache.get("k", compute) == 2 and len(calls) == 2
    now[0] = 40  # expired more than a period ago: computed before it is served
    assert await cache.get("k", compute) == 3


async def test_a_value_forgotten_while_computed_is_not_kept() -> None:
    cache, started = PublicCache(seconds=60), asyncio.Event()

    async def slow() -> str:
        started.set()
        await asyncio.sleep(0.05)
        return "antes del cambio"

    reading = asyncio.create_task(cache.get("folio", slow))
    await started.wait()
    cache.forget("folio")
    assert await reading == "antes del cambio"
    assert await cache.get("folio", lambda: asyncio.sleep(0, result="después")) == "después"
