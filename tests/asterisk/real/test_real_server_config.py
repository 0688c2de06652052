"""The rendered configuration on a real Asterisk 22: a clean start (no loader error, no
missing file), and everything the dialplan and the queue use is there."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.asterisk.constants import SPY_APPLICATION

from .real_asterisk import RealAsterisk, real_asterisk, write_silence

START_TROUBLE = re.compile(r"ERROR\[|WARNING\[|Unable to load|declined", re.IGNORECASE)
APPLICATION = re.compile(r"^\s*(?:exten\s*=>\s*[^,]+,|same\s*=>\s*)[^,]+,(\w+)\(", re.MULTILINE)
FUNCTION = re.compile(r"\$\{([A-Z_]+)\(")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealAsterisk]:
    def music(run: Path) -> None:  # what asterisk-moh-opsound-wav would give
        write_silence(run / "lib" / "moh" / "espera.wav")

    with real_asterisk(tmp_path_factory, before_start=music) as started:
        yield started


def test_the_server_starts_without_a_loader_error_or_warning(server: RealAsterisk) -> None:
    log = server.console_log.read_text(encoding="utf-8", errors="replace")
    assert "Asterisk Ready" in log
    assert [line for line in log.splitlines() if START_TROUBLE.search(line)] == []


def test_every_application_and_function_of_the_dialplan_is_loaded(server: RealAsterisk) -> None:
    dialplan = (server.conf / "extensions.conf").read_text(encoding="utf-8")
    # ChanSpy is sent over AMI; System runs over AGI's EXEC (to make the answers' folder)
    applications = set(APPLICATION.findall(dialplan)) | {SPY_APPLICATION, "System"}
    functions = set(FUNCTION.findall(dialplan))
    assert {"AGI", "Queue", "MixMonitor"} <= applications and "CHANNEL" in functions
    missing = [
        name
        for name in sorted(applications)
        if f"Info about Application '{name}'" not in server.cli(f"core show application {name}")
    ] + [
        name
        for name in sorted(functions)
        if f"Info about Function '{name}'" not in server.cli(f"core show function {name}")
    ]
    assert missing == []


def test_the_queue_has_its_music_class(server: RealAsterisk) -> None:
    queues = (server.conf / "queues.conf").read_text(encoding="utf-8")
    assert "musicclass = default" in queues
    assert "Class: default" in server.cli("moh show classes")
