"""Read-only look-ups the flow needs: catalogue entries, authority and unit names, speech hints,
the primary roads, and the colonias (to read a spoken reference).

The catalogue, the authorities and the primary roads change rarely, so they are read once per
process and then served from memory (``refresh()`` reloads them in a thread and swaps them in at
once).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from ivr.classifier.places import PlaceFinder
from ivr.classifier.roads import PrimaryRoads
from ivr.prompts.spoken_names import SpokenNames
from models.authorities import AdministrativeUnit, Authority
from models.catalogue import CatalogueEntry
from models.config import PACKAGE_DATA
from models.db import run_blocking, session_scope
from models.primary_roads import all_roads

MAX_HINTS = 100
MAX_HINT_LENGTH = 60


@dataclass(frozen=True)
class _Snapshot:
    entries: dict[str, CatalogueEntry]
    authorities: dict[str, tuple[str, str]]  # code → (spoken, short spoken)
    units: dict[tuple[str, str], str]
    roads: PrimaryRoads


class Directory:
    """Names and rules the IVR reads while it talks to a caller."""

    def __init__(
        self, *, engine: Engine, authorities_path: Path = PACKAGE_DATA / "authorities.yaml"
    ) -> None:
        self._engine = engine
        self.places = PlaceFinder.default()  # colonias are shipped data, never edited
        self._authorities_path = authorities_path  # its ``spoken:`` forms
        self._snapshot: _Snapshot | None = None

    def _load(self) -> _Snapshot:
        said = SpokenNames.from_file(self._authorities_path)
        with session_scope(self._engine, readonly=True) as session:
            entries = {e.code: e for e in session.exec(select(CatalogueEntry))}
            authorities = {
                a.code: (
                    said.authority(a.code, a.name, kind=a.kind),
                    said.authority(a.code, a.name, kind=a.kind, short=True),
                )
                for a in session.exec(select(Authority))
            }
            units = {
                (u.authority_code, u.code): said.unit(u.authority_code, u.code, u.name)
                for u in session.exec(select(AdministrativeUnit))
            }
            roads = PrimaryRoads((r.name, r.aliases) for r in all_roads(session))
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

    async def authority_name(self, code: str | None, *, short: bool = False) -> str | None:
        """An authority as it is said: "la Alcaldía Gustavo A. Madero" (``SpokenNames``);
        ``short``: its shorter form where the data has one (for an SMS)."""
        names = (await self._data()).authorities.get(code) if code else None
        return (names[1] if short else names[0]) if names else None

    async def unit_name(self, authority_code: str | None, unit_code: str | None) -> str | None:
        """A unit as it is said: "la Dirección General de Drenaje"."""
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
