"""Who is asking: the signed-in member of staff, and the role every route requires.

A page route declares what it needs and gets the account, or the visitor is sent to sign in
(pages) or refused with 401/403 (everything else)::

    @router.get("/bandeja")
    async def inbox(staff: Annotated[Staff, Depends(require(Role.AUTHORITY))]) -> ...
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from models.db import run_blocking, session_scope
from models.staff_sessions import resume
from models.users import Role, User

SESSION_COOKIE = "suac_sesion"


@dataclass(frozen=True)
class Staff:
    """The signed-in account, as the request sees it."""

    id: int
    username: str
    full_name: str
    role: Role
    authority_code: str | None
    unit_code: str | None
    phone: str | None

    @property
    def actor(self) -> str:
        """How the account signs history lines: ``rol:usuario``."""
        return f"{self.role}:{self.username}"

    @classmethod
    def of(cls, user: User) -> Staff:
        assert user.id is not None
        return cls(
            id=user.id,
            username=user.username,
            full_name=user.full_name,
            role=Role(user.role),
            authority_code=user.authority_code,
            unit_code=user.unit_code,
            phone=user.phone,
        )


class NotSignedIn(Exception):
    """No live session: pages send the visitor to sign in, APIs answer 401."""


class Forbidden(Exception):
    """The account's role may not use this route (403, in Spanish)."""


def _engine(request: Request) -> Engine:
    return request.app.state.container.engine


async def session_staff(request: Request) -> Staff | None:
    """The account of the request's session cookie, or None (memoised per request)."""
    if hasattr(request.state, "staff"):
        return request.state.staff  # type: ignore[no-any-return]
    token = request.cookies.get(SESSION_COOKIE, "")
    staff = None
    if token:
        settings = request.app.state.container.settings
        idle = timedelta(minutes=settings.console.session_idle_minutes)

        def load() -> Staff | None:
            with session_scope(_engine(request)) as session:
                user = resume(session, token, idle=idle)
                return Staff.of(user) if user is not None else None

        staff = await run_blocking(_engine(request), load)
    request.state.staff = staff
    return staff


def require(*roles: Role):  # type: ignore[no-untyped-def]
    """A dependency that returns the signed-in account when its role is one of ``roles``."""
    allowed = frozenset(roles)

    async def dependency(request: Request) -> Staff:
        staff = await session_staff(request)
        if staff is None:
            raise NotSignedIn()
        if staff.role not in allowed:
            raise Forbidden()
        return staff

    return Depends(dependency)


SignedIn = Annotated[Staff, require(*Role)]
AgentStaff = Annotated[Staff, require(Role.AGENT, Role.SUPERVISOR)]
AuthorityStaff = Annotated[Staff, require(Role.AUTHORITY)]
SupervisorStaff = Annotated[Staff, require(Role.SUPERVISOR, Role.ADMIN)]
AdminStaff = Annotated[Staff, require(Role.ADMIN)]
