"""Twilio commands through the facade: the real ``twilio`` client builds each REST request; a
scripted HTTP client answers as Twilio does."""

from __future__ import annotations

import json
from logging import getLogger
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import Engine
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.rest import Client

from ivr.telephony import Telephony
from ivr.twilio.commands import TWILIO, TwilioCommands, TwilioRefused
from ivr.twilio.outbound import MessageSender
from models.bus import InProcessBus
from models.commands import CommandClient, CommandRefused
from models.config import IvrSettings, Settings
from models.notifier import Notifier

ACCOUNT = "AC" + "1" * 32
QUEUES = f"/2010-04-01/Accounts/{ACCOUNT}/Queues"


class ScriptedTwilio(HttpClient):
    """Answers from ``routes`` (method and path → status and JSON body); records requests."""

    def __init__(self, routes: dict[tuple[str, str], tuple[int, dict]]) -> None:
        super().__init__(getLogger(__name__), is_async=False)
        self.routes, self.requests = routes, []

    def request(self, method, uri, params=None, data=None, **_: object) -> Response:  # noqa: ANN001
        path = urlparse(uri).path
        self.requests.append((method, path, dict(data or {})))
        status, body = self.routes.get(
            (method, path), (404, {"code": 20404, "message": "No encontrado", "status": 404})
        )
        return Response(status, json.dumps(body))


def telephony_with(http: ScriptedTwilio, engine: Engine, tmp_path: Path) -> Telephony:
    settings = Settings(
        data_dir=tmp_path,
        public_base_url="https://locatel.example",
        ivr=IvrSettings(callback_from="+525500000311"),
        _env_file=None,
    )
    client = Client(ACCOUNT, "token", http_client=http)
    sender = MessageSender(
        settings=settings,
        engine=engine,
        notifier=Notifier(engine=engine, bus=InProcessBus()),
        client=client,
    )
    commands = CommandClient()
    commands.serve_locally(TWILIO, TwilioCommands(sender=sender, settings=settings).handlers())
    return Telephony(client=commands, servers=[], timeout=5)


async def test_dial_next_rings_the_agent_whose_leg_takes_the_front_caller(
    engine: Engine, tmp_path: Path
) -> None:
    queue = {"sid": "QU1", "friendly_name": "locatel", "account_sid": ACCOUNT, "current_size": 2}
    calls = f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json"
    http = ScriptedTwilio(
        {
            ("GET", f"{QUEUES}.json"): (200, {"queues": [queue]}),
            ("POST", calls): (201, {"sid": "CA9", "status": "queued"}),
        }
    )
    telephony = telephony_with(http, engine, tmp_path)
    agent = "sip:agente01@pbx.locatel.cdmx.gob.mx"
    result = await telephony.dial_next("locatel", agent=agent)
    assert (result.call_sid, result.status) == ("CA9", "queued")
    method, path, data = http.requests[-1]
    assert (method, path, data["To"], data["From"]) == ("POST", calls, agent, "+525500000311")
    url = urlparse(data["Url"])
    assert url.path == "/twilio/voice/agent"
    assert parse_qs(url.query) == {"queue": ["locatel"], "agent": [agent]}
    with pytest.raises(CommandRefused) as refused:
        await telephony.dial_next("otra", agent="+525512345678")
    assert (refused.value.reason, refused.value.message) == (
        TwilioRefused.error_id,
        "No existe la cola de Twilio «otra».",
    )
    queue["current_size"] = 0
    with pytest.raises(CommandRefused, match="La cola «locatel» no tiene llamadas en espera."):
        await telephony.dial_next("locatel", agent="+525512345678")
    with pytest.raises(CommandRefused, match="Agente no válido"):
        await telephony.dial_next("locatel", agent="5512345678")


async def test_end_call_and_place_call(engine: Engine, tmp_path: Path) -> None:
    calls = f"/2010-04-01/Accounts/{ACCOUNT}/Calls"
    http = ScriptedTwilio(
        {
            ("POST", f"{calls}/CA5.json"): (200, {"sid": "CA5", "status": "completed"}),
            ("POST", f"{calls}.json"): (201, {"sid": "CA6", "status": "queued"}),
        }
    )
    telephony = telephony_with(http, engine, tmp_path)
    ended = await telephony.end_call("CA5")
    assert (ended.call_sid, ended.status) == ("CA5", "completed")
    assert http.requests[-1][2] == {"Status": "completed"}
    placed = await telephony.place_call("+525512345678", url="https://locatel.example/x")
    assert (placed.call_sid, placed.status) == ("CA6", "queued")
    sent = http.requests[-1][2]
    assert (sent["To"], sent["From"], sent["StatusCallback"]) == (
        "+525512345678",
        "+525500000311",
        "https://locatel.example/twilio/voice/status",
    )
    with pytest.raises(CommandRefused, match="Twilio rechazó colgar la llamada"):
        await telephony.end_call("CA404")
