"""A local stand-in for Twilio's REST API (api.twilio.com): records each message and call it
accepts and each change to a live call, serves and deletes call recordings, and can fail or
hang on purpose (a plain module, importable by any test)."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

_CALL_UPDATE = re.compile(r"/Calls/(CA[0-9a-fA-F]+)\.json$")
_RECORDING = re.compile(r"/Recordings/(RE[0-9a-fA-F]{32})\.(wav|json)$")


class FakeTwilioApi(ThreadingHTTPServer):
    """Messages, Calls and Queues on 127.0.0.1.

    ``queues`` maps a queue's name to its callers waiting (listed by ``GET …/Queues.json``);
    ``recordings`` maps a recording's SID to its WAV (``GET …/Recordings/RE….wav``, with the
    ``Authorization`` header kept in ``authorizations``; ``DELETE …/Recordings/RE….json``
    removes it and lists it in ``deleted``).

    ``failures`` lists HTTP statuses to answer next; ``hang_next`` requests are held open (and
    never accepted) until :meth:`release` or shutdown, as a REST API that stopped answering.
    """

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ApiHandler)
        self.messages: list[dict[str, str]] = []
        self.calls: list[dict[str, str]] = []
        self.queues: dict[str, int] = {}
        self.recordings: dict[str, bytes] = {}
        self.deleted: list[str] = []
        self.authorizations: list[str] = []
        self.updates: list[dict[str, str]] = []  # changes to live calls (with their "path")
        self.paths: list[str] = []
        self.failures: list[int] = []
        self.hang_next = 0
        self.hanging = 0
        self.hang_all = False
        self._released = threading.Event()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def release(self) -> None:
        """Let every held request go (answered 503, nothing accepted)."""
        self._released.set()

    def hold(self) -> bool:
        """Whether this request is to be held open."""
        with self._lock:
            if self.hang_all:
                return True
            if self.hang_next > 0:
                self.hang_next -= 1
                return True
            return False

    def shutdown(self) -> None:
        self.release()
        super().shutdown()


class _ApiHandler(BaseHTTPRequestHandler):
    server: FakeTwilioApi

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.paths.append(self.path)
        if recording := _RECORDING.search(self.path):
            self.server.authorizations.append(self.headers.get("Authorization", ""))
            self._recording(recording.group(1))
            return
        if not self.path.split("?")[0].endswith("/Queues.json"):
            self._answer(404, {"code": 20404, "message": "No encontrado", "status": 404})
            return
        queues = [
            {"sid": f"QU{n:032x}", "friendly_name": name, "current_size": size}
            for n, (name, size) in enumerate(self.server.queues.items(), start=1)
        ]
        self._answer(200, {"queues": queues, "next_page_uri": None})

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.server.paths.append(self.path)
        if self.server.hold():
            self.server.hanging += 1
            self.server._released.wait()
            self._answer(503, {"code": 20503, "message": "sin servicio", "status": 503})
            return
        status = self.server.failures.pop(0) if self.server.failures else 201
        body: dict[str, object] = {"code": 20500, "message": "falla", "status": status}
        sid = _CALL_UPDATE.search(self.path)
        if status == 201 and sid:
            self.server.updates.append({**form, "path": self.path})
            body, status = {"sid": sid.group(1), "status": "in-progress"}, 200
        elif status == 201 and self.path.endswith("/Calls.json"):
            self.server.calls.append(form)
            body = {"sid": f"CA{len(self.server.calls):032x}", "status": "queued", "to": form["To"]}
        elif status == 201:
            self.server.messages.append(form)
            sid = f"SM{len(self.server.messages):032x}"
            body = {"sid": sid, "status": "queued", "to": form["To"], "body": form["Body"]}
        self._answer(status, body)

    def do_DELETE(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.paths.append(self.path)
        recording = _RECORDING.search(self.path)
        status = self.server.failures.pop(0) if self.server.failures else 204
        if status == 204 and recording and recording.group(1) in self.server.recordings:
            del self.server.recordings[recording.group(1)]
            self.server.deleted.append(recording.group(1))
            self._send(204, "application/json", b"")
            return
        status = 404 if status == 204 else status
        self._answer(status, {"code": 20000 + status, "message": "falla", "status": status})

    def _recording(self, sid: str) -> None:
        """A recording's WAV (or the next failure planned, or 404)."""
        if self.server.failures:
            status = self.server.failures.pop(0)
            self._answer(status, {"code": 20000 + status, "message": "falla", "status": status})
        elif sid in self.server.recordings:
            self._send(200, "audio/x-wav", self.server.recordings[sid])
        else:
            self._answer(404, {"code": 20404, "message": "No encontrado", "status": 404})

    def _answer(self, status: int, body: dict[str, object]) -> None:
        self._send(status, "application/json", json.dumps(body).encode())

    def _send(self, status: int, content_type: str, payload: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client died meanwhile
            pass

    def log_message(self, *args: object) -> None:
        """Quiet."""


def start_fake_twilio() -> FakeTwilioApi:
    """A running stand-in (call ``shutdown()`` and ``server_close()`` when done)."""
    server = FakeTwilioApi()
    # it looks for shutdown() every poll_interval (by default 0.5 s, which each test waited)
    serve = {"poll_interval": 0.02}
    threading.Thread(target=server.serve_forever, kwargs=serve, daemon=True).start()
    return server
