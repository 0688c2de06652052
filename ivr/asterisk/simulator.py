"""A simulated Asterisk 22 for demonstrations (``suac demo``): it speaks real AMI to the bridge
and FastAGI to the IVR, so the system under it runs exactly as on a real PBX.

:class:`AmiPeer` is the protocol: the ``Asterisk Call Manager/11.0.0`` banner, ``Response:``
frames echoing ``ActionID``, event lists (``EventList: start`` … ``…Complete``), ``Message``
headers and ``\\r\\n\\r\\n`` framing; queue members are state that ``QueueAdd``,
``QueueRemove`` and ``QueuePause`` change, answered as Asterisk answers and followed by the
``QueueMember*`` event Asterisk sends.

:class:`AsteriskSimulator` adds calls from the trunk: the caller's channel enters the dialplan,
which runs the FastAGI IVR (the caller presses the keys it was given), then ``Queue()``: each
waiting caller rings the member idle the longest, whose phone answers by itself after a ring; the
conversation lasts what the caller was given, and a caller whose patience runs out first
abandons. Members rest the queue's wrap-up time after each call. ``Redirect`` into the status
context ends the agent's part and runs the IVR's ``estado`` route; ``Hangup`` of a caller ends
the conversation; ``Originate`` of a call-back rings the citizen, who answers and waits in the
queue, and one into ``ChanSpy`` opens the supervisor's channel (its ``ChannelId``) until the
agent's call ends, or at once when the agent is on no call::

    simulator = AsteriskSimulator(secret="s3cret", agi=("127.0.0.1", 4573))
    port = await simulator.start()
    result = await simulator.call(SimulatedCaller(number="5512345678", keys=["0"],
                                                  patience=30, talk=12))
    result.outcome  # "answered", "abandoned" or "ivr"
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
Headers = dict[str, str]
QUEUE = "locatel"
TRUNK = "PJSIP/troncal"
AGI_IVR, AGI_STATUS = "ivr", "estado"
CONTEXT_QUEUE, CONTEXT_STATUS = "locatel-cola", "locatel-estado"
NORMAL_CLEARING = {"Cause": "16", "Cause-txt": "Normal Clearing"}


def frame(headers: Headers | list[tuple[str, str]]) -> bytes:
    """One AMI frame: ``Key: value`` lines ended by a blank line."""
    pairs = headers.items() if isinstance(headers, dict) else headers
    return ("".join(f"{k}: {v}\r\n" for k, v in pairs) + "\r\n").encode()


def parse_frame(raw: bytes) -> Headers:
    """Headers of one frame the client sent."""
    lines = raw.decode().strip().split("\r\n")
    return dict(line.split(": ", 1) for line in lines if ": " in line)


def channel(uniqueid: str, linkedid: str, name: str, **extra: str) -> Headers:
    """A channel snapshot as Asterisk describes it in events and CoreShowChannel."""
    return {
        "Channel": name,
        "ChannelState": "6",
        "ChannelStateDesc": "Up",
        "CallerIDNum": extra.pop("CallerIDNum", "5512345678"),
        "CallerIDName": "Ciudadano",
        "Context": extra.pop("Context", "locatel-entrada"),
        "Exten": "s",
        "Priority": "1",
        "Uniqueid": uniqueid,
        "Linkedid": linkedid,
        **extra,
    }


@dataclass
class AmiPeer:
    """The AMI side of Asterisk: answers actions from its state; ``answers`` overrides any."""

    secret: str = "s3cret"
    channels: list[Headers] = field(default_factory=list)
    members: list[Headers] = field(default_factory=list)
    entries: list[Headers] = field(default_factory=list)
    summary: Headers = field(default_factory=dict)
    answers: dict[str, Callable[[Headers], list[bytes]]] = field(default_factory=dict)
    received: list[Headers] = field(default_factory=list)
    logins: int = 0
    port: int = 0
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)
    _server: asyncio.AbstractServer | None = None

    async def start(self) -> int:
        """Listen on a free loopback port and return it."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        """Stop listening and drop every client."""
        await self.drop()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def drop(self) -> None:
        """Cut every client connection, the way a restart or a network fault does."""
        for writer in self._writers:
            writer.close()
        self._writers.clear()
        await asyncio.sleep(0)

    async def push(self, *frames: bytes | Headers) -> None:
        """Send events (frames or header dicts) to every connected client."""
        data = b"".join(f if isinstance(f, bytes) else frame(f) for f in frames)
        for writer in list(self._writers):
            writer.write(data)
            with contextlib.suppress(ConnectionError):
                await writer.drain()

    async def wait_for_action(self, name: str, count: int = 1, timeout: float = 5.0) -> None:
        """Wait until the client has sent ``count`` actions called ``name``."""
        async with asyncio.timeout(timeout):
            while sum(1 for a in self.received if a.get("Action") == name) < count:
                await asyncio.sleep(0.005)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        writer.write(BANNER)
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                action = parse_frame(await reader.readuntil(b"\r\n\r\n"))
                self.received.append(action)
                for data in self._answer(action):
                    writer.write(data)
                await writer.drain()
        if writer in self._writers:
            self._writers.remove(writer)
        writer.close()

    def _answer(self, action: Headers) -> list[bytes]:
        name = action.get("Action", "")
        if name in self.answers:
            return self.answers[name](action)
        handler = getattr(self, f"_on_{name.lower()}", None)
        if handler is None:
            return [self.response(action, "Error", "Invalid/unknown command")]
        return handler(action)  # type: ignore[no-any-return]

    @staticmethod
    def response(action: Headers, status: str, message: str, **extra: str) -> bytes:
        """A ``Response:`` frame echoing the action's ``ActionID``."""
        headers = {"Response": status, "ActionID": action.get("ActionID", ""), **extra}
        if message:
            headers["Message"] = message
        return frame(headers)

    def event_list(self, action: Headers, items: list[Headers], complete: str) -> list[bytes]:
        """A list answer: start response, items, then the ``…Complete`` event."""
        action_id = action.get("ActionID", "")
        out = [self.response(action, "Success", "List will follow", EventList="start")]
        out += [frame({**item, "ActionID": action_id}) for item in items]
        out.append(
            frame(
                {
                    "Event": complete,
                    "ActionID": action_id,
                    "EventList": "Complete",
                    "ListItems": str(len(items)),
                }
            )
        )
        return out

    def queue_entries(self) -> list[Headers]:
        """The callers waiting, as ``QueueStatus`` lists them."""
        return self.entries

    def queue_summary(self) -> Headers:
        """The ``QueueSummary`` item (none when empty)."""
        return self.summary

    def _on_login(self, action: Headers) -> list[bytes]:
        if action.get("Secret") != self.secret:
            return [self.response(action, "Error", "Authentication failed")]
        self.logins += 1
        booted = {"Event": "FullyBooted", "Privilege": "system,all", "Status": "Fully Booted"}
        return [self.response(action, "Success", "Authentication accepted"), frame(booted)]

    def _on_ping(self, action: Headers) -> list[bytes]:
        return [self.response(action, "Success", "", Ping="Pong", Timestamp="1.0")]

    def _on_coreshowchannels(self, action: Headers) -> list[bytes]:
        items = [{"Event": "CoreShowChannel", **c} for c in self.channels]
        return self.event_list(action, items, "CoreShowChannelsComplete")

    def _on_queuestatus(self, action: Headers) -> list[bytes]:
        queues = sorted({QUEUE, *(m.get("Queue", QUEUE) for m in self.members)})
        items = [{"Event": "QueueParams", "Queue": q, "Strategy": "rrmemory"} for q in queues]
        items += [{"Event": "QueueMember", **m} for m in self.members]
        items += [{"Event": "QueueEntry", **e} for e in self.queue_entries()]
        return self.event_list(action, items, "QueueStatusComplete")

    def _on_queuesummary(self, action: Headers) -> list[bytes]:
        summary = self.queue_summary()
        items = [{"Event": "QueueSummary", **summary}] if summary else []
        return self.event_list(action, items, "QueueSummaryComplete")

    def _member(self, action: Headers) -> Headers | None:
        """The member an action names (``Interface``, in ``Queue`` when given)."""
        queue = action.get("Queue", "")
        return next(
            (
                m
                for m in self.members
                if (m.get("Interface") or m.get("Location")) == action.get("Interface")
                and queue in ("", m.get("Queue", QUEUE))
            ),
            None,
        )

    def _on_queueadd(self, action: Headers) -> list[bytes]:
        if self._member(action) is not None:
            return [self.response(action, "Error", "Unable to add interface: Already there")]
        member = {
            "Queue": action.get("Queue", QUEUE),
            "Interface": action.get("Interface", ""),
            "MemberName": action.get("MemberName", ""),
            "Status": "1",
            "Paused": "0",
        }
        self.members.append(member)
        event = frame({"Event": "QueueMemberAdded", **member})
        return [self.response(action, "Success", "Added interface to queue"), event]

    def _on_queueremove(self, action: Headers) -> list[bytes]:
        member = self._member(action)
        if member is None:
            return [self.response(action, "Error", "Unable to remove interface: Not there")]
        self.members.remove(member)
        event = frame({"Event": "QueueMemberRemoved", **member})
        return [self.response(action, "Success", "Removed interface from queue"), event]

    def _on_queuepause(self, action: Headers) -> list[bytes]:
        member = self._member(action)
        if member is None:
            return [self.response(action, "Error", "Interface not found")]
        paused = action.get("Paused") == "true"
        member.update(Paused="1" if paused else "0", PausedReason=action.get("Reason", ""))
        text = "Interface paused successfully" if paused else "Interface unpaused successfully"
        event = frame({"Event": "QueueMemberPause", "Interface": action["Interface"], **member})
        return [self.response(action, "Success", text), event]

    def _on_queuelog(self, action: Headers) -> list[bytes]:
        return [self.response(action, "Success", "Event added successfully")]

    def _on_originate(self, action: Headers) -> list[bytes]:
        return [self.response(action, "Success", "Originate successfully queued")]

    def _on_redirect(self, action: Headers) -> list[bytes]:
        return [self.response(action, "Success", "Redirect successful")]

    def _on_hangup(self, action: Headers) -> list[bytes]:
        # Asterisk finds the channel by its name, or else by its Uniqueid
        named = action.get("Channel")
        if not any(named in (c["Channel"], c.get("Uniqueid")) for c in self.channels):
            return [self.response(action, "Error", "No such channel")]
        return [self.response(action, "Success", "Channel Hungup")]

    def _on_logoff(self, action: Headers) -> list[bytes]:
        return [self.response(action, "Goodbye", "Thanks for all the fish.")]


@dataclass(frozen=True)
class SimulatedCaller:
    """A citizen calling the City's line: the IVR keys, the patience in the queue, the talk."""

    number: str  # as the trunk presents it (ten digits)
    keys: tuple[str, ...] = ("0", "2")  # one per key the IVR waits for: "0" an agent, "2" to
    # wait on the line if a call-back is offered
    patience: float = 60.0  # seconds waiting in the queue before hanging up
    talk: float = 15.0  # seconds of conversation once answered
    hangs_up_first: bool = True  # the caller ends the conversation (else the agent)


@dataclass(frozen=True)
class CallResult:
    """How a simulated call ended."""

    call_id: str
    outcome: str  # "answered", "abandoned" or "ivr" (ended in the IVR)
    agent: str = ""
    waited: float = 0.0


@dataclass
class _Talk:
    leg: Headers  # the caller's channel
    interface: str  # the member talking
    interrupt: asyncio.Future[tuple[str, str]]  # ("transfer", folio) or ("agent", "")


@dataclass
class _Waiting:
    call_id: str
    leg: Headers
    joined: float
    answered: asyncio.Future[tuple[str, Headers]]
    ringing: str = ""
    answered_after: float = 0.0


AnswerHook = Callable[[str, str, asyncio.Event], None]


@dataclass
class AsteriskSimulator(AmiPeer):
    """The AMI peer with calls: IVR over FastAGI, one queue, self-answering member phones.

    ``agi`` is where the FastAGI server listens (None: the dialplan's fall-back, straight to
    the queue). ``on_answer(call_id, interface, ended)`` is told of each call a member's phone
    answered; ``ended`` is set when that call is over.
    """

    agi: tuple[str, int] | None = None
    ring_seconds: float = 2.5  # how long a member's phone rings before it answers
    wrapup_seconds: float = 5.0  # a member's rest after a call (queues.conf ``wrapuptime``)
    prompt_seconds: float = 0.3  # how long each prompt plays
    on_answer: AnswerHook | None = None
    _waiting: list[_Waiting] = field(default_factory=list)
    _busy: dict[str, str] = field(default_factory=dict)  # interface → call ringing or talking
    _free_since: dict[str, float] = field(default_factory=dict)
    _talking: dict[str, _Talk] = field(default_factory=dict)  # call id → its conversation
    _spies: dict[str, list[Headers]] = field(default_factory=dict)  # agent → spying channels
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    _epoch: int = field(default_factory=lambda: int(time.time()))
    _distributor: asyncio.Task[None] | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> int:
        port = await super().start()
        self._distributor = asyncio.create_task(self._distribute(), name="asterisk-queue")
        return port

    async def close(self) -> None:
        tasks = [t for t in (self._distributor, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await super().close()

    # --- what AMI reports of the queue ------------------------------------------------------

    def queue_entries(self) -> list[Headers]:
        now = time.monotonic()
        return [
            {**w.leg, "Queue": QUEUE, "Position": str(n), "Wait": str(int(now - w.joined))}
            for n, w in enumerate(self._waiting, start=1)
        ]

    def queue_summary(self) -> Headers:
        now = time.monotonic()
        available = [m for m in self.members if self._can_ring(m, now)]
        longest = max((now - w.joined for w in self._waiting), default=0.0)
        return {
            "Queue": QUEUE,
            "LoggedIn": str(len(self.members)),
            "Available": str(len(available)),
            "Callers": str(len(self._waiting)),
            "HoldTime": "0",
            "TalkTime": "0",
            "LongestHoldTime": str(int(longest)),
        }

    def _on_queueadd(self, action: Headers) -> list[bytes]:
        self._free_since[action.get("Interface", "")] = time.monotonic()
        return super()._on_queueadd(action)

    # --- actions on calls -------------------------------------------------------------------

    def _talk_on(self, name: str) -> _Talk | None:
        """The conversation whose caller's channel is ``name`` (or has that Uniqueid)."""
        return next(
            (t for t in self._talking.values() if name in (t.leg["Channel"], t.leg["Uniqueid"])),
            None,
        )

    def _on_redirect(self, action: Headers) -> list[bytes]:
        talk = self._talk_on(action.get("Channel", ""))
        if talk is None:
            return [self.response(action, "Error", "Channel specified does not exist")]
        if action.get("Context") == CONTEXT_STATUS and not talk.interrupt.done():
            exten = action.get("Exten", "s")
            talk.interrupt.set_result(("transfer", "" if exten == "s" else exten))
        return [self.response(action, "Success", "Redirect successful")]

    def _on_hangup(self, action: Headers) -> list[bytes]:
        named = action.get("Channel", "")
        talk = self._talk_on(named)
        if talk is not None and not talk.interrupt.done():
            talk.interrupt.set_result(("agent", ""))
        for spies in self._spies.values():
            for spy in [s for s in spies if named in (s["Channel"], s["Uniqueid"])]:
                spies.remove(spy)
                self._later(self._close(spy), after=0)
        return super()._on_hangup(action)

    def _on_originate(self, action: Headers) -> list[bytes]:
        """A call-back into the queue, or a supervisor's phone into ChanSpy; both answer."""
        target = action.get("Channel", "")
        if action.get("Application") == "ChanSpy":
            agent = action.get("Data", "").split("-,", 1)[0]
            uniqueid = action.get("ChannelId") or self._uniqueid()
            self._later(self._spy(target, agent, uniqueid), after=self.ring_seconds)
        elif action.get("Context") == CONTEXT_QUEUE and "@" in target:
            number = target.split("/", 1)[-1].split("@", 1)[0]
            called_back = self._called_back(number, action.get("CallerID", ""))
            self._later(called_back, after=self.ring_seconds)
        return super()._on_originate(action)

    def _later(self, work: Coroutine[object, object, object], *, after: float) -> None:
        """Run ``work`` after ``after`` seconds (a phone rings, then answers)."""

        async def run() -> None:
            await asyncio.sleep(after)
            await work

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _spy(self, supervisor: str, agent: str, uniqueid: str) -> None:
        leg = channel(uniqueid, uniqueid, f"{supervisor}-{next(self._ids):08x}")
        await self._open(leg)
        if any(t.interface == agent for t in self._talking.values()):
            self._spies.setdefault(agent, []).append(leg)
        else:
            await self._close(leg)  # ChanSpy's S: nobody to listen to, it ends at once

    async def _called_back(self, number: str, city: str) -> None:
        """The citizen answered the call-back: straight into the queue."""
        call_id = self._uniqueid()
        name = f"{TRUNK}-{int(call_id.split('.')[1]):08x}"
        leg = channel(call_id, call_id, name, CallerIDNum=city or number, Context=CONTEXT_QUEUE)
        await self._open(leg)
        try:
            await self._queue(leg, SimulatedCaller(number=number, patience=120))
        finally:
            await self._end(leg)

    # --- calls ------------------------------------------------------------------------------

    def _uniqueid(self) -> str:
        return f"{self._epoch}.{next(self._ids)}"

    async def _open(self, leg: Headers) -> None:
        self.channels.append(leg)
        await self.push({"Event": "Newchannel", "Privilege": "call,all", **leg})

    async def _close(self, leg: Headers) -> None:
        if leg in self.channels:
            self.channels.remove(leg)
        await self.push({"Event": "Hangup", "Privilege": "call,all", **leg, **NORMAL_CLEARING})

    async def call(self, caller: SimulatedCaller) -> CallResult:
        """Play one call from the trunk to its end."""
        call_id = self._uniqueid()
        leg = channel(
            call_id,
            call_id,
            f"{TRUNK}-{int(call_id.split('.')[1]):08x}",
            CallerIDNum=caller.number,
            Exten="0311",
        )
        await self._open(leg)
        try:
            variables = await self._ivr(leg, caller.keys)
            if variables.get("SUAC_SIGUIENTE", "cola") != "cola":
                return CallResult(call_id=call_id, outcome="ivr")
            return await self._queue(leg, caller)
        finally:
            await self._end(leg)

    async def _end(self, leg: Headers) -> None:
        """The caller's channel hangs up (abandoning the queue if it is still waiting)."""
        waiting = next((w for w in self._waiting if w.call_id == leg["Linkedid"]), None)
        if waiting is not None:
            await self._abandon(waiting)
        await self._close(leg)

    async def _ivr(
        self,
        leg: Headers,
        keys: tuple[str, ...],
        *,
        route: str = AGI_IVR,
        variables: dict[str, str] | None = None,
    ) -> dict[str, str]:
        """``AGI(agi://…/<route>)``: the IVR's session; the channel variables it set."""
        await self.push(
            {"Event": "Newexten", **leg, "Application": "AGI", "AppData": f"agi://{route}"}
        )
        if self.agi is None:
            return {}
        try:
            reader, writer = await asyncio.open_connection(*self.agi)
        except OSError:
            return {}  # the dialplan's fall-back: the queue
        session = _AgiSession(
            leg=leg, keys=list(keys), pause=self.prompt_seconds, variables=dict(variables or {})
        )
        try:
            writer.write(session.environment(self.agi, route))
            while line := await asyncio.wait_for(reader.readline(), 30):
                writer.write(await session.answer(line.decode().rstrip("\n")))
                await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
        return session.variables

    async def _queue(self, leg: Headers, caller: SimulatedCaller) -> CallResult:
        """``Queue(locatel)``: wait for a member's phone, or abandon."""
        loop = asyncio.get_running_loop()
        waiting = _Waiting(leg["Linkedid"], leg, time.monotonic(), loop.create_future())
        self._waiting.append(waiting)
        position = str(len(self._waiting))
        await self.push(
            {
                "Event": "QueueCallerJoin",
                **leg,
                "Queue": QUEUE,
                "Position": position,
                "Count": position,
            }
        )
        try:
            interface, agent_leg = await asyncio.wait_for(
                asyncio.shield(waiting.answered), caller.patience
            )
        except TimeoutError:
            if waiting in self._waiting:
                return await self._abandon(waiting)
            interface, agent_leg = await waiting.answered  # being put through right now
        held = waiting.answered_after
        ended = asyncio.Event()
        if self.on_answer is not None:
            self.on_answer(waiting.call_id, interface, ended)
        talk = _Talk(leg, interface, loop.create_future())
        self._talking[waiting.call_id] = talk
        how, folio = ("caller" if caller.hangs_up_first else "agent"), ""
        try:
            with contextlib.suppress(TimeoutError):
                how, folio = await asyncio.wait_for(asyncio.shield(talk.interrupt), caller.talk)
        finally:
            self._talking.pop(waiting.call_id, None)
            await self._hang_up(waiting, interface, agent_leg, how, held)
            ended.set()
        if how == "transfer":  # an agent sent the caller back to the status reading
            await self._ivr(leg, (), route=AGI_STATUS, variables={"SUAC_FOLIO": folio})
        return CallResult(waiting.call_id, "answered", agent=interface, waited=held)

    async def _abandon(self, waiting: _Waiting) -> CallResult:
        position = str(self._waiting.index(waiting) + 1)
        self._waiting.remove(waiting)
        held = time.monotonic() - waiting.joined
        await self.push(
            {
                "Event": "QueueCallerAbandon",
                **waiting.leg,
                "Queue": QUEUE,
                "Position": position,
                "OriginalPosition": position,
                "HoldTime": str(int(held)),
            }
        )
        return CallResult(waiting.call_id, "abandoned", waited=held)

    async def _hang_up(
        self,
        waiting: _Waiting,
        interface: str,
        agent_leg: Headers,
        how: str,
        held: float,
    ) -> None:
        member = self._member({"Interface": interface})
        talk = time.monotonic() - waiting.joined - held
        await self.push(
            {
                "Event": "AgentComplete",
                **waiting.leg,
                "Queue": QUEUE,
                "Interface": interface,
                "MemberName": member.get("MemberName", "") if member else "",
                "HoldTime": str(int(held)),
                "TalkTime": str(int(talk)),
                "Reason": how,
            }
        )
        await self._close(agent_leg)
        for spy in self._spies.pop(interface, []):  # ChanSpy's E: it ends with the call
            await self._close(spy)
        self._release(interface)
        if member is not None:
            member.update(Status="1", InCall="0")
            await self.push({"Event": "QueueMemberStatus", **member})

    def _release(self, interface: str) -> None:
        self._busy.pop(interface, None)
        self._free_since[interface] = time.monotonic() + self.wrapup_seconds

    # --- distribution -----------------------------------------------------------------------

    def _can_ring(self, member: Headers, now: float) -> bool:
        interface = member.get("Interface", "")
        return (
            member.get("Paused") != "1"
            and interface not in self._busy
            and self._free_since.get(interface, 0.0) <= now
        )

    async def _distribute(self) -> None:
        """Ring the member idle the longest for each waiting caller nobody is ringing."""
        while True:
            now = time.monotonic()
            for waiting in [w for w in self._waiting if not w.ringing]:
                free = [m for m in self.members if self._can_ring(m, now)]
                if not free:
                    break
                member = min(free, key=lambda m: self._free_since.get(m["Interface"], 0.0))
                waiting.ringing = member["Interface"]
                self._busy[waiting.ringing] = waiting.call_id
                task = asyncio.create_task(self._ring(waiting, member))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            await asyncio.sleep(0.2)

    async def _ring(self, waiting: _Waiting, member: Headers) -> None:
        interface = member["Interface"]
        uniqueid = self._uniqueid()
        agent_leg = channel(
            uniqueid,
            waiting.call_id,
            f"{interface}-{int(uniqueid.split('.')[1]):08x}",
            CallerIDNum=waiting.leg["CallerIDNum"],
            Context="locatel-agentes",
        )
        member_name = member.get("MemberName", "")
        dest = {f"Dest{k}": v for k, v in agent_leg.items()}
        called = {"Queue": QUEUE, "Interface": interface, "MemberName": member_name}
        await self._open(agent_leg)
        await self.push({"Event": "AgentCalled", **waiting.leg, **dest, **called})
        member.update(Status="6")
        await self.push({"Event": "QueueMemberStatus", **member})
        await asyncio.sleep(self.ring_seconds)
        if waiting not in self._waiting:  # the caller hung up while it rang
            await self._close(agent_leg)
            self._busy.pop(interface, None)
            member.update(Status="1")
            await self.push({"Event": "QueueMemberStatus", **member})
            return
        position = str(self._waiting.index(waiting) + 1)
        self._waiting.remove(waiting)
        held = time.monotonic() - waiting.joined
        waiting.answered_after = held
        await self.push(
            {
                "Event": "QueueCallerLeave",
                **waiting.leg,
                "Queue": QUEUE,
                "Position": position,
                "Count": str(len(self._waiting)),
            },
            {
                "Event": "AgentConnect",
                **waiting.leg,
                **dest,
                **called,
                "HoldTime": str(int(held)),
                "RingTime": str(int(self.ring_seconds)),
            },
        )
        member.update(Status="2", InCall="1")
        await self.push({"Event": "QueueMemberStatus", **member})
        waiting.answered.set_result((interface, agent_leg))


@dataclass
class _AgiSession:
    """Asterisk's side of one FastAGI session: the caller presses ``keys`` in order."""

    leg: Headers
    keys: list[str]
    pause: float
    variables: dict[str, str] = field(default_factory=dict)

    def environment(self, agi: tuple[str, int], route: str) -> bytes:
        """The ``agi_*`` lines Asterisk sends first."""
        host, port = agi
        lines = {
            "agi_network": "yes",
            "agi_network_script": route,
            "agi_request": f"agi://{host}:{port}/{route}",
            "agi_channel": self.leg["Channel"],
            "agi_language": "es",
            "agi_type": "PJSIP",
            "agi_uniqueid": self.leg["Uniqueid"],
            "agi_version": "22.0.0",
            "agi_callerid": self.leg["CallerIDNum"],
            "agi_calleridname": self.leg["CallerIDName"],
            "agi_dnid": "0311",
            "agi_context": "locatel-entrada",
            "agi_extension": "s",
            "agi_priority": "2",
        }
        return ("".join(f"{k}: {v}\n" for k, v in lines.items()) + "\n").encode()

    async def answer(self, command: str) -> bytes:
        """res_agi's reply to one command."""
        verb = " ".join(command.split()[:2])
        if verb == "GET FULL":
            expression = command.split(" ", 3)[3]
            if expression == "${CHANNEL(linkedid)}":
                return f"200 result=1 ({self.leg['Linkedid']})\n".encode()
            value = self.variables.get(expression[2:-1])
            return f"200 result=1 ({value})\n".encode() if value else b"200 result=0\n"
        if verb == "SET VARIABLE":
            _, _, name, value = command.split(" ", 3)
            self.variables[name] = value[1:-1].replace('\\"', '"')
            return b"200 result=1\n"
        if verb in ("STREAM FILE", "SAY DIGITS", "SAY NUMBER", "SAY DATETIME"):
            await asyncio.sleep(self.pause)
            return b"200 result=0 endpos=8000\n"
        if verb == "WAIT FOR":
            await asyncio.sleep(self.pause)
            key = self.keys.pop(0) if self.keys else None
            return f"200 result={ord(key) if key else 0}\n".encode()
        return b"200 result=0\n"  # ANSWER, EXEC, VERBOSE…
