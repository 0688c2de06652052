"""Signing in and out, with attempts limited per account and per client address.

A failed attempt and a refused one answer the same way, so the page never tells which
usernames exist; a success replaces any previous session of this browser.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from limits import parse
from sqlmodel import select

from agent_console.auth import SESSION_COOKIE, session_staff
from agent_console.templating import render
from ivr.flow.limits import moving_window, storage_uri
from models.config import ConsoleSettings
from models.db import run_blocking, session_scope
from models.staff_sessions import end_session, open_session
from models.users import Role, User, verify_password

router = APIRouter(include_in_schema=False)
HOME_BY_ROLE = {
    Role.AGENT: "/consola",
    Role.SUPERVISOR: "/consola",
    Role.AUTHORITY: "/bandeja",
    Role.ADMIN: "/admin/usuarios",
}
WRONG = "Usuario o contraseña incorrectos."
TOO_MANY = "Demasiados intentos. Espere unos minutos antes de volver a intentarlo."


class LoginLimiter:
    """Moving-window limits on sign-in attempts (shared through Redis when configured)."""

    def __init__(self, settings: ConsoleSettings, *, redis_url: str) -> None:
        self._limiter = moving_window(storage_uri(redis_url))
        self._account = parse(settings.login_attempts_per_account)
        self._client = parse(settings.login_attempts_per_client)

    async def allow(self, *, username: str, client: str) -> bool:
        """Count one attempt; False once either allowance is used up."""
        account = await self._limiter.hit(self._account, "login-account", username.lower()[:64])
        by_client = await self._limiter.hit(self._client, "login-client", client)
        return account and by_client


def safe_next(target: str) -> str:
    """Only a path of this site (never another host) is followed after signing in."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return ""
    return target


@router.get("/entrar")
async def login_page(request: Request, siguiente: str = "") -> Response:
    """The sign-in form."""
    return render(request, "login.html", {"next": safe_next(siguiente)})


@router.post("/entrar")
async def login(
    request: Request,
    usuario: Annotated[str, Form(max_length=64)] = "",
    contrasena: Annotated[str, Form(max_length=256)] = "",
    siguiente: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Check the credentials and open a session."""
    container = request.app.state.container
    client = request.client.host if request.client else "desconocido"
    username = usuario.strip()
    context = {"next": safe_next(siguiente), "username": username}
    if not await request.app.state.login_limiter.allow(username=username, client=client):
        return render(request, "login.html", {**context, "error": TOO_MANY}, status=429)

    def check() -> tuple[str, Role] | None:
        with session_scope(container.engine) as session:
            user = session.exec(select(User).where(User.username == username)).first()
            if (
                user is None
                or not user.active
                or not verify_password(contrasena, user.password_hash)
            ):
                return None
            assert user.id is not None
            return open_session(session, user_id=user.id, client=client), Role(user.role)

    opened = await run_blocking(container.engine, check) if username and contrasena else None
    if opened is None:
        return render(request, "login.html", {**context, "error": WRONG}, status=401)
    token, role = opened
    response = RedirectResponse(context["next"] or HOME_BY_ROLE[role], status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        secure=container.settings.secure_cookies,
        samesite="strict",
        path="/",
    )
    return response


@router.post("/salir")
async def logout(request: Request) -> Response:
    """End the session in the database and in the browser."""
    token = request.cookies.get(SESSION_COOKIE, "")
    engine = request.app.state.container.engine
    if token:

        def end() -> None:
            with session_scope(engine) as session:
                end_session(session, token)

        await run_blocking(engine, end)
    response = RedirectResponse("/entrar", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
async def home(request: Request) -> Response:
    """Each role's own start page; the sign-in form for visitors."""
    staff = await session_staff(request)
    return RedirectResponse(HOME_BY_ROLE[staff.role] if staff else "/entrar", status_code=303)
