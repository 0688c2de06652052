"""The rendered Asterisk files parse as Asterisk config and hold only configured secrets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ivr.asterisk import constants
from ivr.asterisk.readiness_check import check_server
from ivr.asterisk.render import (
    DEFAULTS_FILES,
    MODULES,
    REQUIRED,
    TEMPLATES,
    FolderNotCreated,
    MissingSecret,
    UnsafeConfigValue,
    create_record_folders,
    record_folders,
    render_config,
    write_config,
)
from models.config import Settings, get_settings
from suac.cli import app

SECRETS = {"ami": "ami-S3cr3t", "1001": "tel-1001-x", "1900": "tel-1900-y", "trunk": "tr-9z"}
SECTION = re.compile(r"^\[([^\]\s]+)\](\([^)]*\))?$")
ASSIGNMENT = re.compile(r"^([\w\-.]+)\s*=>?\s*(.*)$")


def configured(**asterisk: object) -> Settings:
    base = {
        "servers": [{"name": "locatel", "username": "suac", "secret": SECRETS["ami"]}],
        "agents": [{"extension": "1001", "name": "Ana López", "password": SECRETS["1001"]}],
        "supervisors": [{"extension": "1900", "name": "Supervisión", "password": SECRETS["1900"]}],
        "trunk": {"host": "sip.example.mx", "username": "locatel", "password": SECRETS["trunk"]},
    }
    return Settings(_env_file=None, asterisk={**base, **asterisk})


def parse_asterisk_config(text: str) -> list[tuple[str, str, str]]:
    """``(section, key, value)`` for every line, as Asterisk's config parser reads them.

    Comments start at an unescaped ``;``; ``#include``/``#exec`` are directives; ``same =>``
    continues an extension. Anything else is a syntax error.
    """
    section, out = "", []
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.split(r"(?<!\\);", raw, maxsplit=1)[0].strip()
        if not line:
            continue
        if line.startswith(("#include", "#tryinclude")):
            assert re.match(r'^#(try)?include\s+("[^"]+"|\S+)$', line), f"{number}: {raw}"
            continue
        if match := SECTION.match(line):
            section = match[1]
            continue
        match = ASSIGNMENT.match(line)
        assert match and section, f"line {number} is not Asterisk config: {raw!r}"
        out.append((section, match[1], match[2]))
    return out


@pytest.fixture
def files() -> dict[str, str]:
    return render_config(configured())


def test_every_file_parses(files: dict[str, str]) -> None:
    assert set(files) == set(TEMPLATES) | {f.name for f in DEFAULTS_FILES}
    assert {"musiconhold.conf", "logger.conf", "indications.conf", "cdr.conf"} <= set(files)
    for name, text in files.items():
        assert parse_asterisk_config(text) or name not in TEMPLATES, name


def test_modules_are_loaded_by_name_only(files: dict[str, str]) -> None:
    entries = parse_asterisk_config(files["modules.conf"])
    assert ("modules", "autoload", "no") in entries
    loaded = {v for _, k, v in entries if k in {"load", "require"}}
    assert loaded == {m for names in MODULES.values() for m in names}
    assert {v for _, k, v in entries if k == "require"} == set(REQUIRED)
    assert not loaded & {"res_ari.so", "res_http_websocket.so", "chan_iax2.so", "res_srtp.so"}


def test_dialplan_contexts_and_goto_targets(files: dict[str, str]) -> None:
    lines = parse_asterisk_config(files["extensions.conf"])
    contexts = {section for section, _, _ in lines}
    shared = {v for k, v in vars(constants).items() if k.startswith("CONTEXT_")}
    assert shared <= contexts
    body = files["extensions.conf"]
    for target in re.findall(r"(?:Goto|\?)\(?([\w-]+),s,1\)?", body):
        assert target in contexts, target
    for key, value in ((k, v) for _, k, v in lines):
        assert key in {"exten", "same", "static", "writeprotect", "clearglobalvars"} or (
            key.startswith("SUAC_")
        ), (key, value)
    inbound = [v for s, _, v in lines if s == constants.CONTEXT_INBOUND]
    assert {"_X.,1,Goto(s,1)", "_+X.,1,Goto(s,1)"} <= set(inbound)  # DIDs with or without +
    assert any("AGI(${SUAC_AGI}/ivr)" in v for v in inbound)
    assert inbound[-1] == f"n,Goto({constants.CONTEXT_QUEUE},s,1)"  # fall-back: an agent
    assert "ChanSpy" not in body  # supervisors' phones are originated into ChanSpy by AMI


def test_manager_user_has_least_privilege(files: dict[str, str]) -> None:
    entries = parse_asterisk_config(files["manager.conf"])
    user = {k: v for s, k, v in entries if s == "suac"}
    assert user["read"] == "call,agent,agi"
    assert user["write"] == "call,agent,originate,reporting"  # never "command": any CLI
    assert user["deny"] == "0.0.0.0/0.0.0.0" and user["permit"] == "127.0.0.1/255.255.255.255"
    assert "suac-revision" not in {s for s, _, _ in entries}  # no check secret configured
    general = {k: v for s, k, v in entries if s == "general"}
    assert general["bindaddr"] == "127.0.0.1" and general["webenabled"] == "no"
    assert general["allowmultiplelogin"] == "yes"  # a reconnect is never locked out
    assert general["channelvars"] == ",".join(
        (constants.VAR_RECORDING, constants.VAR_QUEUE_STATUS, constants.VAR_QUEUE_WAIT)
    )


def test_the_check_has_a_user_of_its_own_for_cli_questions_only() -> None:
    servers = [{"name": "locatel", "secret": "puente-S3cret", "check_secret": "rev-S3cret"}]
    entries = parse_asterisk_config(render_config(configured(servers=servers))["manager.conf"])
    checker = {k: v for s, k, v in entries if s == "suac-revision"}
    assert (checker["secret"], checker["read"], checker["write"]) == ("rev-S3cret", "", "command")
    assert checker["deny"] == "0.0.0.0/0.0.0.0" and checker["permit"] == "127.0.0.1/255.255.255.255"
    bridge = {k: v for s, k, v in entries if s == "suac"}
    assert "command" not in bridge["write"].split(",")


async def test_the_check_without_its_secret_says_what_to_configure() -> None:
    settings = configured(servers=[{"name": "locatel", "secret": "puente-S3cret"}])
    with pytest.raises(MissingSecret, match="secreto del usuario de revisión de «locatel»"):
        await check_server(settings)


def test_only_configured_secrets_appear(files: dict[str, str]) -> None:
    secret_keys = {"secret", "password"}
    found = {
        value
        for text in files.values()
        for _, key, value in parse_asterisk_config(text)
        if key in secret_keys
    }
    assert found == set(SECRETS.values())
    everything = "\n".join(files.values())
    assert "locatel-ami-secret" not in everything and "change-me" not in everything


def test_missing_secrets_are_refused_not_invented() -> None:
    with pytest.raises(MissingSecret, match="secreto AMI.*contraseña del teléfono 1001"):
        render_config(
            configured(
                servers=[{"name": "locatel"}],
                agents=[{"extension": "1001"}],
            )
        )


def test_a_value_cannot_inject_lines() -> None:
    with pytest.raises(UnsafeConfigValue):
        render_config(configured(prompts_dir="/tmp\n[general]"))
    text = render_config(configured(servers=[{"name": "l", "secret": "a;b"}]))["manager.conf"]
    assert ("suac", "secret", r"a\;b") in parse_asterisk_config(text)


def test_queue_members_and_trunk(files: dict[str, str]) -> None:
    queues = parse_asterisk_config(files["queues.conf"])
    assert ("locatel", "member", "PJSIP/1001,0,Ana López") in queues
    assert ("locatel", "wrapuptime", "10") in queues
    pjsip = parse_asterisk_config(files["pjsip.conf"])
    assert ("trunk", "context", constants.CONTEXT_INBOUND) in pjsip
    assert ("1001", "context", constants.CONTEXT_AGENTS) in pjsip
    no_trunk = render_config(configured(trunk={}))["pjsip.conf"]
    assert "[trunk]" not in no_trunk and "trunk-auth" not in no_trunk


def test_cli_render_writes_every_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUAC_ASTERISK__SERVERS", '[{"name": "locatel", "secret": "cli-S3cret"}]')
    monkeypatch.setenv("SUAC_ASTERISK__RECORDINGS_DIR", str(tmp_path / "grabaciones"))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["asterisk", "render", "--out", str(tmp_path / "etc")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "etc" / "manager.conf").read_text().count("cli-S3cret") == 1
    assert (tmp_path / "grabaciones" / constants.UTTERANCES_DIR).is_dir()  # RECORD FILE's
    monkeypatch.setenv("SUAC_ASTERISK__SERVERS", '[{"name": "locatel"}]')
    get_settings.cache_clear()
    refused = CliRunner().invoke(app, ["asterisk", "render", "--out", str(tmp_path / "x")])
    get_settings.cache_clear()
    assert refused.exit_code == 1 and "secreto AMI" in refused.output


def test_write_config_returns_paths(tmp_path: Path) -> None:
    paths = write_config(configured(), tmp_path)
    assert sorted(p.name for p in paths) == sorted(render_config(configured()))


def test_record_folders_are_created_or_refused_in_spanish(tmp_path: Path) -> None:
    settings = configured(recordings_dir=str(tmp_path / "spool" / "suac"))
    created = create_record_folders(settings)
    spool = tmp_path / "spool"
    assert created == [spool, spool / "suac", spool / "suac" / constants.UTTERANCES_DIR]
    assert record_folders(settings) == created[1:]
    assert create_record_folders(settings) == []
    (tmp_path / "archivo").write_text("no es carpeta")
    with pytest.raises(FolderNotCreated, match="No se pudo crear la carpeta de grabaciones"):
        create_record_folders(configured(recordings_dir=str(tmp_path / "archivo" / "suac")))
