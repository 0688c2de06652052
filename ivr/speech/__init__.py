"""Speech recognition for the IVR: Twilio's recogniser, Vosk (streaming) or faster-whisper.

``make_engine(settings.ivr)`` returns the local engine chosen by ``SUAC_IVR__SPEECH_ENGINE``
(None for ``twilio``, whose transcripts arrive in the webhooks). Models load on first use and
stay loaded for the life of the process.
"""

from __future__ import annotations

from ivr.speech.engines import (
    SpeechModelMissing,
    Transcript,
    UtteranceEngine,
    VoskEngine,
    WhisperEngine,
)
from models.config import IvrSettings


def make_engine(settings: IvrSettings) -> VoskEngine | WhisperEngine | None:
    """The configured local speech engine (its model is checked now, loaded on first use)."""
    if settings.speech_engine == "vosk":
        return VoskEngine(model_path=settings.vosk_model_path)
    if settings.speech_engine == "whisper":
        return WhisperEngine(model_path=settings.whisper_model_path)
    return None


__all__ = [
    "SpeechModelMissing",
    "Transcript",
    "UtteranceEngine",
    "VoskEngine",
    "WhisperEngine",
    "make_engine",
]
