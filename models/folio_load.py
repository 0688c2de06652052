"""Issuing folios from many concurrent writers: used by the tests and the benchmark."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import Engine

from models.db import session_scope
from models.folio_issue import issue_folio


@dataclass(frozen=True)
class IssueRun:
    """What a concurrent run produced."""

    folios: list[str]

    @property
    def duplicates(self) -> int:
        """How many folios were issued more than once."""
        return len(self.folios) - len(set(self.folios))


def issue_concurrently(engine: Engine, *, writers: int, per_writer: int, year: int) -> IssueRun:
    """Issue ``writers × per_writer`` folios from ``writers`` threads, one transaction each."""

    def writer(_: int) -> list[str]:
        issued = []
        for _ in range(per_writer):
            with session_scope(engine) as session:
                issued.append(issue_folio(session, year))
        return issued

    with ThreadPoolExecutor(max_workers=writers) as pool:
        batches = list(pool.map(writer, range(writers)))
    return IssueRun(folios=[folio for batch in batches for folio in batch])
