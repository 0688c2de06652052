"""Staff accounts: agents, supervisors, authority staff and administrators, with hashed
passwords, and the rules every way of creating or changing one follows (the CLI and the
administrators' pages)::

    with session_scope(engine) as session:
        user = create_user(session, StaffCreate(username="ana", full_name="Ana López",
            role=Role.AGENT, phone="PJSIP/1001"), password="una contraseña larga")
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pwdlib import PasswordHash
from pydantic import BaseModel, field_validator
from sqlmodel import Field, Session, SQLModel, select

from models.authorities import AdministrativeUnit, Authority
from models.db_types import UTCDateTime, utcnow
from models.errors import DomainError

_HASHER = PasswordHash.recommended()
MIN_PASSWORD_LENGTH = 10


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


class StaffCreate(BaseModel):
    """A new account, checked before it is stored."""

    username: str
    full_name: str
    role: Role
    authority_code: str | None = None
    unit_code: str | None = None
    phone: str | None = None

    @field_validator("username", "full_name")
    @classmethod
    def _stripped(cls, value: str) -> str:
        return value.strip()

    @field_validator("authority_code", "unit_code", "phone")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return (value or "").strip() or None


def hash_password(password: str) -> str:
    """Hash a password with the recommended algorithm (Argon2id)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"la contraseña debe tener al menos {MIN_PASSWORD_LENGTH} caracteres")
    return _HASHER.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """True when ``password`` matches ``password_hash``."""
    return _HASHER.verify(password, password_hash)


def check_binding(session: Session, data: StaffCreate) -> None:
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


def create_user(session: Session, data: StaffCreate, *, password: str) -> User:
    """Store a new account: a unique, non-empty username, a full name, a valid binding and a
    password of at least ``MIN_PASSWORD_LENGTH`` characters."""
    if not data.username:
        raise InvalidAccount("El nombre de usuario no puede estar vacío.", field="username")
    if not data.full_name:
        raise InvalidAccount("El nombre completo no puede estar vacío.", field="full_name")
    if session.exec(select(User).where(User.username == data.username)).first():
        raise InvalidAccount(f"El usuario {data.username} ya existe.", field="username")
    check_binding(session, data)
    try:
        password_hash = hash_password(password)
    except ValueError as error:
        raise InvalidAccount(str(error).capitalize() + ".", field="password") from error
    user = User(**data.model_dump(), password_hash=password_hash)
    session.add(user)
    session.flush()
    return user
