"""``suac demo``: the whole system with simulated telephony, run as a user runs it.

The command runs in a subprocess on a fresh folder, with the environment pointing at a database
and a Redis that do not exist (the demonstration must use neither). Within a bounded time its
database holds calls answered and abandoned on both fronts, requests registered in the IVR and
through the capture form, and one answered by the authority, whose public page the screen points
at; the printed accounts sign in; and Ctrl+C stops it with exit code 0 and no traceback.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from suac.demo.system import MARKER, DemoRefused, check_port, free_port, prepare_folder

DEADLINE_SECONDS = 50
ACCOUNTS = ("asesor.asterisk", "asesor.twilio", "supervisora", "sacmex", "admin")
CSRF = re.compile(r'name="csrftoken" value="([^"]+)"')
ANNOUNCED = re.compile(r"SACMEX respondió el folio (\S+); consúltelo en (\S+)")
# what the first half minute of traffic must have left in the database
CHECKS = {
    "asterisk call answered": "select count(*) from call_record "
    "where transport = 'asterisk' and status = 'answered'",
    "asterisk call abandoned": "select count(*) from call_record "
    "where transport = 'asterisk' and status = 'abandoned'",
    "twilio call answered": "select count(*) from call_record "
    "where transport = 'twilio' and status = 'answered'",
    "twilio call abandoned": "select count(*) from call_record "
    "where transport = 'twilio' and status = 'abandoned'",
    "wrapped up by an agent": "select count(*) from call_record "
    "where wrapup_disposition is not null",
    "registered in the IVR": "select count(*) from service_request where channel = 'twilio_call'",
    "captured by an agent": "select count(*) from service_request "
    "where channel = 'agent' and call_id is not null",
    "answered by the authority": "select count(*) from service_request "
    "where status = 'answered' and authority_code = 'SACMEX'",
}


def _missing(database: Path) -> list[str]:
    """The checks the database does not pass yet."""
    if not database.exists():
        return list(CHECKS)
    with sqlite3.connect(database, timeout=5) as db:
        try:
            return [name for name, query in CHECKS.items() if not db.execute(query).fetchone()[0]]
        except sqlite3.OperationalError:  # not migrated yet
            return list(CHECKS)


def _signs_in(url: str, username: str, password: str) -> bool:
    with httpx.Client(base_url=url, timeout=10) as client:
        token = CSRF.search(client.get("/entrar").text)
        assert token is not None
        form = {"usuario": username, "contrasena": password, "csrftoken": token.group(1)}
        answer = client.post("/entrar", data=form)
        return answer.status_code == 303 and answer.headers["location"] != "/entrar"


def test_demo_runs_every_path_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    folder, port = tmp_path / "demo", free_port()
    out, err = tmp_path / "salida.txt", tmp_path / "errores.txt"
    env = {
        **os.environ,
        "SUAC_DATABASE_URL": "postgresql+psycopg://nadie@127.0.0.1:9/no-existe",
        "SUAC_REDIS_URL": "redis://127.0.0.1:9/0",
        "SUAC_DATA_DIR": str(tmp_path / "datos-reales"),
    }
    command = [sys.executable, "-m", "suac.cli", "demo", "--port", str(port)]
    command += ["--data-dir", str(folder), "--minutes", "5"]
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env)
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        missing = list(CHECKS)
        while missing and time.monotonic() < deadline and process.poll() is None:
            time.sleep(1)
            missing = _missing(folder / "suac.db")
        assert not missing, f"{missing}\n{out.read_text()}\n{err.read_text()}"
        printed = out.read_text()
        password = re.search(r"demo-[0-9a-f]{8}", printed)
        assert password is not None, printed
        assert f"http://127.0.0.1:{port}" in printed and str(folder) in printed
        url = f"http://127.0.0.1:{port}"
        assert all(_signs_in(url, name, password.group(0)) for name in ACCOUNTS)
        assert not _signs_in(url, "admin", "otra-contraseña")
        answered = None
        while answered is None and time.monotonic() < deadline + 10:
            answered = re.search(ANNOUNCED, out.read_text())
            time.sleep(0.2)
        assert answered is not None, out.read_text()
        public = httpx.get(answered.group(2), timeout=10)
        assert public.status_code == 200 and answered.group(1) in public.text
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    printed, errors = out.read_text(), err.read_text()
    assert "Demostración detenida." in printed and "Traceback" not in printed + errors
    assert "Traceback" not in (folder / "demo.log").read_text()
    assert not (tmp_path / "datos-reales").exists()  # the user's folder was never touched


def test_demo_folder_is_new_empty_or_an_earlier_demo(tmp_path: Path) -> None:
    earlier = tmp_path / "anterior"
    prepare_folder(earlier)
    (earlier / "suac.db").write_text("de la demostración anterior")
    prepare_folder(earlier)
    assert [p.name for p in earlier.iterdir()] == [MARKER]
    someone_elses = tmp_path / "ajena"
    someone_elses.mkdir()
    (someone_elses / "suac.db").write_text("datos de alguien")
    with pytest.raises(DemoRefused, match="no está vacía"):
        prepare_folder(someone_elses)
    assert (someone_elses / "suac.db").read_text() == "datos de alguien"


def test_demo_refuses_the_real_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    with pytest.raises(DemoRefused, match="carpeta de datos real"):
        prepare_folder(tmp_path / "suac-locatel")


def test_demo_refuses_a_port_in_use() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(DemoRefused, match="--port"):
            check_port("127.0.0.1", busy.getsockname()[1])
