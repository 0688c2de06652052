"""Every TwiML document the flow produces uses only verbs, nouns and attributes Twilio accepts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from test_twilio_support import PUBLIC, TOKEN

from ivr.flow.steps import Gather, HandoffContext, Hangup, Say, Transfer, Turn
from ivr.prompts import Prompt, PromptBook
from ivr.twilio.simulator import SimulatedCall, TwimlPage
from ivr.twilio.twiml import TwimlRenderer

ALLOWED: dict[str, set[str]] = {
    "Response": set(),
    "Say": {"voice", "language", "loop"},
    "Gather": {
        "input", "action", "method", "timeout", "speechTimeout", "maxSpeechTime",
        "profanityFilter", "finishOnKey", "numDigits", "language", "hints", "bargeIn",
        "actionOnEmptyResult", "speechModel", "enhanced",
    },
    "Record": {
        "action", "method", "timeout", "finishOnKey", "maxLength", "playBeep", "trim",
        "recordingStatusCallback", "recordingStatusCallbackMethod", "transcribe",
    },
    "Redirect": {"method"},
    "Hangup": set(),
    "Enqueue": {"action", "method", "waitUrl", "waitUrlMethod", "workflowSid", "maxQueueSize"},
    "Dial": {"action", "method", "timeout", "callerId", "record", "answerOnBridge"},
    "Sip": {"username", "password", "url", "method"},
    "Connect": {"action", "method"},
    "Stream": {"url", "name", "track", "statusCallback", "statusCallbackMethod"},
    "Parameter": {"name", "value"},
}  # fmt: skip
CHILDREN = {
    "Response": {"Say", "Gather", "Record", "Redirect", "Hangup", "Enqueue", "Dial", "Connect"},
    "Gather": {"Say"},
    "Dial": {"Sip"},
    "Connect": {"Stream"},
    "Stream": {"Parameter"},
}
TEXT_REQUIRED = {"Say", "Redirect", "Enqueue", "Sip"}
STEP_URL = PUBLIC + "/twilio/voice/step?seq="


def check(xml: str) -> None:
    """Refuse unknown verbs, misplaced nouns, unknown attributes, empty speech, bad values."""
    root = ET.fromstring(xml)
    assert root.tag == "Response"
    for parent in root.iter():
        assert parent.tag in ALLOWED, parent.tag
        assert set(parent.attrib) <= ALLOWED[parent.tag], (parent.tag, parent.attrib)
        for child in parent:
            assert child.tag in CHILDREN.get(parent.tag, set()), (parent.tag, child.tag)
        if parent.tag in TEXT_REQUIRED:
            assert (parent.text or "").strip(), parent.tag
        if parent.tag == "Say":
            assert parent.get("language") == "es-MX"
        if parent.tag == "Gather":
            assert set(parent.get("input", "").split()) <= {"dtmf", "speech"}
            assert parent.get("action", "").startswith(STEP_URL)
            assert parent.get("method") == "POST" and int(parent.get("timeout")) > 0
            assert len(parent.get("hints", "")) <= 4000
        if parent.tag == "Record":
            assert parent.get("action", "").startswith(STEP_URL) and parent.get("method") == "POST"
            assert parent.get("trim") == "trim-silence" and 0 < int(parent.get("maxLength")) <= 60
        if parent.tag == "Connect":
            assert parent.get("action", "").startswith(STEP_URL) and "media=1" in parent.get(
                "action"
            )
        if parent.tag == "Stream":
            assert parent.get("url", "").startswith("wss://")


async def _scenario(twilio_http, steps: list[tuple[str, str]]) -> list[TwimlPage]:
    call = SimulatedCall(http=twilio_http, public_base_url=PUBLIC, auth_token=TOKEN)
    pages = [await call.start()]
    for kind, value in steps:
        if kind == "press":
            pages.append(await call.press(value))
        elif kind == "say":
            pages.append(await call.say(value))
        else:
            pages.append(await call.silence())
        if pages[-1].end:
            break
    return pages


async def test_every_document_of_the_flow_is_valid_twiml(twilio_http) -> None:
    scenarios = [
        [("say", "hay una fuga de agua en mi calle"), ("press", "2"), ("press", "9"),
         ("say", "fuga de agua en la calle en tlalpan"), ("press", "1"), ("say", "calle 5"),
         ("press", "1"), ("press", "2"), ("press", "2"), ("press", "2600000019"), ("silence", "")],
        [("press", "1"), ("press", "5"), ("say", "no"), ("say", "quiero un acta de nacimiento"),
         ("press", "1"), ("press", "1")],
        [("press", "2"), ("say", "dos seis cero"), ("silence", ""), ("silence", "")],
        [("press", "7"), ("press", "0")],
        [("say", "no tengo agua en mi casa desde ayer"), ("press", "1"), ("press", "09"),
         ("press", "1"), ("say", "calle Morelos frente al mercado"), ("silence", "")],
    ]  # fmt: skip
    seen: set[str] = set()
    for steps in scenarios:
        for page in await _scenario(twilio_http, steps):
            assert page.status_code == 200
            check(page.xml)
            seen.update(node.tag for node in ET.fromstring(page.xml).iter())
    assert {"Say", "Gather", "Redirect", "Enqueue", "Hangup"} <= seen


def test_transfer_by_sip_and_hangup_documents() -> None:
    renderer = TwimlRenderer(
        voice="Polly.Mia",
        step_url=lambda seq: f"{PUBLIC}/twilio/voice/step?seq={seq}",
        transfer="sip",
        sip_uri="sip:cola@pbx.locatel.example.mx",
    )
    prompt = PromptBook().prompt("asesor")
    context = HandoffContext(folio="2600000019")
    xml = renderer.render(Turn((Say((prompt,)),), Transfer("locatel", context)), seq=4)
    check(xml)
    assert "X-SUAC-Folio=2600000019" in xml and "<Dial><Sip>" in xml
    check(renderer.render(Turn((Say((Prompt("despedida", "Adiós."),)),), Hangup()), seq=1))


def test_media_stream_documents_for_a_local_speech_engine() -> None:
    renderer = TwimlRenderer(
        voice="Polly.Mia",
        step_url=lambda seq: f"{STEP_URL}{seq}",
        stream_url="wss://locatel.example.mx/twilio/media",
    )
    prompt = PromptBook().prompt("registro-describa")
    xml = renderer.render(Turn(then=Gather(say=Say((prompt,)), speech=True)), seq=2)
    check(xml)
    root = ET.fromstring(xml)
    assert [node.tag for node in root] == ["Say", "Connect"]
    params = {p.get("name"): p.get("value") for p in root.iter("Parameter")}
    token = params.pop("token")  # binds the stream to this call and turn
    assert params == {"seq": "2", "timeout": "6", "max_digits": "1"} and len(token) == 64
    folio = Gather(say=Say((prompt,)), speech=True, max_digits=12, finish_on_key="#")
    xml = renderer.render(Turn(then=folio), seq=4)
    check(xml)
    params = {p.get("name"): p.get("value") for p in ET.fromstring(xml).iter("Parameter")}
    assert params["max_digits"] == "12" and params["finish_on_key"] == "#"
    keys_only = renderer.render(Turn(then=Gather(say=Say((prompt,)))), seq=3)
    check(keys_only)
    assert ET.fromstring(keys_only).find("Gather") is not None
