"""G.711 μ-law ↔ 16-bit PCM, without the ``audioop`` module (gone from newer Pythons).

Twilio Media Streams carry 8 kHz mono μ-law, base64-encoded, in 20 ms frames::

    >>> ulaw_to_pcm16(bytes([0xFF, 0x00]))
    b'\\x00\\x00\\x84\\x82'
    >>> pcm16_to_ulaw(ulaw_to_pcm16(b"\\x00\\x80\\xff"))
    b'\\x00\\x80\\xff'

"""

from __future__ import annotations

import io
import math
import struct
import wave
from pathlib import Path

DECODE_BIAS = 0x84
BIAS = 0x21
CLIP = 8159
SEGMENT_ENDS = (0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF)
SPEECH_RMS = 500.0
"""The level of a 20 ms frame of 8 kHz audio from which it counts as speech."""
FRAME_BYTES = 320


def _decode(byte: int) -> int:
    value = ~byte & 0xFF
    sign, exponent, mantissa = value & 0x80, (value >> 4) & 0x07, value & 0x0F
    sample = (((mantissa << 3) + DECODE_BIAS) << exponent) - DECODE_BIAS
    return -sample if sign else sample


def _encode(sample: int) -> int:
    """G.711 on the 14 most significant bits, as the ITU reference (and ``audioop``) do."""
    value = sample >> 2
    mask = 0xFF
    if value < 0:
        value, mask = -value, 0x7F
    value = min(value, CLIP) + BIAS
    for segment, end in enumerate(SEGMENT_ENDS):
        if value <= end:
            return ((segment << 4) | ((value >> (segment + 1)) & 0x0F)) ^ mask
    return 0x7F ^ mask


_DECODED = tuple(struct.pack("<h", _decode(b)) for b in range(256))
_ENCODED = bytes(_encode(s - 32768) for s in range(65536))


def ulaw_to_pcm16(data: bytes) -> bytes:
    """Decode μ-law bytes to little-endian signed 16-bit samples."""
    return b"".join(_DECODED[b] for b in data)


def pcm16_to_ulaw(data: bytes) -> bytes:
    """Encode little-endian signed 16-bit samples to μ-law bytes."""
    count = len(data) // 2
    return bytes(_ENCODED[s + 32768] for s in struct.unpack(f"<{count}h", data[: count * 2]))


def read_wav_8k(source: Path | bytes) -> bytes:
    """The 16-bit mono samples of an 8 kHz WAV, a file or its bytes (refuses any other format)."""
    opened = io.BytesIO(source) if isinstance(source, bytes) else str(source)
    with wave.open(opened, "rb") as wav:
        if (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) != (8000, 1, 2):
            what = "the audio" if isinstance(source, bytes) else source
            raise ValueError(f"{what} is not 8 kHz mono 16-bit")
        return wav.readframes(wav.getnframes())


def rms(pcm16: bytes) -> float:
    """Root mean square level of 16-bit samples."""
    count = len(pcm16) // 2
    if not count:
        return 0.0
    samples = struct.unpack(f"<{count}h", pcm16[: count * 2])
    return math.sqrt(sum(s * s for s in samples) / count)


def has_speech(pcm16: bytes) -> bool:
    """Whether any 20 ms of 8 kHz audio is loud enough to be speech (line noise and silence,
    on which Whisper invents "No, no, no.", are not)."""
    return any(
        rms(pcm16[start : start + FRAME_BYTES]) >= SPEECH_RMS
        for start in range(0, len(pcm16), FRAME_BYTES)
    )
