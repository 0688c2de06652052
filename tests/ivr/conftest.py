"""Fixtures for the Twilio tests: the whole app with signatures on, and a local Twilio API."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from test_twilio_support import ACCOUNT, PUBLIC, TOKEN

from models.config import Settings, TwilioSettings
from suac.web import create_app


class FakeTwilioApi(ThreadingHTTPServer):
    """Twilio's Messages REST endpoint on 127.0.0.1: records each POST, can fail on purpose."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ApiHandler)
        self.messages: list[dict[str, str]] = []
        self.calls: list[dict[str, str]] = []
        self.paths: list[str] = []
        self.failures: list[int] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ApiHandler(BaseHTTPRequestHandler):
    server: FakeTwilioApi

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.server.paths.append(self.path)
        status = self.server.failures.pop(0) if self.server.failures else 201
        body: dict[str, object] = {"code": 20500, "message": "falla", "status": status}
        if status == 201 and self.path.endswith("/Calls.json"):
            self.server.calls.append(form)
            body = {"sid": f"CA{len(self.server.calls):032x}", "status": "queued", "to": form["To"]}
        elif status == 201:
            self.server.messages.append(form)
            sid = f"SM{len(self.server.messages):032x}"
            body = {"sid": sid, "status": "queued", "to": form["To"], "body": form["Body"]}
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioApi]:
    """A local stand-in for api.twilio.com."""
    server = FakeTwilioApi()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def voice_settings(tmp_path: Path, twilio_api: FakeTwilioApi) -> Settings:
    """Embedded database, signatures on, a public base URL unlike the test server's."""
    return Settings(
        data_dir=tmp_path,
        public_base_url=PUBLIC,
        twilio=TwilioSettings(
            account_sid=ACCOUNT,
            auth_token=TOKEN,
            api_base_url=twilio_api.url,
            sms_sender="LOCATEL",
            whatsapp_sender="+5215599990000",
        ),
        _env_file=None,
    )


@pytest.fixture
async def twilio_app(voice_settings: Settings) -> AsyncIterator:
    """The whole application, with its lifespan running."""
    application = create_app(voice_settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def twilio_http(twilio_app) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client speaking to the twilio_app in process."""
    transport = httpx.ASGITransport(app=twilio_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
