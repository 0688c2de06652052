"""Staff accounts: agents, supervisors, authority staff and administrators, with hashed
passwords, and the rules every way of creating or changing one follows (the CLI and the
administrators' pages)::

    with session_scope(engine) as session:
        user = create_user(session, StaffCreate(username="ana", full_name="Ana López",
            role=Role.AGENT, phone="PJSIP/1001"), password="una contraseña larga")
        update_user(session, user.id, StaffFields(full_name="Ana López", role=Role.SUPERVISOR),
            by=admin_id)
        set_active(session, user.id, False, by=admin_id)   # her sessions stop at once

A refused change raises :class:`InvalidAccount` naming the form field it concerns, and writes
nothing.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from pwdlib import PasswordHash
from pydantic import BaseModel, field_validator
from sqlmodel import Field, Session, SQLModel, col, func, select

from models.authorities import AdministrativeUnit, Authority
from models.db_types import UTCDateTime, utcnow
from models.errors import DomainError

_HASHER = PasswordHash.recommended()
MIN_PASSWORD_LENGTH = 10
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
# An Asterisk interface (PJSIP/1001), or for Twilio an E.164 number or a SIP address.
PHONE = re.compile(
    r"^([A-Za-z0-9]{2,10}/[\w@;:.\-]{1,100}|\+[1-9][0-9]{6,14}|sips?:[^\s<>\"]{3,200})$"
)


class Role(StrEnum):
    """What a member of staff may do."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    AUTHORITY = "authority"
    ADMIN = "admin"


ROLE_LABELS: dict[str, str] = {
    Role.AGENT: "Agente",
    Role.SUPERVISOR: "Supervisor",
    Role.AUTHORITY: "Personal de autoridad",
    Role.ADMIN: "Administrador",
}


class InvalidAccount(DomainError):
    """An account the rules refuse (empty or repeated username, unknown role or authority)."""

    error_id = "invalid-account"
    status_code = 422

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class User(SQLModel, table=True):
    """A member of staff. ``phone`` is how telephony knows an agent: an Asterisk interface
    (``PJSIP/1001``), or for Twilio an E.164 number or a ``sip:`` address."""

    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    full_name: str = Field(max_length=200)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    authority_code: str | None = Field(default=None, foreign_key="authority.code", max_length=16)
    unit_code: str | None = Field(default=None, max_length=16)
    phone: str | None = Field(default=None, max_length=200)


class StaffFields(BaseModel):
    """What an administrator may change on an account (everything but its username)."""

    full_name: str
    role: Role
    authority_code: str | None = None
    unit_code: str | None = None
    phone: str | None = None

    @field_validator("full_name")
    @classmethod
    def _stripped(cls, value: str) -> str:
        return value.strip()

    @field_validator("authority_code", "unit_code", "phone")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return (value or "").strip() or None


class StaffCreate(StaffFields):
    """A new account, checked before it is stored."""

    username: str

    @field_validator("username")
    @classmethod
    def _username_stripped(cls, value: str) -> str:
        return value.strip()


def hash_password(password: str) -> str:
    """Hash a password with the recommended algorithm (Argon2id)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"la contraseña debe tener al menos {MIN_PASSWORD_LENGTH} caracteres")
    return _HASHER.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """True when ``password`` matches ``password_hash``."""
    return _HASHER.verify(password, password_hash)


def check_binding(session: Session, data: StaffFields) -> None:
    """Authority staff need an existing authority (and, if given, one of its units); other
    roles are bound to none."""
    if data.role != Role.AUTHORITY:
        if data.authority_code or data.unit_code:
            raise InvalidAccount(
                "Solo el personal de autoridad se vincula a una autoridad.", field="authority_code"
            )
        return
    if not data.authority_code or session.get(Authority, data.authority_code) is None:
        raise InvalidAccount(
            "El personal de autoridad necesita una autoridad existente.", field="authority_code"
        )
    if (
        data.unit_code
        and not session.exec(
            select(AdministrativeUnit).where(
                AdministrativeUnit.authority_code == data.authority_code,
                AdministrativeUnit.code == data.unit_code,
            )
        ).first()
    ):
        raise InvalidAccount(
            f"La unidad {data.unit_code} no pertenece a {data.authority_code}.", field="unit_code"
        )


def check_phone(data: StaffFields) -> None:
    """Agents and supervisors may have a phone the telephony side can reach; nobody else has
    one. (Not part of :func:`create_user`, which also stores accounts imported as they were.)"""
    if data.phone is None:
        return
    if data.role not in {Role.AGENT, Role.SUPERVISOR}:
        raise InvalidAccount("Solo agentes y supervisores tienen teléfono.", field="phone")
    if not PHONE.match(data.phone):
        raise InvalidAccount(
            "Escriba una extensión de Asterisk (PJSIP/1001), un número +52… o una dirección sip:.",
            field="phone",
        )


def _check_fields(session: Session, data: StaffFields) -> None:
    if not data.full_name:
        raise InvalidAccount("El nombre completo no puede estar vacío.", field="full_name")
    if len(data.full_name) > 200:
        raise InvalidAccount("El nombre completo admite hasta 200 caracteres.", field="full_name")
    check_binding(session, data)


def _hashed(password: str) -> str:
    try:
        return hash_password(password)
    except ValueError as error:
        raise InvalidAccount(str(error).capitalize() + ".", field="password") from error


def create_user(session: Session, data: StaffCreate, *, password: str) -> User:
    """Store a new account: a unique, non-empty username, a full name, a valid binding and a
    password of at least ``MIN_PASSWORD_LENGTH`` characters."""
    if not data.username:
        raise InvalidAccount("El nombre de usuario no puede estar vacío.", field="username")
    if session.exec(select(User).where(User.username == data.username)).first():
        raise InvalidAccount(f"El usuario {data.username} ya existe.", field="username")
    if not USERNAME.match(data.username):
        raise InvalidAccount(
            "Use hasta 64 minúsculas sin acentos, dígitos, punto, guion o guion bajo.",
            field="username",
        )
    _check_fields(session, data)
    user = User(**data.model_dump(), password_hash=_hashed(password))
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, user_id: int) -> User:
    """An account by id (``InvalidAccount`` on ``id`` when there is none)."""
    user = session.get(User, user_id)
    if user is None:
        raise InvalidAccount("Esa cuenta no existe.", field="id")
    return user


def _other_active_admins(session: Session, user_id: int) -> int:
    others = select(func.count()).where(
        User.role == Role.ADMIN, col(User.active).is_(True), User.id != user_id
    )
    return session.exec(others).one()


def _keeps_an_admin(session: Session, user: User, *, field: str) -> None:
    """Refuse a change that would leave no active administrator."""
    assert user.id is not None
    if user.role == Role.ADMIN and user.active and not _other_active_admins(session, user.id):
        raise InvalidAccount("Debe quedar al menos un administrador activo.", field=field)


def update_user(session: Session, user_id: int, data: StaffFields, *, by: int) -> User:
    """Change an account's name, role, binding and phone; ``by`` (the administrator making
    the change) may not take the administrator role away from themself."""
    user = get_user(session, user_id)
    _check_fields(session, data)
    check_phone(data)
    if data.role != Role.ADMIN and user.role == Role.ADMIN:
        if user_id == by:
            raise InvalidAccount(
                "No puede quitarse a sí mismo el rol de administrador.", field="role"
            )
        _keeps_an_admin(session, user, field="role")
    for name, value in data.model_dump().items():
        setattr(user, name, value)
    session.add(user)
    session.flush()
    return user


def set_active(session: Session, user_id: int, active: bool, *, by: int) -> User:
    """Enable or disable an account. A disabled account cannot sign in and its sessions stop
    working at once; nobody disables themself or the last active administrator."""
    user = get_user(session, user_id)
    if not active and user_id == by:
        raise InvalidAccount("No puede desactivar su propia cuenta.", field="active")
    if not active:
        _keeps_an_admin(session, user, field="active")
    user.active = active
    session.add(user)
    session.flush()
    return user


def reset_password(session: Session, user_id: int, password: str) -> User:
    """Give an account a new password (same length rule as on creation)."""
    user = get_user(session, user_id)
    user.password_hash = _hashed(password)
    session.add(user)
    session.flush()
    return user
