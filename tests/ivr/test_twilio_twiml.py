"""Every TwiML document the flow produces uses only verbs, nouns and attributes Twilio accepts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from test_twilio_support import PUBLIC, TOKEN

from ivr.flow.steps import HandoffContext, Hangup, Say, Transfer, Turn
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
    "Redirect": {"method"},
    "Hangup": set(),
    "Enqueue": {"action", "method", "waitUrl", "waitUrlMethod", "workflowSid", "maxQueueSize"},
    "Dial": {"action", "method", "timeout", "callerId", "record", "answerOnBridge"},
    "Sip": {"username", "password", "url", "method"},
}  # fmt: skip
CHILDREN = {
    "Response": {"Say", "Gather", "Redirect", "Hangup", "Enqueue", "Dial"},
    "Gather": {"Say"},
    "Dial": {"Sip"},
}
TEXT_REQUIRED = {"Say", "Redirect", "Enqueue", "Sip"}


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
            assert parent.get("action", "").startswith(PUBLIC + "/twilio/voice/step?seq=")
            assert parent.get("method") == "POST" and int(parent.get("timeout")) > 0
            assert len(parent.get("hints", "")) <= 4000


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
         ("say", "calle Morelos frente al mercado"), ("silence", "")],
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
