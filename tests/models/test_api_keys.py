"""Open311 API keys: shown once, stored as a SHA-256 only, found by prefix, revoked for good."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from models.api_key_service import (
    ApiKeyNotFound,
    InvalidApiKey,
    InvalidApiKeyData,
    create_key,
    list_keys,
    revoke_key,
    verify_key,
)
from models.api_keys import ApiKey
from models.db import session_scope

NOON = datetime(2026, 12, 1, 18, tzinfo=UTC)


def _create(engine: Engine, channel: str = "App CDMX") -> tuple[str, str]:
    with session_scope(engine) as session:
        row, plain = create_key(session, channel=channel, contact="dev@cdmx.mx", created_by="ana")
        return row.prefix, plain


def test_a_key_is_stored_hashed_and_verified_by_prefix(engine: Engine) -> None:
    prefix, plain = _create(engine)
    assert plain.startswith(f"{prefix}.") and len(plain) > 40
    with session_scope(engine) as session:
        row = session.exec(select(ApiKey)).one()
        assert row.secret_hash == hashlib.sha256(plain.encode()).hexdigest()
        assert plain not in (row.secret_hash, row.prefix, row.channel, row.contact)
        assert (row.channel, row.contact, row.created_by) == ("App CDMX", "dev@cdmx.mx", "ana")
        assert row.last_used_at is None
        assert verify_key(session, plain, now=NOON).channel == "App CDMX"
    with session_scope(engine) as session:
        assert session.exec(select(ApiKey)).one().last_used_at == NOON


@pytest.mark.parametrize(
    "tamper",
    [
        lambda plain: plain[:-1] + ("A" if plain[-1] != "A" else "B"),  # the secret changed
        lambda plain: "00000000" + plain[8:],  # another prefix
        lambda plain: plain.partition(".")[0],  # the prefix alone
        lambda plain: "",
        lambda plain: "no-es-una-clave",
    ],
)
def test_a_wrong_key_is_refused(engine: Engine, tamper) -> None:  # noqa: ANN001
    _prefix, plain = _create(engine)
    with session_scope(engine) as session, pytest.raises(InvalidApiKey) as refused:
        verify_key(session, tamper(plain))
    assert refused.value.message == "La api_key no es válida." and refused.value.status_code == 403


def test_a_revoked_key_stops_working_and_stays_revoked(engine: Engine) -> None:
    prefix, plain = _create(engine)
    other_prefix, other = _create(engine, "Chatbot")
    with session_scope(engine) as session:
        assert revoke_key(session, prefix, now=NOON).revoked_at == NOON
    with session_scope(engine) as session:
        later = datetime(2026, 12, 2, tzinfo=UTC)
        assert revoke_key(session, f" {prefix} ", now=later).revoked_at == NOON
    with session_scope(engine) as session, pytest.raises(InvalidApiKey, match="revocada"):
        verify_key(session, plain)
    with session_scope(engine) as session:
        assert verify_key(session, other).prefix == other_prefix
        with pytest.raises(ApiKeyNotFound, match="No existe ninguna clave"):
            revoke_key(session, "ffffffff")


def test_keys_are_listed_newest_first_and_their_data_checked(engine: Engine) -> None:
    _create(engine, "Primera")
    _create(engine, "Segunda")
    with session_scope(engine) as session:
        assert [k.channel for k in list_keys(session)] == ["Segunda", "Primera"]
        with pytest.raises(InvalidApiKeyData, match="canal es obligatorio"):
            create_key(session, channel="  ", contact="", created_by="ana")
        with pytest.raises(InvalidApiKeyData, match="200 caracteres"):
            create_key(session, channel="App", contact="x" * 201, created_by="ana")
