"""The Whisper path measured end to end: audio → faster-whisper base → transcript check →
classifier, on ``../shared/stt/audio`` and on citizens' phrases synthesised here.

For every utterance: the transcript, whether the path accepts it, as the fronts do (audio with
no speech level never reaches the engine, then :func:`check_transcript` judges the transcript
against the audio's seconds), and, for those with an expected official tema, whether the
classifier's first candidate has it. The same phrases classified as written give the ceiling
set by the classifier alone. Synthesised phrases are spoken by ``espeak-ng -v es-419 -s 150``
and squeezed to telephone band by ``sox`` (8 kHz, 16-bit mono, 300–3400 Hz); a second of
line noise and a second of silence show what Whisper invents on no speech and that it is
refused.
Takes a few minutes (about a second of CPU per utterance)::

    python benchmarks/speech_whisper.py [--model-dir /tmp/suac-whisper-base] [--verbose]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ivr.classifier import Classifier
from ivr.classifier.catalogue_csv import read_catalogue_csv
from ivr.speech.audio import has_speech
from ivr.speech.engines import SAMPLE_RATE, WhisperEngine, assemble_pypi_whisper
from ivr.speech.transcript_check import check_transcript, shortened

REPO = Path(__file__).resolve().parent.parent
AUDIO = REPO.parent / "shared" / "stt" / "audio"
CATALOGUE = REPO / "models" / "data" / "catalogue.csv"
TELEPHONE = ["-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", "-e", "signed-integer"]
# (what a citizen says, the official tema it belongs to; "" for answers that are no report)
PHRASES = [
    ("la luminaria de la esquina está fundida", "ALUMBRADO"),
    ("hay un bache enorme frente a mi casa", "BACHEO"),
    ("se está saliendo el agua de una tubería en la banqueta", "FUGA DE AGUA"),
    ("no nos llega el agua desde hace tres días", "FALTA DE AGUA"),
    ("quiero solicitar una pipa de agua", "FALTA DE AGUA"),
    ("el camión de la basura no ha pasado en toda la semana", "RECOLECCIÓN BASURA"),
    ("la calle está llena de basura tirada en la esquina", "LIMPIEZA VIA PUBLICA"),
    ("el semáforo de la avenida no funciona", "MANTENIMIENTO SEMÁFOROS"),
    ("hay un árbol a punto de caerse sobre los cables", "PODA / RETIRO ARBOL"),
    (
        "hay un coche abandonado desde hace meses en mi calle",
        "VEHÍCULO ABANDONADO / CHATARRIZACIÓN",
    ),
    ("dejaron un montón de escombro en la banqueta", "RETIRO CASCAJO, ESCOMBRO, AZOLVE, RAMAS"),
    ("el drenaje se regresa y huele muy feo", "MANTENIMIENTO DRENAJE"),
    ("hay puestos ambulantes que no dejan pasar", "RETIRO AMBULANTE"),
    ("venden alcohol a menores en la tienda de la esquina", "VENTA DE ALCOHOL / DROGA"),
    ("necesito que pase una patrulla porque asaltan mucho", "SOLICITUD DE VIGILANCIA"),
    ("se inunda la calle cada vez que llueve", "DESAZOLVE"),
    ("el pasto del parque está muy crecido", "MANTENIMIENTO PARQUE / AREA VERDE"),
    ("el chofer del microbús me trató muy mal", "QUEJA DE TRANSPORTE PUBLICO"),
    ("la alarma vecinal de mi calle no suena", "ALARMAS VECINALES"),
    ("la banqueta está rota y levantada", "MANTENIMIENTO VÍA PÚBLICA"),
    ("un funcionario de la alcaldía me pidió dinero", "QUEJA FUNCIONARIO"),
    ("se cuarteó mi edificio después del sismo", "SOLICITUD EVALUACIÓN DE RIESGO"),
    ("hay que pintar el paso de cebra frente a la escuela", "BALIZAMIENTO"),
    ("le falta la tapa a la coladera de mi calle", "MANTENIMIENTO DE COLADERA / ALCANTARILLA"),
    ("sí, así es", ""),
    ("no, ninguna", ""),
    ("quiero hablar con un asesor", ""),
    ("mi folio es dos seis cero cero cero uno dos", ""),
]


@dataclass(frozen=True)
class Utterance:
    """One recording and what should come of it."""

    name: str
    pcm16: bytes
    said: str
    tema: str


@dataclass(frozen=True)
class Outcome:
    """What the Whisper path made of an utterance."""

    utterance: Utterance
    transcript: str
    reason: str
    tema: str
    seconds: float


def telephone(source: Path, band: bool = True) -> bytes:
    """``source`` as 8 kHz 16-bit mono PCM, optionally limited to 300–3400 Hz."""
    effects = ["sinc", "300-3400"] if band else []
    command = ["sox", str(source), *TELEPHONE, "-t", "raw", "-", *effects]
    return subprocess.run(command, capture_output=True, check=True).stdout


def synthesised(folder: Path) -> list[Utterance]:
    """The phrases above spoken by espeak-ng, at telephone quality."""
    result = []
    for index, (text, tema) in enumerate(PHRASES):
        wav = folder / f"phrase-{index}.wav"
        subprocess.run(["espeak-ng", "-v", "es-419", "-s", "150", "-w", str(wav), text], check=True)
        result.append(Utterance(f"espeak/{index:02d}", telephone(wav), text, tema))
    return result


def shared() -> list[Utterance]:
    """The shared test audio: synthesised caller phrases and a Mexican speaker's sentences."""
    result = []
    synth = AUDIO / "synth-es-419"
    with (synth / "utterances.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            pcm = telephone(synth / f"{row['file']}.wav", band=False)
            result.append(Utterance(f"synth/{row['file']}", pcm, row["text"], row["tema"]))
    for wav in sorted((AUDIO / "voxforge-es-mx").glob("*.wav")):
        said = wav.with_suffix(".txt").read_text(encoding="utf-8").strip()
        result.append(Utterance(f"voxforge/{wav.stem}", telephone(wav), said, ""))
    return result


def no_speech() -> list[Utterance]:
    """A second of line noise and one of silence: nothing said, nothing should be heard."""
    noise = np.random.default_rng(7).normal(0, 300, SAMPLE_RATE).astype("<i2").tobytes()
    silence = bytes(2 * SAMPLE_RATE)
    return [Utterance("noise", noise, "", ""), Utterance("silence", silence, "", "")]


def first_tema(classifier: Classifier, text: str) -> str:
    """The official tema of the classifier's first candidate ("" when none)."""
    found = classifier.classify(text)
    return found.candidates[0].tema if found.candidates else ""


def run(engine: WhisperEngine, classifier: Classifier, utterance: Utterance) -> Outcome:
    """Transcribe, check and classify one utterance."""
    seconds = len(utterance.pcm16) / (2 * SAMPLE_RATE)
    transcript = engine.transcribe(utterance.pcm16).text
    if not has_speech(utterance.pcm16):
        return Outcome(utterance, transcript, "no speech level", "", seconds)
    heard = check_transcript(transcript, seconds=seconds)
    tema = first_tema(classifier, heard.text) if heard.accepted and utterance.tema else ""
    return Outcome(utterance, transcript, heard.reason, tema, seconds)


def report(outcomes: list[Outcome], classifier: Classifier, verbose: bool) -> None:
    """Print the figures."""
    speech = [o for o in outcomes if o.utterance.said]
    silent = [o for o in outcomes if not o.utterance.said]
    accepted = [o for o in speech if not o.reason]
    reports = [o for o in speech if o.utterance.tema]
    right = [o for o in reports if o.tema == o.utterance.tema]
    as_written = [
        o for o in reports if first_tema(classifier, o.utterance.said) == o.utterance.tema
    ]
    rejected_reports = [o for o in reports if o.reason]
    lost = [  # what refusing cost: refused reports whose transcript had the right tema
        o
        for o in rejected_reports
        if first_tema(classifier, shortened(o.transcript)) == o.utterance.tema
    ]
    print(f"utterances with speech: {len(speech)}; accepted by the check: {len(accepted)}")
    for o in speech:
        if o.reason:
            print(f"  refused ({o.reason}, {o.seconds:.1f} s): {o.utterance.name} {o.transcript!r}")
    print(f"no-speech samples refused: {sum(bool(o.reason) for o in silent)}/{len(silent)}")
    for o in silent:
        unchecked = check_transcript(o.transcript, seconds=o.seconds).reason or "accepted"
        print(
            f"  {o.utterance.name}: Whisper says {o.transcript!r} → {o.reason or 'ACCEPTED'} "
            f"(the transcript check alone: {unchecked})"
        )
    print(
        f"reports with an expected tema: {len(reports)}; refused as not heard: "
        f"{len(rejected_reports)}; right tema through Whisper: {len(right)}/{len(reports)} "
        f"({100 * len(right) / len(reports):.0f} %); right tema as written: "
        f"{len(as_written)}/{len(reports)}; refused that would have been right: {len(lost)}"
    )
    for name in ("synth/", "espeak/"):
        part = [o for o in reports if o.utterance.name.startswith(name)]
        good = sum(o.tema == o.utterance.tema for o in part)
        print(f"  {name:8} {good}/{len(part)} right tema")
    for o in reports if verbose else [o for o in reports if o.tema != o.utterance.tema]:
        mark = "ok " if o.tema == o.utterance.tema else "MISS"
        print(f"  {mark} {o.utterance.said!r} → {o.transcript!r} → {o.tema or o.reason!r}")


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=Path("/tmp/suac-whisper-base"))
    parser.add_argument("--verbose", action="store_true", help="print every report utterance")
    args = parser.parse_args()
    engine = WhisperEngine(model_path=assemble_pypi_whisper(args.model_dir))
    classifier = Classifier(read_catalogue_csv(CATALOGUE))
    with tempfile.TemporaryDirectory() as folder:
        utterances = [*shared(), *synthesised(Path(folder)), *no_speech()]
    started = time.perf_counter()
    outcomes = [run(engine, classifier, u) for u in utterances]
    elapsed = time.perf_counter() - started
    audio = sum(o.seconds for o in outcomes)
    print(f"whisper base, {len(outcomes)} utterances, {audio:.0f} s of audio in {elapsed:.0f} s")
    report(outcomes, classifier, args.verbose)


if __name__ == "__main__":
    main()
