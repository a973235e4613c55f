"""Which of the models the bot uses MiMo still offers (`voicebridge doctor`): model ids move,
and a model MiMo refuses must be found before a chat meets it. MiMo's list (`offered_models`,
`GET /models`) answers for every model at once; a model it does not list, or every model where
the list cannot be read (a gateway without it), is tried with the cheapest request it accepts,
whose refusal names the model to use instead where MiMo retired it:

    chat, audio    a token of text (both models answer text chats)
    asr            half a second of silence
    tts            "OK" in a preset voice
    voicedesign    "OK" in a voice described in five words
    voiceclone     "OK" in a voice cloned from half a second of a tone

Each costs MiMo's smallest unit of its kind: a few tokens, a second of audio, two characters.
"""

from __future__ import annotations

import io
import logging
import math
import struct
import wave

from core.domain.errors import MimoError
from core.domain.voices.speaking_style_rules import clone_voice
from core.infra.mimo.speech_client import MimoClient

logger = logging.getLogger(__name__)

__all__ = ["KINDS", "is_listed", "offered_models", "try_model"]

KINDS = ("asr", "tts", "audio", "chat", "voicedesign", "voiceclone")
_RATE = 16_000


async def offered_models(client: MimoClient) -> frozenset[str] | None:
    """The ids MiMo lists as offered, or None where its list cannot be read (a gateway without
    `/models` answers 404): then each model is tried instead, as before the list."""
    try:
        return await client.offered_models()
    except MimoError as exc:
        logger.debug("MiMo's list of models could not be read: %s", exc.detail or exc.key)
        return None


def is_listed(model: str, offered: frozenset[str]) -> bool:
    """Whether `model` is among the ids `offered`; a `[1m]` suffix (a 1M-token context) is the
    model without it, which the list names alone."""
    return model in offered or model.removesuffix("[1m]") in offered


async def try_model(client: MimoClient, kind: str) -> None:
    """One tiny request of `kind`'s model; raises what MiMo answered (`MimoModelRefused` when it
    refused the model itself)."""
    if kind in ("chat", "audio"):
        await client.chat("Reply with OK.", max_tokens=1, kind=kind)
    elif kind == "asr":
        await client.transcribe(_wav(seconds=0.5, hz=0), mime="audio/wav")
    elif kind == "tts":
        await client.synthesize("OK")
    elif kind == "voicedesign":
        description = "A calm, clear adult voice."
        await client.synthesize("OK", model=client.models.voicedesign, description=description)
    elif kind == "voiceclone":
        sample = clone_voice(_wav(seconds=0.5, hz=200), "audio/wav")
        await client.synthesize("OK", model=client.models.voiceclone, voice=sample)
    else:
        raise ValueError(f"no model of kind {kind!r}")


def _wav(*, seconds: float, hz: int) -> bytes:
    """16 kHz mono WAV: silence (`hz` 0) or a quiet tone."""
    frames = int(seconds * _RATE)
    level = 0 if hz == 0 else 3000
    samples = (round(level * math.sin(2 * math.pi * hz * n / _RATE)) for n in range(frames))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(_RATE)
        out.writeframes(struct.pack(f"<{frames}h", *samples))
    return buffer.getvalue()
