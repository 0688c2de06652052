"""The AMI side of a simulated Asterisk 22, faithful to the protocol where the recorded
transcripts do not reach: the ``Asterisk Call Manager/11.0.0`` banner, ``Response:`` frames
echoing ``ActionID``, event lists (``EventList: start`` … ``…Complete``), ``Message`` headers
and ``\\r\\n\\r\\n`` framing. Queue members are state that ``QueueAdd``, ``QueueRemove`` and
``QueuePause`` change, answered as Asterisk answers and followed by the ``QueueMember*`` event
Asterisk sends. The tests' scripted peer and ``suac demo``'s simulated Asterisk
(:mod:`ivr.asterisk.simulator`) are this class::

    peer = AmiPeer(secret="s3cret")
    port = await peer.start()
    await peer.push({"Event": "Newchannel", **channel("1.1", "1.1", "PJSIP/troncal-1")})
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from ivr.asterisk import constants as names

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
Headers = dict[str, str]
QUEUE = names.DEFAULT_QUEUE


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
        "Context": extra.pop("Context", names.CONTEXT_INBOUND),
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
    hang_up_at_once: bool = False  # close every connection as soon as it is accepted
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
        if self.hang_up_at_once:
            writer.close()
            return
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
