"""Staff accounts: agents, supervisors and administrators, with hashed passwords."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pwdlib import PasswordHash
from sqlmodel import Field, SQLModel

from models.db_types import UTCDateTime, utcnow

_HASHER = PasswordHash.recommended()
MIN_PASSWORD_LENGTH = 10


class Role(StrEnum):
    """What a member of staff may do; only agents and above see citizens' personal data."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class User(SQLModel, table=True):
    """A member of Locatel's staff."""

    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    full_name: str = Field(max_length=200)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def hash_password(password: str) -> str:
    """Hash a password with the recommended algorithm (Argon2id)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"la contraseña debe tener al menos {MIN_PASSWORD_LENGTH} caracteres")
    return _HASHER.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """True when ``password`` matches ``password_hash``."""
    return _HASHER.verify(password, password_hash)
