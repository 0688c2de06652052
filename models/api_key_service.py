"""Creating, checking and revoking the Open311 API keys.

A key reads ``<prefix>.<secret>``: the prefix (8 hex characters, not secret) finds its row,
the SHA-256 of the whole key is compared in constant time with the stored one. The plain key
is returned once, by :func:`create_key`, and never stored::

    with session_scope(engine) as session:
        row, plain = create_key(session, channel="App CDMX", contact="dev@cdmx.gob.mx",
                                created_by="admin")
    with session_scope(engine) as session:
        assert verify_key(session, plain).channel == "App CDMX"
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlmodel import Session, col, select

from models.api_keys import ApiKey
from models.db_types import utcnow
from models.errors import DomainError

SEPARATOR = "."


class InvalidApiKey(DomainError):
    """A key that does not exist, is malformed, or was revoked."""

    error_id = "invalid-api-key"
    status_code = 403


class ApiKeyNotFound(DomainError):
    """No key has that prefix."""

    error_id = "api-key-not-found"
    status_code = 404


class InvalidApiKeyData(DomainError):
    """A channel name or contact that cannot be stored."""

    error_id = "invalid-api-key-data"
    status_code = 422


def _digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def create_key(
    session: Session, *, channel: str, contact: str, created_by: str
) -> tuple[ApiKey, str]:
    """A new key for ``channel``: its row and the plain key (shown once, never stored)."""
    channel, contact = channel.strip(), contact.strip()
    if not channel or len(channel) > 64:
        raise InvalidApiKeyData("El nombre del canal es obligatorio (hasta 64 caracteres).")
    if len(contact) > 200:
        raise InvalidApiKeyData("El contacto admite hasta 200 caracteres.")
    prefix = secrets.token_hex(4)
    while session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first() is not None:
        prefix = secrets.token_hex(4)
    plain = f"{prefix}{SEPARATOR}{secrets.token_urlsafe(32)}"
    row = ApiKey(
        prefix=prefix,
        secret_hash=_digest(plain),
        channel=channel,
        contact=contact,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row, plain


def verify_key(session: Session, plain: str, *, now: datetime | None = None) -> ApiKey:
    """The active key ``plain`` is, its use recorded; :class:`InvalidApiKey` otherwise."""
    prefix, _, secret = plain.strip().partition(SEPARATOR)
    row = session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first() if secret else None
    if row is None or not hmac.compare_digest(_digest(plain.strip()), row.secret_hash):
        raise InvalidApiKey("La api_key no es válida.")
    if row.revoked_at is not None:
        raise InvalidApiKey("La api_key fue revocada.")
    row.last_used_at = now or utcnow()
    session.add(row)
    return row


def revoke_key(session: Session, prefix: str, *, now: datetime | None = None) -> ApiKey:
    """Revoke the key with ``prefix`` (a revoked key stays revoked, with its first date)."""
    row = session.exec(select(ApiKey).where(ApiKey.prefix == prefix.strip())).first()
    if row is None:
        raise ApiKeyNotFound(f"No existe ninguna clave con el prefijo «{prefix.strip()}».")
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        session.add(row)
    return row


def list_keys(session: Session) -> list[ApiKey]:
    """Every key, the newest first (revoked ones too)."""
    newest = (col(ApiKey.created_at).desc(), col(ApiKey.id).desc())
    return list(session.exec(select(ApiKey).order_by(*newest)))
