"""What the Redis-outage fault test drives (a plain module: ``conftest`` names are ambiguous):
the settings every process of the deployment shares, an AMI peer for the telephony role, the
pages' live streams, and one round of traffic (calls, messages, console registrations), each
webhook timed."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx
from twilio.request_validator import RequestValidator

from ivr.asterisk.ami_peer import AmiPeer
from ivr.prompts.spoken import DIGIT_WORDS
from ivr.twilio.simulator import SimulatedCall, new_call_sid
from models.folio import format_folio
from tests.agent_console.console_support import sign_in
from tests.agent_console.test_capture import register as capture
from tests.agent_console.test_capture import valid

sys.path.insert(0, str(Path(__file__).parents[1] / "ivr"))  # the IVR tests' plain modules
from test_text_front import answer_for  # noqa: E402
from test_twilio_voice import accept, settle_place  # noqa: E402

# http: the console's cookies are not marked Secure, so the test's client sends them back
PUBLIC, TOKEN, ACCOUNT = "http://locatel.example.mx", "token-de-prueba", "AC" + "3" * 32
AMI_SECRET = "s3cret"
TWILIO_LIMIT_SECONDS = 15.0  # Twilio gives up on a webhook that takes longer
T = TypeVar("T")
_FOLIO_WORDS = re.compile(rf"\b({'|'.join(DIGIT_WORDS)})\b")
_PRINTED_FOLIO = re.compile(r"\b(\d{2})-(\d{7})-(\d)\b")


def own_database(url: str, name: str) -> str:
    """``url`` on a database of its own, ``name``, created empty: the processes' run is not
    disturbed by other tests that empty the shared one."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def shared_env(*, data_dir: Path, database: str, redis: str, twilio_api: str, ami_port: int,
               agi_port: int) -> dict[str, str]:
    """The ``SUAC_`` settings every process gets, as in production."""
    return {
        "SUAC_DATA_DIR": str(data_dir),
        "SUAC_DATABASE_URL": database,
        "SUAC_REDIS_URL": redis,
        "SUAC_PUBLIC_BASE_URL": PUBLIC,
        "SUAC_TWILIO__ACCOUNT_SID": ACCOUNT,
        "SUAC_TWILIO__AUTH_TOKEN": TOKEN,
        "SUAC_TWILIO__API_BASE_URL": twilio_api,
        "SUAC_TWILIO__SMS_SENDER": "LOCATEL",
        "SUAC_ASTERISK__SERVERS": f'[{{"port": {ami_port}, "secret": "{AMI_SECRET}"}}]',
        "SUAC_ASTERISK__AGI_PORT": str(agi_port),
        "SUAC_WORKER__POLL_SECONDS": "0.2",
        "SUAC_WORKER__RELAY_SECONDS": "0.5",
    }


class AmiInThread:
    """An AMI peer (the PBX the telephony role owns) on a loop of its own, so that it answers
    while the test waits for the processes."""

    def __init__(self) -> None:
        self.peer = AmiPeer(secret=AMI_SECRET)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self.peer.start(), self._loop).result(5)

    def members(self) -> list[str]:
        """The interfaces in the queue now."""
        return [m.get("Interface", "") for m in list(self.peer.members)]

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.peer.close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


class EventStream:
    """One page's server-sent events, read by a thread from one connection that is never
    opened again: what arrives after an outage came through the server's own resumption."""

    def __init__(self, url: str, *, cookies: httpx.Cookies | None = None) -> None:
        self.url, self.cookies = url, cookies
        self.events: list[tuple[float, str, str]] = []  # (monotonic time, event, data)
        self.status = 0
        self.opened = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.opened.wait(10) and self.status == 200, f"{url}: {self.status}"

    def _read(self) -> None:
        timeout = httpx.Timeout(10, read=None)
        headers = {"accept": "text/event-stream"}
        with (
            contextlib.suppress(httpx.HTTPError),  # the service stopping ends the stream
            httpx.Client(cookies=self.cookies, timeout=timeout) as client,
            client.stream("GET", self.url, headers=headers) as response,
        ):
            self.status = response.status_code
            self.opened.set()
            name, data = "", []
            for line in response.iter_lines():
                if line.startswith("event:"):
                    name = line.removeprefix("event:").strip()
                elif line.startswith("data:"):
                    data.append(line.removeprefix("data:").strip())
                elif not line and (name or data):
                    self.events.append((time.monotonic(), name, "\n".join(data)))
                    name, data = "", []

    def since(self, moment: float, name: str) -> list[str]:
        """The data of the ``name`` events received after ``moment``."""
        return [data for at, event, data in list(self.events) if at > moment and event == name]


@dataclass
class Traffic:
    """Callers, senders and an agent against one web process; what each was told."""

    http: httpx.AsyncClient
    console: httpx.Client
    folios: dict[str, str] = field(default_factory=dict)  # folio → who was given it
    calls: list[str] = field(default_factory=list)  # every CallSid
    webhook_seconds: list[float] = field(default_factory=list)
    _callers: int = 0

    async def timed(self, step: Awaitable[T]) -> T:
        """Await one webhook, keeping how long it took."""
        started = time.monotonic()
        try:
            return await step
        finally:
            self.webhook_seconds.append(time.monotonic() - started)

    def _caller(self) -> str:
        self._callers += 1
        return f"+5255{self._callers:08d}"

    def _given(self, folio: str, who: str) -> None:
        assert folio not in self.folios, f"{folio} given to {self.folios[folio]} and to {who}"
        self.folios[folio] = who

    async def phone_registration(self) -> None:
        """A caller registers a request by speech and hears the folio."""
        call = SimulatedCall(
            http=self.http, public_base_url=PUBLIC, auth_token=TOKEN, caller=self._caller()
        )
        self.calls.append(call.call_sid)
        page = await self.timed(call.start())
        page = await self.timed(call.say("no tengo agua en mi casa desde ayer en iztapalapa"))
        page = await self.timed(accept(call, page, "Falta de agua"))
        page = await self.timed(settle_place(call, page, "09"))
        page = await self.timed(call.say("calle Morelos frente al mercado"))
        assert "quedó registrada" in page.text, page.text
        heard = _FOLIO_WORDS.findall(page.text.split("Anote su folio:", 1)[1])[:10]
        self._given("".join(str(DIGIT_WORDS.index(w)) for w in heard), call.call_sid)
        assert (await self.timed(call.hang_up())).status_code == 204

    async def abandoned_call(self) -> None:
        """A caller asks for an agent, waits in the queue and gives up."""
        call = SimulatedCall(
            http=self.http, public_base_url=PUBLIC, auth_token=TOKEN, caller=self._caller()
        )
        self.calls.append(call.call_sid)
        await self.timed(call.start())
        page = await self.timed(call.press("0"))
        assert page.end == "enqueue:locatel", page.xml
        hook = f"{PUBLIC}/twilio/voice/queue"
        wait = {"QueuePosition": "1", "QueueTime": "0"}
        assert (await self.timed(call.post(f"{hook}/wait?queue=locatel", wait))).status_code == 200
        left = {"QueueResult": "hangup", "QueueTime": "4", "CallStatus": "completed"}
        result = await self.timed(call.post(f"{hook}/result?queue=locatel", left))
        assert result.status_code == 200, result.text
        assert (await self.timed(call.hang_up())).status_code == 204

    async def message(self, sender: str, body: str) -> str:
        """One signed incoming SMS; the reply's text."""
        params = {"MessageSid": "SM" + new_call_sid()[2:], "From": sender, "To": "+525556581111",
                  "Body": body}
        signature = RequestValidator(TOKEN).compute_signature(f"{PUBLIC}/twilio/messaging", params)
        headers = {"X-Twilio-Signature": signature}
        response = await self.timed(self.http.post("/twilio/messaging", data=params,
                                                   headers=headers))
        assert response.status_code == 200, response.text
        reply = ET.fromstring(response.text).find("Message")
        assert reply is not None and reply.text, response.text
        return reply.text

    async def sms_registration(self) -> None:
        """A citizen registers a request by SMS and reads the folio."""
        sender = self._caller()
        reply = await self.message(sender, "hola, hay un bache en mi calle")
        for _ in range(8):
            said = answer_for(reply, tema="bache", alcaldia="Iztapalapa",
                              reference="calle Morelos esquina con Ermita frente a la escuela")
            if said is None:
                printed = _PRINTED_FOLIO.search(reply)
                assert printed, reply
                self._given("".join(printed.groups()), sender)
                return
            reply = await self.message(sender, said)
        raise AssertionError(f"not registered by SMS: {reply}")

    async def console_registration(self) -> None:
        """The signed-in agent captures a request (the folio on the page it is sent to)."""
        folio = await asyncio.to_thread(lambda: capture(self.console, valid(self.console)))
        self._given(folio, "consola")

    async def status_queries(self, folio: str) -> None:
        """A caller, a sender and the public API are asked ``folio``'s status (each look-up is
        counted)."""
        call = SimulatedCall(
            http=self.http, public_base_url=PUBLIC, auth_token=TOKEN, caller=self._caller()
        )
        self.calls.append(call.call_sid)
        await self.timed(call.start())
        await self.timed(call.press("2"))
        page = await self.timed(call.press(folio))
        assert "El plazo para responderle vence" in page.text, page.text
        assert (await self.timed(call.hang_up())).status_code == 204
        reply = await self.message(self._caller(), f"FOLIO {folio}")
        assert format_folio(folio) in reply and "Plazo" in reply, reply
        public = await self.http.get(f"/api/public/folios/{folio}")
        assert public.status_code == 200 and public.json()["folio"] == folio, public.text

    async def round(self, calls: int = 2) -> None:
        """Calls registering, one abandoned call, one SMS and one console registration, then
        status look-ups of one of the folios, by phone and by SMS."""
        await asyncio.gather(
            *(self.phone_registration() for _ in range(calls)),
            self.abandoned_call(),
            self.sms_registration(),
            self.console_registration(),
        )
        await self.status_queries(next(reversed(self.folios)))


def signed_in(url: str, username: str) -> httpx.Client:
    """A browser of ``username``'s, signed in through the form."""
    client = httpx.Client(base_url=url, timeout=TWILIO_LIMIT_SECONDS)
    assert sign_in(client, username).status_code == 303  # type: ignore[arg-type]
    return client
