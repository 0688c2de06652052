"""A simulated Asterisk 22 for demonstrations (``suac demo``): it speaks real AMI to the bridge
and FastAGI to the IVR, so the system under it runs exactly as on a real PBX.

:class:`AsteriskSimulator` is the AMI protocol (:class:`ivr.asterisk.ami_peer.AmiPeer`) with
calls from the trunk: the caller's channel enters the dialplan, which runs the FastAGI IVR (the
caller presses the keys it was given), then ``Queue()``: each waiting caller rings the member
idle the longest, whose phone answers by itself after a ring; the conversation lasts what the
caller was given, and a caller whose patience runs out first abandons. Members rest the queue's
wrap-up time after each call. ``Redirect`` into the status context ends the agent's part and
runs the IVR's ``estado`` route; ``Hangup`` of a caller ends the conversation; ``Originate`` of
a call-back rings the citizen, who answers and waits in the queue, and one into ``ChanSpy``
opens the supervisor's channel (its ``ChannelId``) until the agent's call ends, or at once when
the agent is on no call::

    simulator = AsteriskSimulator(secret="s3cret", agi=("127.0.0.1", 4573))
    port = await simulator.start()
    result = await simulator.call(SimulatedCaller(number="5512345678", keys=("0",),
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

from ivr.asterisk import constants as names
from ivr.asterisk.ami_peer import QUEUE, AmiPeer, Headers, channel

TRUNK = "PJSIP/troncal"
NORMAL_CLEARING = {"Cause": "16", "Cause-txt": "Normal Clearing"}


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
        if action.get("Context") == names.CONTEXT_STATUS and not talk.interrupt.done():
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
        elif action.get("Context") == names.CONTEXT_QUEUE and "@" in target:
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
        leg = channel(
            call_id, call_id, name, CallerIDNum=city or number, Context=names.CONTEXT_QUEUE
        )
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
        route: str = names.AGI_ROUTE_IVR,
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
        """``Queue()``: wait for a member's phone, or abandon."""
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
            await self._ivr(leg, (), route=names.AGI_ROUTE_STATUS, variables={"SUAC_FOLIO": folio})
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
            Context=names.CONTEXT_AGENTS,
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
            "agi_context": names.CONTEXT_INBOUND,
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
