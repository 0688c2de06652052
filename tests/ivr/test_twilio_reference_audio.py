"""A reference Twilio could not transcribe is recorded (issue 14, keys-only registration): the
retry of the reference step is a ``<Record>``, its recording registers the request with the
audio still on Twilio, and a job brings the WAV home and deletes it on Twilio, once; a
recording URL of any other host is refused."""

from __future__ import annotations

import io
import json
import wave
from dataclasses import replace

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from test_keys_only import request_of
from test_twilio_support import ACCOUNT, PUBLIC, TOKEN, until
from test_twilio_twiml import check
from twilio_rest import FakeTwilioApi

from ivr.twilio.reference_fetch import ReferenceFetcher
from ivr.twilio.simulator import SimulatedCall, TwimlPage
from models.jobs import JobQueue
from models.notifier import Notifier
from models.reference_audio import (
    FETCH_JOB,
    SPOKEN_REFERENCE,
    ReferenceAudio,
    SpokenReference,
    recording_of,
)
from models.request_service import RequestService
from models.requests import Channel, RequestCreate, ServiceRequest

SID = "RE" + "a" * 32


def wav(seconds: float = 2.0) -> bytes:
    """A WAV of 8 kHz silence, as Twilio serves recordings."""
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(8000)
        file.writeframes(b"\x00\x01" * int(8000 * seconds))
    return out.getvalue()


def recording_url(base: str, sid: str = SID) -> str:
    return f"{base}/2010-04-01/Accounts/{ACCOUNT}/Recordings/{sid}"


def recording(engine, request: ServiceRequest) -> ReferenceAudio | None:  # noqa: ANN001
    with Session(engine) as session:
        assert request.id is not None
        return recording_of(session, request.id)


async def to_the_reference(call: SimulatedCall) -> TwimlPage:
    """A caller who picks trees by keys, in Xochimilco, up to the reference question."""
    await call.start()
    for key in ("1", "1", "3", "16"):
        await call.press(key)
    page = await call.press("1")
    assert "o marque numeral para seguir sin ella" in page.text
    return page


@pytest.fixture
def call(twilio_http) -> SimulatedCall:  # noqa: ANN001
    return SimulatedCall(http=twilio_http, public_base_url=PUBLIC, auth_token=TOKEN)


async def test_a_keys_only_caller_not_understood_records_the_reference(
    twilio_app, call: SimulatedCall, twilio_api: FakeTwilioApi
) -> None:
    twilio_api.recordings[SID] = audio = wav()
    await to_the_reference(call)
    page = await call.say("ahí")  # too few words to tell a crew anything: recorded instead
    assert "Después del tono, diga otra vez la calle" in page.text and not page.gather
    check(page.xml)  # only what Twilio accepts
    assert page.record == {
        "action": f"{PUBLIC}/twilio/voice/step?seq=7",
        "method": "POST",
        "finishOnKey": "#",
        "maxLength": "20",
        "timeout": "5",
        "playBeep": "true",
        "trim": "trim-silence",
    }
    assert page.redirect == f"{PUBLIC}/twilio/voice/step?seq=7&silence=1"
    page = await call.recorded(recording_url(twilio_api.url), seconds=6)
    assert "quedó registrada" in page.text
    engine = twilio_app.state.container.engine
    request = request_of(engine, call.call_sid)
    assert (request.reference, request.channel) == (SPOKEN_REFERENCE, Channel.TWILIO_CALL)
    await until(lambda: twilio_api.deleted == [SID])  # fetched by a job, then deleted there
    kept = recording(engine, request)
    assert kept is not None and (kept.audio, kept.source_url, kept.seconds) == (audio, None, 6.0)
    recordings = f"/2010-04-01/Accounts/{ACCOUNT}/Recordings/{SID}"
    assert [p for p in twilio_api.paths if "Recordings" in p] == [
        f"{recordings}.wav",
        f"{recordings}.json",
    ]
    assert twilio_api.authorizations[0].startswith("Basic ")  # the account's credentials


async def test_a_reference_not_understood_twice_is_recorded_again(
    twilio_app, call: SimulatedCall, twilio_api: FakeTwilioApi
) -> None:
    twilio_api.recordings[SID] = wav()
    await call.start()
    await call.say("hay un bache enorme en mi calle")
    await call.press("1")  # that is it
    page = await call.say("Coyoacán")
    for _ in range(3):
        if "Diga la calle y una referencia" in page.text:
            break
        page = await call.press("1")
    assert "Diga la calle y una referencia" in page.text, page.text
    assert "speech" in page.gather["input"]  # the first time, words are listened for
    page = await call.say("ahí")
    assert page.record and not page.gather
    page = await call.silence()  # nothing recorded: Twilio follows the redirect
    assert page.record and "Después del tono" in page.text
    page = await call.recorded(recording_url(twilio_api.url), seconds=4)
    assert "quedó registrada" in page.text
    request = request_of(twilio_app.state.container.engine, call.call_sid)
    assert request.reference == SPOKEN_REFERENCE
    await until(lambda: twilio_api.deleted == [SID])


@pytest.mark.parametrize(
    "url",
    [
        recording_url("https://evil.example"),
        recording_url("http://api.twilio.com"),
        recording_url("https://api.twilio.com.evil.example"),
        recording_url("https://api.twilio.com") + "?redirect=https://evil.example",
        recording_url("https://api.twilio.com", sid="RE../../Calls"),
    ],
)
async def test_a_recording_anywhere_but_twilio_is_refused(
    twilio_app, call: SimulatedCall, url: str
) -> None:
    await to_the_reference(call)
    await call.say("ahí")
    step = call.last.action if call.last else None
    assert step is not None
    response = await call.post(step, {"RecordingUrl": url, "RecordingDuration": "6", "Digits": "#"})
    assert response.status_code == 400
    assert response.json()["detail"] == "La grabación no está en la API de Twilio."
    with Session(twilio_app.state.container.engine) as session:
        assert session.get(ReferenceAudio, 1) is None


async def test_a_recording_sid_not_in_its_url_is_refused(
    twilio_app, call: SimulatedCall, twilio_api: FakeTwilioApi
) -> None:
    await to_the_reference(call)
    page = await call.say("ahí")
    assert page.action is not None
    fields = {"RecordingUrl": recording_url(twilio_api.url), "RecordingSid": "RE" + "b" * 32}
    response = await call.post(page.action, {**fields, "RecordingDuration": "6"})
    assert response.status_code == 400
    assert response.json()["detail"] == "Solicitud de Twilio mal formada."


class Progress:
    """What a job recorded as done (a worker's ``JobProgress`` without a queue)."""

    def __init__(self) -> None:
        self.outcomes: list[str] = []

    async def record(self, outcome: str) -> None:
        self.outcomes.append(outcome)


@pytest.fixture
async def registered(both_databases: Engine, calendar, bus, twilio_api: FakeTwilioApi):  # noqa: ANN001, ANN201
    """A request registered with its recording still on the stand-in, and its fetch job."""
    service = RequestService(
        engine=both_databases, calendar=calendar, notifier=Notifier(engine=both_databases, bus=bus)
    )
    data = RequestCreate(
        catalogue_code="ARB-001", channel=Channel.TWILIO_CALL, alcaldia="Xochimilco"
    )
    spoken = SpokenReference(seconds=5.0, source_url=recording_url(twilio_api.url))
    request = await service.register(data, actor="ivr:twilio", spoken_reference=spoken)
    job = await JobQueue(engine=both_databases).claim(worker="w", kinds=[FETCH_JOB])
    assert job is not None and job.payload == {"folio": request.folio}
    return request, job


def fetcher(engine, voice_settings) -> ReferenceFetcher:  # noqa: ANN001
    from twilio.rest import Client

    client = Client(voice_settings.twilio.account_sid, TOKEN)
    client.api.base_url = voice_settings.twilio.api_base_url
    return ReferenceFetcher(settings=voice_settings, engine=engine, client=lambda: client)


async def test_transient_failures_are_retried_and_a_resumed_job_only_deletes(
    both_databases: Engine, voice_settings, twilio_api: FakeTwilioApi, registered
) -> None:
    engine = both_databases
    request, job = registered
    twilio_api.recordings[SID] = audio = wav()
    twilio_api.failures = [503]  # the first download
    progress = Progress()
    await fetcher(engine, voice_settings).fetch(job, progress)  # type: ignore[arg-type]
    kept = recording(engine, request)
    assert kept is not None and (kept.audio, kept.source_url) == (audio, None)
    assert twilio_api.deleted == [SID]
    assert json.loads(progress.outcomes[-1]) == {
        "account": ACCOUNT,
        "sid": SID,
        "stored": True,
        "deleted": True,
    }
    downloads = [p for p in twilio_api.paths if p.endswith(".wav")]
    assert len(downloads) == 2
    # a worker that died after keeping the audio, before saying so: only the deletion is left
    twilio_api.recordings[SID] = audio
    resumed = replace(job, outcome=json.dumps({"account": ACCOUNT, "sid": SID}))
    await fetcher(engine, voice_settings).fetch(resumed, Progress())  # type: ignore[arg-type]
    assert [p for p in twilio_api.paths if p.endswith(".wav")] == downloads  # not fetched again
    assert twilio_api.deleted == [SID, SID]
    done = replace(job, outcome=progress.outcomes[-1])
    await fetcher(engine, voice_settings).fetch(done, Progress())  # type: ignore[arg-type]
    assert twilio_api.deleted == [SID, SID]  # a finished job does nothing


async def test_a_recording_twilio_lost_leaves_the_request_without_audio(
    both_databases: Engine, voice_settings, twilio_api: FakeTwilioApi, registered, caplog
) -> None:
    engine = both_databases
    request, job = registered
    progress = Progress()
    await fetcher(engine, voice_settings).fetch(job, progress)  # type: ignore[arg-type]
    kept = recording(engine, request)
    assert kept is not None and (kept.audio, kept.source_url) == (None, None)
    assert json.loads(progress.outcomes[-1])["gone"] is True
    assert not twilio_api.deleted and "Twilio has no recording" in caplog.text
    with Session(engine) as session:
        again = session.get(ServiceRequest, request.id)
        assert again is not None and again.reference == request.reference
