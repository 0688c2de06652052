"""How long a caller listens to register a request on the happy path, greeting to folio.

Three paths through the real flow (embedded SQLite, the real classifier and prompts):

* **speech**: the caller describes the problem at the main menu, says "sí" to the category,
  says the alcaldía when asked, confirms what is read back, and says the reference;
* **keys**: the caller presses 1, describes the problem by voice, presses 1
  for the category, keys the alcaldía's number, confirms, and says the reference;
* **keys-only**: a call the front cannot hear (Asterisk with ``speech = "dtmf"``): the caller
  presses 1, picks the category from the key menu (2), keys the alcaldía's number and confirms;
  no reference is asked.

Everything the IVR says up to and including the folio's read-back (its number, the due date,
the text-message notice) is synthesised with espeak-ng at the voice and rate the project ships
for Asterisk (``ivr.asterisk.prompt_audio.Synthesizer``); the seconds of audio are summed. The
last lines read like::

    speech path: 64.9 s of audio (9 prompts; budget 68.0 s)
    keys path: 71.0 s of audio (10 prompts; budget 75.0 s)
    keys-only path: 57.1 s of audio (8 prompts; budget 60.0 s)

``tests/ivr/test_prompt_budget.py`` keeps each under its ``BUDGET_SECONDS``.

Run: ``.venv/bin/python benchmarks/prompt_durations.py [--show]``
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ivr.asterisk.prompt_audio import Synthesizer  # noqa: E402
from ivr.classifier import Classifier  # noqa: E402
from ivr.flow import CallerInput, CallFlow, CallInfo, Directory, Gather, Step  # noqa: E402
from ivr.twilio.twiml import say_text  # noqa: E402
from models.bus import InProcessBus  # noqa: E402
from models.business_days import BusinessCalendar  # noqa: E402
from models.config import Settings  # noqa: E402
from models.notifier import Notifier  # noqa: E402
from models.reference_audio import SpokenReference  # noqa: E402
from models.request_service import RequestService  # noqa: E402
from suac.container import prepare_database  # noqa: E402

BUDGET_SECONDS = {"speech": 68.0, "keys": 75.0, "keys-only": 64.0}  # before: 98.6, 109.9, none
"""keys-only was 60 s (57.1 s heard) until its caller was asked for the reference, recorded
for a person (62.2 s)."""
DESCRIPTION = CallerInput(speech="la lámpara de mi calle no prende")
REFERENCE = CallerInput(speech="calle Morelos esquina con Hidalgo, frente a la escuela")
YES_SAID, YES_KEYED = CallerInput(speech="sí"), CallerInput(digits="1")
# what the caller does at each step of each path (the alcaldía is Coyoacán, 04)
PATHS: dict[str, dict[Step, CallerInput]] = {
    "speech": {
        Step.MENU: DESCRIPTION,
        Step.CONFIRM_CATEGORY: YES_SAID,
        Step.ALCALDIA: CallerInput(speech="Coyoacán"),
        Step.REFERENCE: REFERENCE,
    },
    "keys": {
        Step.MENU: CallerInput(digits="1"),
        Step.DESCRIBE: DESCRIPTION,
        Step.CONFIRM_CATEGORY: YES_KEYED,
        Step.ALCALDIA: CallerInput(digits="04"),
        Step.REFERENCE: REFERENCE,
    },
    "keys-only": {
        Step.MENU: CallerInput(digits="1"),
        Step.CATEGORY_KEYS: CallerInput(digits="2"),
        Step.ALCALDIA: CallerInput(digits="04"),
        Step.REFERENCE: CallerInput(audio=SpokenReference(seconds=6.0, wav=b"RIFF")),
    },
}
UNHEARD = frozenset({"keys-only"})  # paths of a call the front cannot hear
# any other yes/no step on the way
YES_AT = {"speech": YES_SAID, "keys": YES_KEYED, "keys-only": YES_KEYED}


class AnyMobile:
    """Every caller can receive the folio by text message (the notice is heard)."""

    def can_receive(self, phone: str) -> bool:
        return True


async def heard_on_path(flow: CallFlow, path: str) -> list[str]:
    """The sentences the caller hears on ``path``, greeting to folio."""
    call = CallInfo(
        call_id=f"DUR-{path}",
        transport="asterisk",
        caller="+525512345678",
        speech=path not in UNHEARD,
    )
    state, turn = await flow.start(call)
    heard: list[str] = []
    while True:
        heard += [say_text(s) for s in turn.actions]
        if state.step == Step.REGISTERED or not isinstance(turn.then, Gather):
            break
        heard.append(say_text(turn.then.say))
        answer = PATHS[path].get(state.step, YES_AT[path])
        state, turn = await flow.handle(state, answer)
    if state.step != Step.REGISTERED:
        raise RuntimeError(f"the {path} path did not register: {heard[-2:]}")
    return heard


def spoken_seconds(text: str, synthesizer: Synthesizer | None = None) -> float:
    """Seconds of espeak-ng audio for ``text`` at the shipped voice and rate."""
    synthesizer = synthesizer or Synthesizer()
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "voz.wav"
        subprocess.run(
            ["espeak-ng", "-v", synthesizer.voice, "-s", str(synthesizer.words_per_minute),
             "-w", str(target), text],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        with wave.open(str(target)) as audio:
            return audio.getnframes() / audio.getframerate()


def make_flow(data_dir: Path, bus: InProcessBus) -> CallFlow:
    """The real flow over a fresh embedded database."""
    engine = prepare_database(Settings(data_dir=data_dir, database_url="", _env_file=None))
    notifier = Notifier(engine=engine, bus=bus)
    service = RequestService(engine=engine, calendar=BusinessCalendar.default(), notifier=notifier)
    return CallFlow(
        requests=service,
        classifier=Classifier.from_engine(engine),
        notifier=bus,
        directory=Directory(engine=engine),
        messages=AnyMobile(),
    )


async def measure(flow: CallFlow) -> dict[str, tuple[float, list[str]]]:
    """Path → (seconds of audio, sentences heard)."""
    measured = {}
    for path in PATHS:
        heard = await heard_on_path(flow, path)
        measured[path] = (sum(spoken_seconds(text) for text in heard), heard)
    return measured


async def main(show: bool) -> None:
    if not shutil.which("espeak-ng"):
        raise SystemExit("Instale espeak-ng (apt-get install espeak-ng).")
    bus = InProcessBus()
    with tempfile.TemporaryDirectory() as folder:
        measured = await measure(make_flow(Path(folder), bus))
    await bus.close()
    for path, (seconds, heard) in measured.items():
        if show:
            print("\n".join(f"  [{spoken_seconds(t):5.1f} s] {t}" for t in heard))
        budget = BUDGET_SECONDS[path]
        print(f"{path} path: {seconds:.1f} s of audio ({len(heard)} prompts; budget {budget} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print each sentence and its length")
    asyncio.run(main(parser.parse_args().show))
