"""Plays Twilio's side of a call against the voice webhooks: signs each request exactly as
Twilio does and follows the TwiML it gets back. Used by ``suac call``, the tests and the
benchmark::

    async with httpx.AsyncClient(base_url="http://127.0.0.1:8000") as http:
        call = SimulatedCall(http=http, public_base_url=..., auth_token=..., caller="+52…")
        page = await call.start()
        page = await call.press("2")
        print(page.spoken)
"""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from twilio.request_validator import RequestValidator


def new_call_sid() -> str:
    """A random, well-formed Twilio call SID."""
    return "CA" + secrets.token_hex(16)


@dataclass
class TwimlPage:
    """One TwiML answer, read the way Twilio reads it."""

    status_code: int
    xml: str
    spoken: list[str] = field(default_factory=list)
    action: str | None = None
    redirect: str | None = None
    end: str | None = None  # "hangup", "enqueue:<queue>", "dial:<uri>"
    stream: str | None = None  # a ``<Connect><Stream>``'s action (audio for a local engine)
    gather: dict[str, str] = field(default_factory=dict)
    record: dict[str, str] = field(default_factory=dict)  # a ``<Record>``'s attributes

    @classmethod
    def parse(cls, status_code: int, xml: str) -> TwimlPage:
        """Read the TwiML document (or keep the error body)."""
        page = cls(status_code=status_code, xml=xml)
        if status_code != 200:
            return page
        root = ET.fromstring(xml)
        for node in root:
            if node.tag == "Say":
                page.spoken.append(node.text or "")
            elif node.tag == "Gather":
                page.gather = dict(node.attrib)
                page.action = node.get("action")
                page.spoken += [say.text or "" for say in node.findall("Say")]
            elif node.tag == "Record":
                page.record = dict(node.attrib)
                page.action = node.get("action")
            elif node.tag == "Redirect":
                page.redirect = node.text
            elif node.tag == "Hangup":
                page.end = "hangup"
            elif node.tag == "Enqueue":
                page.end = f"enqueue:{node.text}"
            elif node.tag == "Connect":
                page.stream = node.get("action")
            elif node.tag == "Dial":
                sip = node.find("Sip")
                page.end = f"dial:{sip.text if sip is not None else node.text}"
        return page

    @property
    def text(self) -> str:
        """Everything said, in one string."""
        return " ".join(self.spoken)


@dataclass
class SimulatedCall:
    """One call, as Twilio would place it."""

    http: httpx.AsyncClient
    public_base_url: str
    auth_token: str
    caller: str = "+525512345678"
    called: str = "+525556581111"
    call_sid: str = field(default_factory=new_call_sid)
    last: TwimlPage | None = None

    def sign(self, url: str, params: dict[str, str]) -> str:
        """The ``X-Twilio-Signature`` for a POST of ``params`` to ``url``."""
        return RequestValidator(self.auth_token).compute_signature(url, params)

    async def post(self, url: str, extra: dict[str, str] | None = None) -> httpx.Response:
        """POST a signed webhook to the public ``url`` (sent to the server's own address)."""
        params = {
            "CallSid": self.call_sid,
            "AccountSid": "AC" + "0" * 32,
            "From": self.caller,
            "To": self.called,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            **(extra or {}),
        }
        parts = urlsplit(url)
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"X-Twilio-Signature": self.sign(url, params)}
        return await self.http.post(local, data=params, headers=headers)

    async def _follow(self, response: httpx.Response) -> TwimlPage:
        self.last = TwimlPage.parse(response.status_code, response.text)
        return self.last

    async def start(self) -> TwimlPage:
        """The incoming-call webhook."""
        url = f"{self.public_base_url.rstrip('/')}/twilio/voice"
        return await self._follow(await self.post(url, {"CallStatus": "ringing"}))

    async def press(self, digits: str) -> TwimlPage:
        """Key ``digits`` at the current gather."""
        return await self.answer({"Digits": digits})

    async def say(self, text: str, confidence: float = 0.9) -> TwimlPage:
        """Say ``text`` at the current gather (as Twilio's recogniser would report it)."""
        return await self.answer({"SpeechResult": text, "Confidence": str(confidence)})

    async def recorded(self, url: str, seconds: int, key: str = "#") -> TwimlPage:
        """Speak after the tone and end with ``key``: the ``<Record>``'s action gets the
        recording's ``url`` on Twilio's REST API (its SID is the URL's last part)."""
        return await self.answer(
            {
                "RecordingUrl": url,
                "RecordingDuration": str(seconds),
                "RecordingSid": url.rsplit("/", 1)[-1],
                "Digits": key,
            }
        )

    async def answer(self, fields: dict[str, str]) -> TwimlPage:
        """Post ``fields`` to the current gather's (or recording's) action URL."""
        assert self.last is not None and self.last.action, "no gather to answer"
        return await self._follow(await self.post(self.last.action, fields))

    async def silence(self) -> TwimlPage:
        """Say nothing: Twilio falls through the gather to the redirect."""
        assert self.last is not None and self.last.redirect, "no redirect to follow"
        return await self._follow(await self.post(self.last.redirect))

    async def hang_up(self, duration: int = 30) -> httpx.Response:
        """The call status callback of a completed call."""
        url = f"{self.public_base_url.rstrip('/')}/twilio/voice/status"
        extra = {"CallStatus": "completed", "CallDuration": str(duration)}
        return await self.post(url, extra)
