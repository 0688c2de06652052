"""A local stand-in for Twilio (``suac demo``): its REST API, and its side of every call.

Twilio keeps the callers' queues, places the calls the service asks for, and calls the
service's webhooks, each signed with the account's auth token. Here:

- the REST API (``/2010-04-01/Accounts/…``) answers ``Messages.json`` (a message is accepted
  and, when the service asked for it, reported delivered to its status callback),
  ``Queues.json`` (the queues and how many callers wait in each), ``Calls.json`` (a call is
  placed: the phone it rings answers after a while and fetches the call's URL) and
  ``Calls/{sid}.json`` (a live call's change: ``Status=completed`` hangs it up, a new ``Url``
  takes the caller out of the agent's bridge to that URL);
- a caller (:meth:`TwilioStandIn.incoming`) plays the IVR through the signed voice webhooks;
  a caller the IVR puts in a queue (``<Enqueue>``) waits there, its ``waitUrl`` fetched, until
  an agent's leg takes it (``<Dial><Queue url>``, the ``url`` fetched for the caller) or its
  patience runs out (the ``<Enqueue action>`` with ``QueueResult=hangup``); every call ends
  with its status callback.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
import time
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import httpx
from twilio.request_validator import RequestValidator

from ivr.twilio.simulator import SimulatedCall, TwimlPage, new_call_sid

log = logging.getLogger(__name__)
ACCOUNT_SID = "AC" + "de" * 16
_CALL_UPDATE = re.compile(r"/Calls/(CA[0-9a-fA-F]+)\.json$")
AnswerHook = Callable[[str, str, asyncio.Event], None]
CALLBACK_OFFER = "le llamemos"  # the IVR offers a call-back when the wait is long


@dataclass(frozen=True)
class TwilioCaller:
    """A citizen calling the City's Twilio number: what it does in the IVR, then in the queue.

    ``script`` is a list of ``("press", "1")`` or ``("say", "…")`` steps.
    """

    number: str
    script: tuple[tuple[str, str], ...] = (("press", "0"),)
    think: float = 1.0  # seconds listening to each prompt before answering
    patience: float = 60.0
    talk: float = 15.0
    hangs_up_first: bool = True
    accepts_callback: bool = False  # when the IVR offers to call back instead of waiting


@dataclass
class _Queued:
    call: SimulatedCall
    action: str
    joined: float
    dequeued: asyncio.Future[tuple[str, str, str]]  # agent leg's sid, agent, status callback


def _enqueue_urls(xml: str) -> tuple[str, str]:
    """The ``action`` and ``waitUrl`` of a page's ``<Enqueue>``."""
    node = ET.fromstring(xml).find("Enqueue")
    assert node is not None, xml
    return node.get("action", ""), node.get("waitUrl", "")


def _dial_queue(xml: str) -> tuple[str, str] | None:
    """The queue an agent's ``<Dial><Queue url>`` takes a caller from, and the ``url``."""
    node = ET.fromstring(xml).find("Dial/Queue")
    if node is None:
        return None
    return (node.text or "").strip(), node.get("url", "")


@dataclass
class TwilioStandIn:
    """Twilio for one account, on 127.0.0.1, in front of the service at ``http``."""

    http: httpx.AsyncClient
    public_base_url: str
    auth_token: str
    ring_seconds: float = 2.5  # how long a placed call rings before the phone answers
    on_answer: AnswerHook | None = None
    port: int = 0
    messages: list[dict[str, str]] = field(default_factory=list)
    placed: list[dict[str, str]] = field(default_factory=list)
    queues: dict[str, list[_Queued]] = field(default_factory=dict)
    _live: dict[str, asyncio.Future[str]] = field(default_factory=dict)  # sid → a new URL or ""
    _server: asyncio.AbstractServer | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _clients: set[asyncio.StreamWriter] = field(default_factory=set)

    @property
    def api_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> int:
        """Listen for the REST API on a free loopback port and return it."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        """Stop the calls under way and the REST API."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for client in self._clients:
            client.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def _spawn(self, work: Callable[[], Awaitable[None]]) -> None:
        async def guarded() -> None:
            try:
                await work()
            except httpx.TransportError as error:  # the service is gone (the demo stopping)
                log.warning("a simulated Twilio call could not reach the service: %r", error)
            except (httpx.HTTPError, ET.ParseError):
                log.warning("a simulated Twilio call failed", exc_info=True)

        task = asyncio.create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- signed webhooks --------------------------------------------------------------------

    async def _post(self, url: str, params: dict[str, str]) -> httpx.Response:
        """POST ``params`` to the service's public ``url``, signed as Twilio signs."""
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        path = url.removeprefix(self.public_base_url.rstrip("/"))
        return await self.http.post(path, data=params, headers={"X-Twilio-Signature": signature})

    def _call(self, sid: str, caller: str, called: str) -> SimulatedCall:
        return SimulatedCall(
            http=self.http,
            public_base_url=self.public_base_url,
            auth_token=self.auth_token,
            caller=caller,
            called=called,
            call_sid=sid,
        )

    async def _completed(self, call: SimulatedCall, duration: float, url: str = "") -> None:
        """The call's status callback: completed."""
        extra = {"CallStatus": "completed", "CallDuration": str(int(duration))}
        await call.post(url or f"{self.public_base_url}/twilio/voice/status", extra)

    # --- callers ----------------------------------------------------------------------------

    async def incoming(self, caller: TwilioCaller) -> str:
        """Play one call to the City's number; how it ended: "ivr", "answered", "abandoned"."""
        call = self._call(new_call_sid(), caller.number, "+525556581111")
        started = time.monotonic()
        page = await call.start()
        try:
            for how, value in caller.script:
                if page.end or not page.action:
                    break
                await asyncio.sleep(caller.think)
                page = await (call.press(value) if how == "press" else call.say(value))
            if page.action and CALLBACK_OFFER in page.text:
                await asyncio.sleep(caller.think)
                page = await call.press("1" if caller.accepts_callback else "2")
            if page.end and page.end.startswith("enqueue:"):
                return await self._enqueued(call, page, caller)
            await asyncio.sleep(caller.think)
            return "ivr"
        finally:
            await self._completed(call, time.monotonic() - started)

    async def _enqueued(self, call: SimulatedCall, page: TwimlPage, caller: TwilioCaller) -> str:
        """``<Enqueue>``: wait for an agent's leg or hang up; talk; the action URL."""
        assert page.end is not None
        name = page.end.removeprefix("enqueue:")
        action, wait_url = _enqueue_urls(page.xml)
        loop = asyncio.get_running_loop()
        queued = _Queued(call, action, time.monotonic(), loop.create_future())
        line = self.queues.setdefault(name, [])
        line.append(queued)
        await self._post_as(call, wait_url, QueuePosition=str(len(line)), QueueTime="0")
        try:
            leg, agent, status_url = await asyncio.wait_for(
                asyncio.shield(queued.dequeued), caller.patience
            )
        except TimeoutError:
            if queued in line:
                line.remove(queued)
                waited = str(int(time.monotonic() - queued.joined))
                await self._post_as(
                    call, action, QueueResult="hangup", QueueTime=waited, CallStatus="completed"
                )
                return "abandoned"
            leg, agent, status_url = await queued.dequeued
        except asyncio.CancelledError:  # stopped while waiting: the caller hangs up
            if queued in line:
                line.remove(queued)
                waited = str(int(time.monotonic() - queued.joined))
                await self._post_as(
                    call, action, QueueResult="hangup", QueueTime=waited, CallStatus="completed"
                )
            raise
        await self._conversation(call, queued, caller, leg, agent, status_url)
        return "answered"

    async def _conversation(
        self,
        call: SimulatedCall,
        queued: _Queued,
        caller: TwilioCaller,
        leg: str,
        agent: str,
        status_url: str,
    ) -> None:
        """Talk until the caller, the agent or the service ends it; an update of the call
        with a new ``Url`` takes the caller out of the bridge to that URL (the agent's leg
        ends)."""
        waited = str(int(time.monotonic() - queued.joined))
        ended = asyncio.Event()
        change: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._live[call.call_sid] = self._live[leg] = change
        if self.on_answer is not None:
            self.on_answer(call.call_sid, agent, ended)
        began, redirect = time.monotonic(), ""
        try:
            with contextlib.suppress(TimeoutError):
                redirect = await asyncio.wait_for(asyncio.shield(change), caller.talk)
        finally:
            on_line = bool(redirect) or not caller.hangs_up_first
            await self._post_as(
                call,
                queued.action,
                QueueResult="redirected-from-bridged" if redirect else "bridged",
                QueueTime=waited,
                CallStatus="in-progress" if on_line else "completed",
            )
            agent_leg = self._call(leg, call.called, agent)
            await self._completed(agent_leg, time.monotonic() - began, status_url)
            self._live.pop(call.call_sid, None)
            self._live.pop(leg, None)
            ended.set()
        if redirect:
            await call.post(redirect, {})  # e.g. the status reading; then the caller hangs up
            await asyncio.sleep(caller.think * 3)

    async def _post_as(self, call: SimulatedCall, url: str, **fields: str) -> None:
        response = await call.post(url, fields)
        if response.status_code >= 400:
            log.warning("webhook %s answered %s", url, response.status_code)

    # --- calls the service places -----------------------------------------------------------

    def _placed(self, form: dict[str, str], sid: str) -> None:
        self.placed.append(form)
        self._spawn(lambda: self._ring(form, sid))

    async def _ring(self, form: dict[str, str], sid: str) -> None:
        """The phone rings, answers, and fetches the call's URL; then what the TwiML says."""
        await asyncio.sleep(self.ring_seconds)
        to, status_url = form.get("To", ""), form.get("StatusCallback", "")
        call = self._call(sid, form.get("From", ""), to)
        response = await call.post(form.get("Url", ""), {"Direction": "outbound-api"})
        page = TwimlPage.parse(response.status_code, response.text)
        taken = _dial_queue(response.text) if response.status_code == 200 else None
        if taken is not None:
            await self._take(call, to, status_url, *taken)
        elif page.end and page.end.startswith("enqueue:"):  # a call-back the citizen answered
            began = time.monotonic()
            try:
                await self._enqueued(call, page, TwilioCaller(number=to, patience=120))
            finally:
                await self._completed(call, time.monotonic() - began, status_url)
        else:
            await self._completed(call, 0, status_url)

    async def _take(
        self, agent_leg: SimulatedCall, agent: str, status_url: str, queue: str, url: str
    ) -> None:
        """``<Dial><Queue url>``: the front caller is put through to the agent's leg."""
        line = self.queues.get(queue, [])
        if not line:
            await self._completed(agent_leg, 0, status_url)  # nobody left to take
            return
        queued = line.pop(0)
        waited = str(int(time.monotonic() - queued.joined))
        extra = {"QueueTime": waited, "DequeingCallSid": agent_leg.call_sid}
        await queued.call.post(url, extra)
        queued.dequeued.set_result((agent_leg.call_sid, agent, status_url))

    # --- the REST API -----------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._clients.add(writer)
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                method, target = head[0].split()[:2]
                headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in head)}
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                status, answer = self._handle(method, target, dict(parse_qsl(body.decode())))
                payload = json.dumps(answer).encode()
                writer.write(
                    f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        self._clients.discard(writer)
        writer.close()

    def _handle(self, method: str, target: str, form: dict[str, str]) -> tuple[int, object]:
        path = target.split("?")[0]
        if method == "GET" and path.endswith("/Queues.json"):
            queues = [
                {"sid": f"QU{n:032x}", "friendly_name": name, "current_size": len(line)}
                for n, (name, line) in enumerate(self.queues.items(), start=1)
            ]
            return 200, {"queues": queues, "next_page_uri": None}
        update = _CALL_UPDATE.search(path)
        if method == "POST" and update:
            change = self._live.get(update.group(1))
            wanted = "" if form.get("Status") == "completed" else form.get("Url")
            if change is not None and not change.done() and wanted is not None:
                change.set_result(wanted)
            return 200, {"sid": update.group(1), "status": "in-progress"}
        if method == "POST" and path.endswith("/Calls.json"):
            sid = new_call_sid()
            self._placed(form, sid)
            return 201, {"sid": sid, "status": "queued", "to": form.get("To", "")}
        if method == "POST" and path.endswith("/Messages.json"):
            self.messages.append(form)
            sid = "SM" + secrets.token_hex(16)
            if form.get("StatusCallback"):
                self._spawn(lambda: self._delivered(form["StatusCallback"], sid))
            return 201, {"sid": sid, "status": "queued", "to": form.get("To", "")}
        return 404, {"code": 20404, "message": "No encontrado", "status": 404}

    async def _delivered(self, url: str, sid: str) -> None:
        await asyncio.sleep(1.0)
        await self._post(url, {"MessageSid": sid, "MessageStatus": "delivered"})
