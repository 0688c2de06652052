"""One registration per capture form, however often it is sent (a refresh, the back button,
a double click).

Each capture form carries a random id. Sending it *claims* the id (a primary key, so two
concurrent sends cannot both claim it); the registration then *completes* it with the folio
it issued, and a refused registration *releases* it. A form sent again finds its folio::

    before = claim_form(engine, form_id, username="ana")  # None: its first send
    ...                                                     # register the request
    complete_form(engine, form_id, folio=folio, attached=False)
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from models.db import session_scope
from models.db_types import UTCDateTime, utcnow

FORM_ID = re.compile(r"^[0-9a-f]{32}$")


class CaptureForm(SQLModel, table=True):
    """A capture form that was sent: who sent it, and the folio it registered or joined."""

    __tablename__ = "capture_form"

    form_id: str = Field(primary_key=True, max_length=32)
    username: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    folio: str | None = Field(default=None, max_length=10)
    attached: bool = False


@dataclass(frozen=True)
class SentBefore:
    """The form was sent before: its folio (None while that first send is still at work)."""

    folio: str | None
    attached: bool


def new_form_id() -> str:
    """A fresh id for a capture form."""
    return secrets.token_hex(16)


def valid_form_id(value: str) -> bool:
    """Whether ``value`` looks like an id :func:`new_form_id` made."""
    return bool(FORM_ID.match(value))


def claim_form(engine: Engine, form_id: str, *, username: str) -> SentBefore | None:
    """Claim ``form_id`` (committed at once); None when this is its first send."""
    try:
        with session_scope(engine) as session:
            session.add(CaptureForm(form_id=form_id, username=username))
    except IntegrityError:
        return sent_before(engine, form_id)
    return None


def sent_before(engine: Engine, form_id: str) -> SentBefore | None:
    """What a form that was sent before registered (None when it is not claimed)."""
    with session_scope(engine, readonly=True) as session:
        row = session.get(CaptureForm, form_id)
        return SentBefore(folio=row.folio, attached=row.attached) if row else None


def complete_form(engine: Engine, form_id: str, *, folio: str, attached: bool) -> None:
    """Record the folio the form registered (or joined, when ``attached``)."""
    with session_scope(engine) as session:
        row = session.get(CaptureForm, form_id)
        assert row is not None
        row.folio, row.attached = folio, attached
        session.add(row)


def release_form(engine: Engine, form_id: str) -> None:
    """Forget a claim whose registration was refused, so the corrected form may be sent."""
    with session_scope(engine) as session:
        row = session.get(CaptureForm, form_id)
        if row is not None and row.folio is None:
            session.delete(row)
