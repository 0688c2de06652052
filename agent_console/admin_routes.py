"""The administrators' pages: staff accounts listed, created, changed, disabled or enabled,
and given a new password, all under the rules of :mod:`models.users`.

Every form works without JavaScript. A refused value is shown next to its field (status 422)
and nothing is written; a change is answered with a redirect to the list and a notice.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from agent_console.auth import AdminStaff
from agent_console.templating import render
from models.authorities import AdministrativeUnit, Authority
from models.db import run_blocking, session_scope
from models.staff_sessions import end_sessions_of
from models.users import (
    InvalidAccount,
    Role,
    StaffCreate,
    StaffFields,
    User,
    check_phone,
    create_user,
    get_user,
    reset_password,
    set_active,
    update_user,
)

router = APIRouter(prefix="/admin/usuarios", include_in_schema=False)
LIST = "/admin/usuarios"
NOTICES = {
    "creada": "Cuenta {usuario} creada.",
    "cambiada": "Cuenta {usuario} actualizada.",
    "activada": "Cuenta {usuario} activada: ya puede iniciar sesión.",
    "desactivada": "Cuenta {usuario} desactivada: sus sesiones terminaron.",
    "contrasena": "Contraseña de {usuario} cambiada: sus sesiones abiertas terminaron.",
}
MISMATCH = "Las contraseñas no coinciden; escríbala igual dos veces."
Text = Annotated[str, Form(max_length=300)]


def _engine(request: Request) -> Engine:
    return request.app.state.container.engine  # type: ignore[no-any-return]


def _choices(session: Session) -> dict[str, Any]:
    """The authorities and their units, for the binding's selects."""
    authorities = session.exec(select(Authority).order_by(col(Authority.name))).all()
    units = session.exec(
        select(AdministrativeUnit).order_by(
            col(AdministrativeUnit.authority_code), col(AdministrativeUnit.name)
        )
    ).all()
    by_authority: dict[str, list[AdministrativeUnit]] = {}
    for unit in units:
        by_authority.setdefault(unit.authority_code, []).append(unit)
    return {"authorities": authorities, "units": by_authority, "roles": list(Role)}


async def _form_page(
    request: Request,
    template: str,
    values: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> Response:
    def load() -> dict[str, Any]:
        with session_scope(_engine(request), readonly=True) as session:
            return _choices(session)

    context = {**await run_blocking(_engine(request), load), **(extra or {})}
    context.update(values=values, errors=errors or {})
    return render(request, template, context, status=status)


def _fields(values: dict[str, str], model: type[StaffFields]) -> StaffFields:
    """The form's values as the model, or ``InvalidAccount`` on the role."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise InvalidAccount("Elija uno de los roles.", field="role") from error


def _done(notice: str, username: str) -> Response:
    return RedirectResponse(f"{LIST}?aviso={notice}&usuario={username}", status_code=303)


@router.get("")
async def users(
    request: Request, staff: AdminStaff, aviso: str = "", usuario: str = ""
) -> Response:
    """Every account, with its role, binding, phone and whether it is active."""

    def load() -> dict[str, Any]:
        with session_scope(_engine(request), readonly=True) as session:
            accounts = session.exec(select(User).order_by(col(User.username))).all()
            names = {a.code: a.short_name or a.name for a in session.exec(select(Authority))}
            return {"accounts": accounts, "authority_names": names}

    context = await run_blocking(_engine(request), load)
    notice = NOTICES.get(aviso, "").format(usuario=usuario[:64])
    return render(request, "admin/users.html", {**context, "notice": notice})


@router.get("/nueva")
async def new_user_page(request: Request, staff: AdminStaff) -> Response:
    """The form of a new account."""
    return await _form_page(request, "admin/new_user.html", {"role": Role.AGENT.value})


@router.post("/nueva")
async def new_user(
    request: Request,
    staff: AdminStaff,
    username: Text = "",
    full_name: Text = "",
    role: Text = "",
    authority_code: Text = "",
    unit_code: Text = "",
    phone: Text = "",
    password: Text = "",
    password_repeat: Text = "",
) -> Response:
    """Create the account, or show the form again with what to correct."""
    values = {
        "username": username,
        "full_name": full_name,
        "role": role,
        "authority_code": authority_code,
        "unit_code": unit_code,
        "phone": phone,
    }

    def create() -> str:
        data = _fields(values, StaffCreate)
        assert isinstance(data, StaffCreate)
        check_phone(data)
        if password != password_repeat:
            raise InvalidAccount(MISMATCH, field="password_repeat")
        with session_scope(_engine(request)) as session:
            return create_user(session, data, password=password).username

    try:
        created = await run_blocking(_engine(request), create)
    except InvalidAccount as error:
        errors = {error.field: error.message}
        return await _form_page(request, "admin/new_user.html", values, errors=errors, status=422)
    return _done("creada", created)


def _account(request: Request, user_id: int) -> User:
    with session_scope(_engine(request), readonly=True) as session:
        return get_user(session, user_id)


async def _edit_page(
    request: Request,
    user_id: int,
    values: dict[str, Any] | None = None,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    try:
        account = await run_blocking(_engine(request), lambda: _account(request, user_id))
    except InvalidAccount:
        context = {"title": "No encontrada", "message": "Esa cuenta no existe."}
        return render(request, "error.html", context, status=404)
    shown = values if values is not None else account.model_dump()
    return await _form_page(
        request,
        "admin/edit_user.html",
        shown,
        errors=errors,
        status=status,
        extra={"account": account},
    )


@router.get("/{user_id}")
async def edit_user_page(request: Request, staff: AdminStaff, user_id: int) -> Response:
    """An account's data, its state and a new password."""
    return await _edit_page(request, user_id)


async def _change(
    request: Request,
    user_id: int,
    work: Any,
    notice: str,
    values: dict[str, Any] | None = None,
) -> Response:
    """Run one change of an account; its page again with the refusal next to the field."""

    def run() -> str:
        with session_scope(_engine(request)) as session:
            user: User = work(session)
            return user.username

    try:
        username = await run_blocking(_engine(request), run)
    except InvalidAccount as error:
        if error.field == "id":
            return await _edit_page(request, user_id)
        errors = {error.field: error.message}
        return await _edit_page(request, user_id, values, errors=errors, status=422)
    return _done(notice, username)


@router.post("/{user_id}")
async def edit_user(
    request: Request,
    staff: AdminStaff,
    user_id: int,
    full_name: Text = "",
    role: Text = "",
    authority_code: Text = "",
    unit_code: Text = "",
    phone: Text = "",
) -> Response:
    """Change the account's name, role, binding and phone."""
    values = {
        "full_name": full_name,
        "role": role,
        "authority_code": authority_code,
        "unit_code": unit_code,
        "phone": phone,
    }

    def work(session: Session) -> User:
        return update_user(session, user_id, _fields(values, StaffFields), by=staff.id)

    return await _change(request, user_id, work, "cambiada", values)


@router.post("/{user_id}/estado")
async def change_state(
    request: Request, staff: AdminStaff, user_id: int, active: Text = ""
) -> Response:
    """Enable (``active=1``) or disable the account; disabling ends its sessions."""
    enable = active == "1"

    def work(session: Session) -> User:
        user = set_active(session, user_id, enable, by=staff.id)
        if not enable:
            end_sessions_of(session, user_id)
        return user

    return await _change(request, user_id, work, "activada" if enable else "desactivada")


@router.post("/{user_id}/contrasena")
async def change_password(
    request: Request,
    staff: AdminStaff,
    user_id: int,
    password: Text = "",
    password_repeat: Text = "",
) -> Response:
    """Give the account a new password (typed twice); its open sessions end."""

    def work(session: Session) -> User:
        if password != password_repeat:
            raise InvalidAccount(MISMATCH, field="password_repeat")
        user = reset_password(session, user_id, password)
        if user_id != staff.id:  # an administrator's own change keeps this browser signed in
            end_sessions_of(session, user_id)
        return user

    return await _change(request, user_id, work, "contrasena")
