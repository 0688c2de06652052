"""Retention of recorded references: past ``SUAC_RETENTION_DAYS`` a caller's recorded voice is
gone (kept here or still awaiting its fetch from Twilio), on SQLite and PostgreSQL; the request
and who transcribed it stay, and a younger recording is untouched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from models.notifier import Notifier
from models.reference_audio import ReferenceAudio, SpokenReference
from models.request_service import RequestService
from models.requests import Channel, RequestCreate
from models.retention import purge_database

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
AGES = {"old-wav": 91, "old-url": 91, "recent": 89}
URL = "https://api.twilio.com/2010-04-01/Accounts/AC" + "1" * 32 + "/Recordings/RE" + "2" * 32


async def seed(engine: Engine, service: RequestService) -> dict[str, int]:
    """One request per age, with its recording; their ids."""
    ids: dict[str, int] = {}
    for name in AGES:
        spoken = (
            SpokenReference(seconds=4.0, source_url=URL)
            if name == "old-url"
            else SpokenReference(seconds=4.0, wav=b"RIFF" + name.encode())
        )
        data = RequestCreate(catalogue_code="ARB-001", channel=Channel.TWILIO_CALL)
        request = await service.register(data, actor="ivr:twilio", spoken_reference=spoken)
        assert request.id is not None
        ids[name] = request.id
    with Session(engine) as session:
        for name, request_id in ids.items():
            row = session.exec(
                select(ReferenceAudio).where(ReferenceAudio.request_id == request_id)
            ).one()
            row.recorded_at = NOW - timedelta(days=AGES[name])
            row.transcribed_by = "agent:ana"
            session.add(row)
        session.commit()
    return ids


def check(engine: Engine, ids: dict[str, int]) -> None:
    with Session(engine) as session:
        rows = {r.request_id: r for r in session.exec(select(ReferenceAudio))}
    for name in ("old-wav", "old-url"):
        row = rows[ids[name]]
        assert (row.audio, row.source_url, row.transcribed_by) == (None, None, "agent:ana")
    assert rows[ids["recent"]].audio == b"RIFFrecent"


async def test_old_recorded_references_go(both_databases: Engine, calendar, bus) -> None:  # noqa: ANN001
    notifier = Notifier(engine=both_databases, bus=bus)
    service = RequestService(engine=both_databases, calendar=calendar, notifier=notifier)
    ids = await seed(both_databases, service)
    before = NOW - timedelta(days=90)
    assert purge_database(both_databases, before=before)["reference_audio"] == 2
    check(both_databases, ids)
    assert purge_database(both_databases, before=before)["reference_audio"] == 0
