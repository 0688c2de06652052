"""The only module that imports ``panoramisk`` (pinned at 1.4, its last release).

It keeps panoramisk's wire parsing and fixes, without patching the installed package, every
trap reproduced on Python 3.11+:

1. A client that connects to the FastAGI port and closes before sending its environment (a
   health check, a port scan) made ``Application.handler`` spin the event loop forever
   (``reader.read`` returns ``b""`` at EOF): we read the environment with ``readuntil`` and a
   time-out.
2. A synchronous event callback that raised escaped ``data_received`` and tore the AMI
   connection down: every callback runs guarded, and one bad frame no longer loses the rest.
3. ``QueueAdd`` ("Added interface to queue") never resolved unless ``as_list=False``: every
   action states ``as_list`` explicitly, and list actions end on ``EventList: Complete`` (or
   on an error answer, which panoramisk also left pending).
4. ``Originate`` without an ``Async`` header raised ``KeyError`` inside the protocol and dropped
   the connection: ``Async: true`` is always sent.
5. Plain ``def`` FastAGI routes failed (``asyncio.coroutine`` is gone): they are wrapped.
6. The AGI result parser cut ``text0="…"`` at the first space, and took Asterisk's
   unsolicited ``HANGUP`` line for the next command's reply (shifting every later one):
   :class:`AgiSession` skips that line (remembering the hang-up) and parses replies with
   :mod:`ivr.asterisk.agi_result`, which honours quotes.
7. Objects built outside a running loop warn now and will fail on 3.14: everything here is
   built from the running loop, and refuses clearly (:class:`NoRunningLoop`) without one.
8. The protocol had no manager until ``connect`` adopted it: a peer that closed right after
   accepting made ``connection_lost`` raise ``AttributeError`` and the login wait for its whole
   time-out. Our protocol is built with its manager, so the loss is seen at once.

Every AMI action has a time-out. Events reach the caller as plain ``dict`` headers.
"""

from __future__ import annotations

import asyncio
import codecs
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any

from panoramisk import Manager
from panoramisk.actions import Action
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.fast_agi import Application, Request
from panoramisk.message import Message

from ivr.asterisk.agi_result import HANGUP_LINE, AgiReply, parse_agi_reply
from ivr.asterisk.ami_types import (
    FAILED,
    AmiAnswer,
    AmiHeaders,
    check_header_values,
    running_loop,
)
from ivr.asterisk.errors import (
    AmiActionTimeout,
    AmiConnectionFailed,
    AmiLoginFailed,
    CallerHungUp,
)
from models.telemetry import AMI_ACTION_SECONDS

log = logging.getLogger(__name__)

EventSink = Callable[[AmiHeaders], object]
AnswerHook = Callable[[AmiAnswer], None]
FRAME_END = "\r\n\r\n"


def _log_failure(task: asyncio.Future) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("an AMI event handler failed", exc_info=task.exception())


class _Action(Action):
    """An action that resolves on its response, or on the end of its list (trap 3)."""

    on_answer: AnswerHook | None = None

    def add_message(self, message: Message) -> bool:
        self.responses.append(message)
        if self.future.done():
            return True
        first = self.responses[0]
        finished = (
            not self.as_list
            or first.get("response") in FAILED
            or str(message.get("eventlist", "")).lower() == "complete"
            or str(message.get("event", "")).endswith("Complete")
        )
        if finished:
            answer = AmiAnswer.from_messages(self.responses)
            if self.on_answer is not None:  # runs here, at the answer's place in the stream
                self.on_answer(answer)
            self.future.set_result(answer)
        return finished


class _Protocol(AMIProtocol):
    """panoramisk's protocol, decoding UTF-8 across reads and isolating each frame (trap 2),
    adopted by its manager as soon as it is connected (trap 8)."""

    def __init__(self, manager: _Manager) -> None:
        self._manager = manager

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""
        self._manager.attach(self)

    def data_received(self, data: bytes) -> None:
        text = self._pending + self._decoder.decode(data)
        frames = text.split(FRAME_END)
        self._pending = frames.pop()
        for frame in frames:
            try:
                message = Message.from_line(frame.strip())
                if message is not None:
                    self.handle_message(message)
            except Exception:  # noqa: BLE001  (one malformed frame must not drop the link)
                log.exception("ignored a malformed AMI frame: %r", frame[:200])


class _Manager(Manager):
    """panoramisk's Manager without its own reconnection, with guarded event dispatch."""

    def __init__(self, *, sink: EventSink, wanted: frozenset[str] | None, **config: Any) -> None:
        super().__init__(protocol_factory=partial(_Protocol, self), **config)
        self._sink = sink
        self._wanted = wanted
        self.events_seen = 0
        self.lost: asyncio.Future[object] = self.loop.create_future()

    def attach(self, protocol: _Protocol) -> None:
        """Adopt a connected protocol the way panoramisk's ``connection_made`` does."""
        protocol.factory = self
        protocol.log = self.log
        protocol.config = self.config
        protocol.encoding = self.encoding = self.config["encoding"]
        self.protocol = protocol
        self.responses = protocol.responses
        self._connected = True

    def dispatch(self, event: Message) -> list[str]:  # trap 2
        self.events_seen += 1
        name = event.get("event")
        if self._wanted is not None and name not in self._wanted:
            return []
        # panoramisk keeps {lower key: (key, value)}; a plain dict is ten times cheaper to read.
        headers = dict(event._store.values())
        try:
            result = self._sink(headers)
        except Exception:  # noqa: BLE001
            log.exception("the AMI event handler failed on %s", name)
            return []
        if inspect.isawaitable(result):
            asyncio.ensure_future(result).add_done_callback(_log_failure)
        return [str(name)]

    def connection_lost(self, exc: object) -> None:
        self._connected = False
        if not self.lost.done():
            self.lost.set_result(exc)


class AmiConnection:
    """One logged-in AMI session; reconnection belongs to its owner (the bridge)."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str,
        secret: str,
        sink: EventSink,
        wanted: Iterable[str] | None = None,
        timeout: float = 10.0,
        name: str = "",
    ) -> None:
        self._loop = running_loop()
        self.name = name or f"{host}:{port}"
        self._username, self._secret, self.timeout = username, secret, timeout
        self._manager = _Manager(
            loop=self._loop,
            host=host,
            port=port,
            sink=sink,
            wanted=frozenset(wanted) if wanted is not None else None,
        )

    @property
    def events_seen(self) -> int:
        """How many events the connection has dispatched so far."""
        return self._manager.events_seen

    @property
    def closed(self) -> bool:
        """True once the socket is gone."""
        return self._manager.lost.done()

    async def open(self) -> AmiAnswer:
        """Connect and log in; raise :class:`AmiConnectionFailed` or :class:`AmiLoginFailed`."""
        config = self._manager.config
        try:
            await asyncio.wait_for(
                self._loop.create_connection(
                    config["protocol_factory"], config["host"], config["port"]
                ),
                self.timeout,
            )
        except (OSError, TimeoutError) as error:
            raise AmiConnectionFailed(
                f"No se pudo conectar con Asterisk {self.name}: {error or 'tiempo agotado'}"
            ) from error
        if self.closed:
            raise AmiConnectionFailed(f"Asterisk {self.name} cerró la conexión al aceptarla.")
        answer = await self.send("Login", Username=self._username, Secret=self._secret, Events="on")
        if not answer.success:
            self.close()
            raise AmiLoginFailed(
                f"Asterisk {self.name} rechazó al usuario AMI «{self._username}»: "
                f"{answer.message or 'sin motivo'}"
            )
        return answer

    async def send(
        self,
        action: str,
        *,
        as_list: bool = False,
        timeout: float | None = None,
        on_answer: AnswerHook | None = None,
        **headers: Any,
    ) -> AmiAnswer:
        """Send ``action`` and wait for Asterisk's answer (a list's items when ``as_list``).

        ``on_answer`` runs synchronously when the answer completes, before any later event
        is dispatched: a snapshot list is applied exactly where it belongs in the stream.
        """
        check_header_values(headers)
        if action.lower() == "originate":
            headers.setdefault("Async", "true")  # trap 4
        if self.closed:
            raise AmiConnectionFailed(f"La conexión AMI con {self.name} está cerrada.")
        request = _Action({"Action": action, **headers}, as_list=as_list)
        request.on_answer = on_answer
        future = self._manager.send_action(request, as_list=as_list)
        with AMI_ACTION_SECONDS.labels(server=self.name, action=action).time():
            done, _ = await asyncio.wait(
                {future, self._manager.lost},
                timeout=timeout or self.timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
        if future in done:
            return future.result()
        self._manager.responses.pop(request.id, None)
        if self._manager.lost in done:
            raise AmiConnectionFailed(f"Se perdió la conexión AMI con {self.name} ({action}).")
        raise AmiActionTimeout(f"Asterisk {self.name} no respondió a {action} a tiempo.")

    async def wait_closed(self) -> object:
        """Wait until the connection is lost; return the cause."""
        return await asyncio.shield(self._manager.lost)

    def close(self) -> None:
        """Close the socket (idempotent)."""
        self._manager.close()
        if not self._manager.lost.done():
            self._manager.lost.set_result(None)


# --- FastAGI ---------------------------------------------------------------------------------

AgiRoute = Callable[["AgiSession"], Awaitable[None] | None]


class AgiSession(Request):
    """One FastAGI connection: the channel's environment and its command channel."""

    reply_timeout = 120.0

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hung_up = False

    @property
    def env(self) -> dict[str, str]:
        """The ``agi_*`` environment Asterisk sent first."""
        return dict(self.headers)

    async def command(self, text: str) -> AgiReply:
        """Send one AGI command and return its reply (trap 6); a closed socket is a hang-up."""
        if "\n" in text or "\r" in text:
            raise ValueError("an AGI command is a single line")
        try:
            self.writer.write(f"{text}\n".encode(self.encoding))
            await self.writer.drain()
            async with asyncio.timeout(self.reply_timeout):  # wait_for may lose a cancel (3.11)
                return await self._reply()
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            self.hung_up = True
            raise CallerHungUp("La llamada terminó durante un comando AGI.") from error

    async def send_command(self, command: str) -> AgiReply:  # type: ignore[override]
        """panoramisk's name for :meth:`command`."""
        return await self.command(command)

    async def _reply(self) -> AgiReply:
        while True:
            raw = await self.reader.readline()
            if not raw:
                self.hung_up = True
                raise CallerHungUp("Asterisk cerró la sesión AGI.")
            line = raw.decode(self.encoding, "replace").rstrip("\r\n")
            if line == HANGUP_LINE:  # unsolicited: the real reply follows
                self.hung_up = True
                continue
            if line.startswith("100 "):
                continue
            if line.startswith("520-"):
                usage = [line]
                while not usage[-1].startswith("520 "):
                    more = await self.reader.readline()
                    if not more:
                        break
                    usage.append(more.decode(self.encoding, "replace").rstrip("\r\n"))
                return AgiReply(code=520, line="\n".join(usage))
            return parse_agi_reply(line)


class _Application(Application):
    """panoramisk's router with a handler that cannot spin on an early EOF (trap 1)."""

    def __init__(self, *, loop: asyncio.AbstractEventLoop, header_timeout: float) -> None:
        super().__init__(loop=loop)
        self.header_timeout = header_timeout

    def add_route(self, path: str, endpoint: AgiRoute) -> None:
        if not inspect.iscoroutinefunction(endpoint):  # trap 5
            plain = endpoint

            async def endpoint(session: AgiSession) -> None:
                result = plain(session)
                if inspect.isawaitable(result):
                    await result

        super().add_route(path, endpoint)

    async def handler(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                raw = await asyncio.wait_for(reader.readuntil(b"\n\n"), self.header_timeout)
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
                log.info("a FastAGI client left before sending its environment")
                return
            lines = raw.decode(self.default_encoding, "replace").splitlines()
            headers = dict(line.split(": ", 1) for line in lines if ": " in line)
            script = headers.get("agi_network_script", "").split("?", 1)[0]
            route = self._route.get(script)
            if route is None:
                log.error("no FastAGI route for %r", script)
                return
            session = AgiSession(
                app=self,
                headers=headers,
                reader=reader,
                writer=writer,
                encoding=self.default_encoding,
            )
            try:
                await route(session)
            except CallerHungUp:
                log.info("caller hung up during the FastAGI script %s", script)
            except Exception:  # noqa: BLE001  (logged; the dialplan takes the fall-back)
                log.exception("the FastAGI script %s failed", script)
        except ConnectionError:
            log.info("FastAGI connection reset")
        finally:
            writer.close()


class FastAgiServer:
    """A FastAGI listener whose routes take an :class:`AgiSession`."""

    def __init__(self, *, host: str, port: int, header_timeout: float = 5.0) -> None:
        self._app = _Application(loop=running_loop(), header_timeout=header_timeout)
        self._host, self._port = host, port
        self._server: asyncio.AbstractServer | None = None

    def route(self, path: str, endpoint: AgiRoute) -> None:
        """Serve ``agi://host:port/<path>`` with ``endpoint`` (``def`` or ``async def``)."""
        self._app.add_route(path, endpoint)

    async def start(self) -> tuple[str, int]:
        """Start listening; return the bound address (port 0 picks a free one)."""
        self._server = await asyncio.start_server(self._app.handler, self._host, self._port)
        host, port = self._server.sockets[0].getsockname()[:2]
        return host, port

    async def close(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
