"""Turning the flow's turns into TwiML with the ``twilio`` library's ``VoiceResponse``.

renderer = TwimlRenderer(voice="Polly.Mia", step_url=lambda seq: f"/twilio/voice/step?seq={seq}")
xml = renderer.render(turn, seq=3, call_id="CA…")

A hand-off becomes ``<Enqueue>`` whose ``action`` (the queue's result) and ``waitUrl`` (the
hold loop, with the caller's position) come back to ``/twilio/voice/queue/…``; an agent's
call takes the next caller with ``<Dial><Queue url>``, whose URL reports the connection. With
``transfer="sip"`` the call is dialled to the PBX instead, with short ``X-SUAC-…`` headers.
With a local speech engine (``stream_url``) a speech gather becomes ``<Connect><Stream>``
whose ``token`` parameter binds the stream to the call and turn (``ivr.twilio.stream_auth``).
A gather that keeps the answer's audio without listening for words (``keep_audio``, no
``speech``) becomes the question, then ``<Record>`` ended by "#" or silence, whose action gets
the recording's URL; Twilio skips the action of an empty recording and follows the
``<Redirect>`` after it, which reports that nothing was recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote, urlencode

from twilio.twiml.voice_response import Connect, Dial, Queue, VoiceResponse

from ivr.flow.steps import DateSpoken, Digits, Gather, Hangup, Number, Part, Prompt, Say, Transfer
from ivr.flow.steps import Turn as FlowTurn
from ivr.prompts.spoken import spoken_date, spoken_digits, spoken_number
from ivr.twilio.stream_auth import stream_token

LANGUAGE = "es-MX"
MAX_HINTS_CHARS = 4000
MAX_HEADER_CHARS = 40  # SIP header values are kept short (Twilio limits the whole URI)
# Twilio's own hold music (the playlist it plays when an <Enqueue> has no waitUrl)
HOLD_MUSIC = "http://com.twilio.sounds.music.s3.amazonaws.com/MARKOVICHAMP-Borghestral.mp3"
RECORD_MAX_SECONDS = 20  # a street and a reference take a caller well under this
RECORD_SILENCE_SECONDS = 5  # the silence that ends a recording (the caller is done)


def part_text(part: Part, *, today: date | None = None) -> str:
    """What the text-to-speech engine should read for one part."""
    if isinstance(part, Prompt):
        return part.text
    if isinstance(part, Digits):
        return spoken_digits(part.value)
    if isinstance(part, Number):
        return spoken_number(part.value)
    if isinstance(part, DateSpoken):
        return spoken_date(part.value, today=today)
    raise TypeError(f"unknown speech part: {part!r}")


def say_text(say: Say, *, today: date | None = None) -> str:
    """One ``Say`` as one sentence."""
    return " ".join(part_text(p, today=today) for p in say.parts)


def join_hints(hints: tuple[str, ...], limit: int = MAX_HINTS_CHARS) -> str:
    """Twilio's comma-separated ``hints``, cut at a whole phrase under ``limit`` characters."""
    kept: list[str] = []
    size = 0
    for hint in hints:
        phrase = hint.replace(",", " ").strip()
        if size + len(phrase) + 1 > limit:
            break
        kept.append(phrase)
        size += len(phrase) + 1
    return ",".join(kept)


@dataclass(frozen=True)
class TwimlRenderer:
    """Renders turns for one deployment (voice, URLs, how to reach the agents)."""

    voice: str
    step_url: Callable[[int], str]
    transfer: str = "enqueue"
    sip_uri: str = ""
    speech_model: str = "phone_call"
    stream_url: str = ""
    stream_secret: str = field(default="", repr=False)  # keys the streams' tokens
    public_url: str = ""  # the service's public base URL, for the queue webhooks

    def hook_url(self, path: str, **query: str) -> str:
        """The public URL of the voice webhook ``path`` (under ``/twilio/voice/``)."""
        return f"{self.public_url}/twilio/voice/{path}?{urlencode(query)}"

    def render(
        self, turn: FlowTurn, *, seq: int, today: date | None = None, call_id: str = ""
    ) -> str:
        """The TwiML document for call ``call_id``'s ``turn``; its gather answers come back as
        turn ``seq``."""
        response = VoiceResponse()
        for say in turn.actions:
            self._say(response, say_text(say, today=today))
        then = turn.then
        if isinstance(then, Gather) and then.keep_audio and not then.speech:
            self._record(response, then, seq=seq, today=today)
        elif isinstance(then, Gather) and then.speech and self.stream_url:
            self._stream(response, then, seq=seq, today=today, call_id=call_id)
        elif isinstance(then, Gather):
            self._gather(response, then, seq=seq, today=today)
        elif isinstance(then, Transfer):
            self._transfer(response, then)
        elif isinstance(then, Hangup):
            response.hangup()
        return str(response)

    def hold(self, message: Say) -> str:
        """The hold loop of a queued caller: ``message``, then music (Twilio repeats it)."""
        response = VoiceResponse()
        self._say(response, say_text(message))
        response.play(HOLD_MUSIC)
        return str(response)

    def agent_leg(self, queue: str, agent: str) -> str:
        """An agent's call takes the next caller of ``queue``, reporting the connection."""
        url = self.hook_url("queue/connected", queue=queue, agent=agent)
        dial = Dial()
        dial.append(Queue(queue, url=url, method="POST"))
        return str(VoiceResponse().append(dial))

    def _say(self, target: VoiceResponse, text: str) -> None:
        target.say(text, language=LANGUAGE, voice=self.voice)

    def _gather(self, response: VoiceResponse, gather: Gather, *, seq: int, today) -> None:  # noqa: ANN001
        inputs = [name for name, on in (("dtmf", gather.dtmf), ("speech", gather.speech)) if on]
        options: dict[str, object] = {
            "input": " ".join(inputs),
            "action": self.step_url(seq),
            "method": "POST",
            "timeout": gather.timeout_seconds,
            "language": LANGUAGE,
        }
        if gather.max_digits:
            options["num_digits"] = gather.max_digits
        if gather.finish_on_key is not None:  # "" makes "#" a key like the others
            options["finish_on_key"] = gather.finish_on_key
        if gather.speech:
            options["speech_timeout"] = "auto"
            options["speech_model"] = self.speech_model
            hints = join_hints(gather.speech_hints)
            if hints:
                options["hints"] = hints
        node = response.gather(**options)
        self._say(node, say_text(gather.say, today=today))
        response.redirect(self.step_url(seq) + "&silence=1", method="POST")

    def _record(
        self, response: VoiceResponse, gather: Gather, *, seq: int, today: date | None
    ) -> None:
        """The question, then a recording after the tone ended by "#" or silence; an empty one
        falls through to the redirect (nothing recorded)."""
        self._say(response, say_text(gather.say, today=today))
        response.record(
            action=self.step_url(seq),
            method="POST",
            finish_on_key="#",
            max_length=RECORD_MAX_SECONDS,
            timeout=RECORD_SILENCE_SECONDS,
            play_beep=True,
            trim="trim-silence",
        )
        response.redirect(self.step_url(seq) + "&silence=1", method="POST")

    def _stream(
        self, response: VoiceResponse, gather: Gather, *, seq: int, today: date | None, call_id: str
    ) -> None:
        """Speech through a local engine: play the question, then stream the caller's audio
        (with the token that admits this call's stream at this turn, and no other)."""
        self._say(response, say_text(gather.say, today=today))
        connect = Connect(action=self.step_url(seq) + "&media=1", method="POST")
        stream = connect.stream(url=self.stream_url)
        stream.parameter(name="seq", value=str(seq))
        stream.parameter(name="token", value=stream_token(self.stream_secret, call_id, seq))
        stream.parameter(name="timeout", value=str(gather.timeout_seconds))
        stream.parameter(name="max_digits", value=str(gather.max_digits or 0))  # 0: no limit
        if gather.finish_on_key:
            stream.parameter(name="finish_on_key", value=gather.finish_on_key)
        response.append(connect)

    def _transfer(self, response: VoiceResponse, transfer: Transfer) -> None:
        if self.transfer == "sip" and self.sip_uri:
            dial = Dial()
            joiner = "&" if "?" in self.sip_uri else "?"
            dial.sip(f"{self.sip_uri}{joiner}{sip_headers(transfer)}")
            response.append(dial)
        else:
            response.enqueue(
                transfer.queue,
                action=self.hook_url("queue/result", queue=transfer.queue),
                wait_url=self.hook_url("queue/wait", queue=transfer.queue),
                wait_url_method="POST",
            )


def sip_headers(transfer: Transfer) -> str:
    """The hand-off as short ``X-SUAC-…`` SIP headers (the whole context stays in the call
    record under the call id, ``X-SUAC-Llamada``)::

        >>> from models.handoff import HandoffContext
        >>> sip_headers(Transfer("locatel", HandoffContext(folio="2600000019"), call_id="CA1"))
        'X-SUAC-Llamada=CA1&X-SUAC-Queue=locatel&X-SUAC-Folio=2600000019'
    """
    context = transfer.context
    values = {
        "X-SUAC-Llamada": transfer.call_id,
        "X-SUAC-Queue": transfer.queue,
        "X-SUAC-Folio": context.folio or "",
        "X-SUAC-Categoria": context.top_category,
        "X-SUAC-Alcaldia": context.alcaldia or "",
    }
    return "&".join(
        f"{name}={quote(value[:MAX_HEADER_CHARS], safe='')}"
        for name, value in values.items()
        if value
    )
