"""What every web form that registers a request shares (the console's capture, the citizen's
own report): the likely duplicates of what is about to be registered, joining the citizen to
one of them instead, and the folio of a form that was sent twice::

    duplicates = await likely_duplicates(request, data)   # [] when nothing open is near
    folio = await attach_citizen(engine, data, "2600000019", actor="agente:ana")
    before = await wait_for_folio(engine, form_id)         # the first send's folio, or None
"""

from __future__ import annotations

import asyncio

from fastapi import Request
from sqlalchemy import Engine

from models.capture_forms import SentBefore, sent_before
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.duplicates import LikelyDuplicate, Place, find_duplicates
from models.request_supporters import attach_supporter
from models.requests import CitizenFields, RequestCreate

PENDING_WAIT_SECONDS = 3.0  # a form sent twice at once: the second waits for the first's folio


async def likely_duplicates(request: Request, data: RequestCreate) -> list[LikelyDuplicate]:
    """Open requests of the same category near ``data``'s place (the console's settings say
    how near and how recent)."""
    container = request.app.state.container
    engine, console = container.engine, container.settings.console
    place = Place(
        alcaldia=data.alcaldia,
        colonia=data.colonia,
        street=data.street,
        latitude=data.latitude,
        longitude=data.longitude,
    )

    def work() -> list[LikelyDuplicate]:
        with session_scope(engine, readonly=True) as session:
            return find_duplicates(
                session,
                catalogue_code=data.catalogue_code,
                place=place,
                now=utcnow(),
                days=console.duplicate_days,
                meters=console.duplicate_meters,
            )

    return await run_blocking(engine, work)


async def attach_citizen(engine: Engine, data: RequestCreate, target: str, *, actor: str) -> str:
    """Record ``data``'s citizen as another reporter of the open request ``target``; its folio.

    Raises the domain's ``FolioNotFound`` or ``RequestNotOpen``."""
    citizen = CitizenFields.model_validate(data.model_dump(include=set(CitizenFields.model_fields)))

    def work() -> str:
        with session_scope(engine) as session:
            request = attach_supporter(
                session,
                folio=target,
                citizen=citizen,
                channel=data.channel,
                call_id=data.call_id,
                actor=actor,
                at=utcnow(),
            )
            return request.folio

    return await run_blocking(engine, work)


async def wait_for_folio(engine: Engine, form_id: str) -> SentBefore | None:
    """A form sent again: the first send's record once it has its folio (still without one
    after :data:`PENDING_WAIT_SECONDS`), or None when the first send was refused meanwhile."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PENDING_WAIT_SECONDS
    before: SentBefore | None = SentBefore(folio=None, attached=False)
    while loop.time() < deadline:
        before = await run_blocking(engine, lambda: sent_before(engine, form_id))
        if before is None or before.folio is not None:
            return before
        await asyncio.sleep(0.1)
    return before
