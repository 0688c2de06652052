"""``suac apikey``: an administrator creates a key (shown once), lists and revokes keys."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models.api_key_service import InvalidApiKey, verify_key
from models.config import get_settings
from models.db import make_engine, session_scope
from suac.cli import app

runner = CliRunner()
KEY = re.compile(r"^([0-9a-f]{8})\.\S+$", re.MULTILINE)


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SUAC_DATA_DIR", str(tmp_path))
    for name in ("SUAC_DATABASE_URL", "SUAC_REDIS_URL", "SUAC_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _add(channel: str) -> tuple[str, str]:
    result = runner.invoke(app, ["apikey", "add", "--canal", channel, "--contacto", "d@cdmx.mx"])
    assert result.exit_code == 0, result.output
    assert f"Clave creada para el canal «{channel}»" in result.output
    assert "no se volverá a mostrar" in result.output
    found = KEY.search(result.output)
    assert found, result.output
    return found.group(1), found.group(0)


def test_add_list_and_revoke() -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    empty = runner.invoke(app, ["apikey", "list"])
    assert empty.exit_code == 0 and "No hay claves" in empty.output
    prefix, plain = _add("App CDMX")
    other, _ = _add("Chatbot")
    listed = runner.invoke(app, ["apikey", "list"])
    assert listed.exit_code == 0, listed.output
    assert prefix in listed.output and other in listed.output and "App CDMX" in listed.output
    assert plain.partition(".")[2] not in listed.output, "the secret is never listed"
    revoked = runner.invoke(app, ["apikey", "revoke", prefix])
    assert revoked.exit_code == 0 and f"Clave {prefix} del canal «App CDMX» revocada" in (
        revoked.output
    )
    engine = make_engine(get_settings().resolved_database_url)
    with session_scope(engine) as session, pytest.raises(InvalidApiKey, match="revocada"):
        verify_key(session, plain)
    unknown = runner.invoke(app, ["apikey", "revoke", "ffffffff"])
    assert unknown.exit_code == 1 and "No existe ninguna clave con el prefijo" in unknown.output


def test_add_refuses_an_empty_channel_and_needs_a_database() -> None:
    missing = runner.invoke(app, ["apikey", "list"])
    assert missing.exit_code == 1 and "No hay base de datos" in missing.output
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    empty = runner.invoke(app, ["apikey", "add", "--canal", "  "])
    assert empty.exit_code == 2 and "El nombre del canal es obligatorio" in empty.output
    for command in (["add"], ["list"], ["revoke"]):
        help_text = runner.invoke(app, ["apikey", *command, "--help"])
        assert help_text.exit_code == 0 and "Usage" in help_text.output
