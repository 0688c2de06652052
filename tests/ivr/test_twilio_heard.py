"""Speech that is no speech on the Twilio front, from Twilio's recogniser or a media stream: a
looping or impossibly long transcript is not heard and the caller is asked again; a long but
plausible one is read as far as the system keeps."""

from __future__ import annotations

import logging

import pytest
from test_speech import AUDIO, ScriptedSocket, twilio_messages
from test_twilio_support import PUBLIC
from test_twilio_voice import call, container, registered  # noqa: F401  (the call fixture)

from ivr.speech import Transcript
from ivr.speech.audio import read_wav_8k
from ivr.speech.media_stream import MediaSession
from ivr.twilio.simulator import SimulatedCall

NOT_HEARD = "No recibimos su respuesta"
DESCRIBE = "Describa"
LOOP = "La humía, la humía, la humía, la humía, la humía, la humía…"
FAILED = "tuvimos un problema"


async def at_describe(call: SimulatedCall) -> None:  # noqa: F811
    await call.start()
    page = await call.press("1")
    assert DESCRIBE in page.text


async def test_a_looping_speech_result_is_asked_again(twilio_app, call) -> None:  # noqa: F811
    await at_describe(call)
    page = await call.say(LOOP)
    assert NOT_HEARD in page.text and DESCRIBE in page.text
    state = await container(twilio_app).ivr.voice.store.load(call.call_sid)
    assert "humía" not in state.state and not registered(twilio_app, call.call_sid)
    page = await call.say("hay un bache enorme en mi calle")
    assert "Entendí que su solicitud es sobre" in page.text or "Si su solicitud es" in page.text


async def test_three_loops_offer_the_key_menu(twilio_app, call) -> None:  # noqa: F811
    await at_describe(call)
    assert NOT_HEARD in (await call.say(LOOP)).text
    assert NOT_HEARD in (await call.say("eh, este…")).text
    page = await call.say(LOOP)
    assert "Para falta de agua, marque 1" in page.text and FAILED not in page.text
    page = await call.press("9")  # another problem: an agent
    assert page.end == "enqueue:locatel"
    assert not registered(twilio_app, call.call_sid)


async def test_two_thousand_characters_are_no_traceback(twilio_app, call, caplog) -> None:  # noqa: F811
    await at_describe(call)
    words = [f"la coladera número {n} de la calle {n + 1} está tapada" for n in range(60)]
    speech = ", ".join(words)[:2000]
    with caplog.at_level(logging.INFO):
        page = await call.say(speech)
    assert FAILED not in page.text and "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert NOT_HEARD in page.text and DESCRIBE in page.text  # more than a minute holds


async def test_a_long_plausible_answer_is_read_cut(twilio_app, call, caplog) -> None:  # noqa: F811
    await at_describe(call)
    speech = (
        "mire le hablo porque desde hace una semana no tenemos agua en toda la unidad "
        "habitacional, ya reportamos varias veces y nadie viene, hay adultos mayores y niños, "
        "tenemos que comprar garrafones y pedir pipas que nunca llegan, los vecinos del edificio "
        "de enfrente sí tienen agua pero nosotros no, creemos que es la bomba o una válvula "
        "cerrada, el administrador dice que es problema del sistema de aguas y el sistema de "
        "aguas dice que es de la unidad, ya no sabemos a quién acudir, por favor ayúdenos "
        "porque ya no aguantamos, además la presión siempre ha sido muy baja en las tardes y "
        "en las noches se va por completo, necesitamos que alguien venga a revisar lo antes "
        "posible porque tenemos enfermos que necesitan agua todos los días para bañarse"
    )
    assert 700 < len(speech) < 1000
    page = await call.say(speech)  # classified (here too vague: to an agent, with what was said)
    assert FAILED not in page.text and NOT_HEARD not in page.text
    state = await container(twilio_app).ivr.voice.store.load(call.call_sid)
    assert "mire le hablo" in state.state and "bañarse" not in state.state  # kept, cut


async def test_a_media_stream_transcript_is_judged_by_its_seconds(twilio_app, call) -> None:  # noqa: F811
    await at_describe(call)
    store = container(twilio_app).ivr.voice.store
    media = f"{PUBLIC}/twilio/voice/step?seq=2&media=1"
    sentence = "hay un bache enorme frente a mi casa en la calle de Morelos número doce"
    await store.put_media(call.call_sid, seq=2, speech=sentence, digits="", seconds=1.0)
    page = await call._follow(await call.post(media))
    assert NOT_HEARD in page.text and DESCRIBE in page.text
    await store.put_media(call.call_sid, seq=3, speech=sentence, digits="", seconds=5.0)
    page = await call._follow(await call.post(f"{PUBLIC}/twilio/voice/step?seq=3&media=1"))
    assert "Entendí que su solicitud es sobre" in page.text or "Si su solicitud es" in page.text


class Loop:
    """An utterance engine that loops, as Whisper base does on some audio."""

    name = "prueba"

    def transcribe(self, pcm16: bytes, sample_rate: int = 8000) -> Transcript:
        return Transcript(text=LOOP)


async def test_a_media_stream_reports_the_seconds_it_heard() -> None:
    audio = read_wav_8k(AUDIO / "bache.wav")
    messages = twilio_messages(audio)
    result = await MediaSession(Loop(), timeout_seconds=6).run(ScriptedSocket(messages))
    assert result.speech == LOOP and result.ended_by == "end-of-utterance"
    assert result.seconds == pytest.approx(result.frames * 0.02)  # 20 ms frames
    assert len(audio) / 16000 < result.seconds < len(audio) / 16000 + 1  # then the end-pointer
