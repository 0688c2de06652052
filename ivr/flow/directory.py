"""Read-only look-ups the flow needs: catalogue entries, authority and unit names, speech hints,
the primary roads, and the colonias (to read a spoken reference).

The catalogue, the authorities and the primary roads change rarely, so they are read once per
process and then served from memory (``refresh()`` reloads them in a thread and swaps them in at
once).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import select

from ivr.classifier.places import PlaceFinder
from ivr.classifier.roads import PrimaryRoads
from models.authorities import AdministrativeUnit, Authority
from models.catalogue import CatalogueEntry
from models.db import run_blocking, session_scope
from models.primary_roads import PrimaryRoad

MAX_HINTS = 100
MAX_HINT_LENGTH = 60


@dataclass(frozen=True)
class _Snapshot:
    entries: dict[str, CatalogueEntry]
    authorities: dict[str, str]
    units: dict[tuple[str, str], str]
    roads: PrimaryRoads


class Directory:
    """Names and rules the IVR reads while it talks to a caller."""

    def __init__(self, *, engine: Engine) -> None:
        self._engine = engine
        self.places = PlaceFinder.default()  # colonias are shipped data, never edited
        self._snapshot: _Snapshot | None = None

    def _load(self) -> _Snapshot:
        with session_scope(self._engine, readonly=True) as session:
            entries = {e.code: e for e in session.exec(select(CatalogueEntry))}
            authorities = {a.code: a.short_name or a.name for a in session.exec(select(Authority))}
            units = {
                (u.authority_code, u.code): u.name for u in session.exec(select(AdministrativeUnit))
            }
            roads = PrimaryRoads((r.name, r.aliases) for r in session.exec(select(PrimaryRoad)))
        return _Snapshot(entries=entries, authorities=authorities, units=units, roads=roads)

    async def _data(self) -> _Snapshot:
        if self._snapshot is None:
            self._snapshot = await run_blocking(self._engine, self._load)
        return self._snapshot

    async def refresh(self) -> None:
        """Read the catalogue and authorities again, off the event loop."""
        self._snapshot = await asyncio.to_thread(self._load)

    async def entry(self, code: str) -> CatalogueEntry | None:
        """An active catalogue entry by code."""
        entry = (await self._data()).entries.get(code)
        return entry if entry is not None and entry.active else None

    async def authority_name(self, code: str | None) -> str | None:
        """The short name of an authority."""
        return (await self._data()).authorities.get(code) if code else None

    async def unit_name(self, authority_code: str | None, unit_code: str | None) -> str | None:
        """The name of an administrative unit."""
        if not (authority_code and unit_code):
            return None
        return (await self._data()).units.get((authority_code, unit_code))

    async def primary_roads(self) -> PrimaryRoads:
        """The City's primary roads, as administrators keep them."""
        return (await self._data()).roads

    async def speech_hints(self) -> tuple[str, ...]:
        """Phrases from the catalogue that help a recogniser (names first, then synonyms)."""
        entries = [e for e in (await self._data()).entries.values() if e.active]
        phrases: list[str] = [e.name for e in entries]
        phrases += [s for e in entries for s in e.synonyms]
        unique = dict.fromkeys(p.strip().lower() for p in phrases if p.strip())
        short = [p for p in unique if len(p) <= MAX_HINT_LENGTH]
        return tuple(short[:MAX_HINTS])
