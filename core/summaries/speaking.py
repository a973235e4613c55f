"""Reading a summary aloud: `/summary voice`.

A summary is usually longer than one TTS request should be (`MAX_SAY_CHARS`), so it is spoken
in pieces cut at sentence boundaries and joined into one voice note, in the chat's voice and style.
"""

from __future__ import annotations

import asyncio
import re

from core.domain import ChatRef, VoiceNote
from core.ports import SpeechApi, VoiceNoteMaker
from core.service import VoiceService
from core.text import split_message

MAX_PIECES = 12  # a summary needing more is cut: nobody listens to a quarter-hour digest
_BULLET = re.compile(r"^\s*[•\-*]\s*", re.MULTILINE)


async def spoken(
    text: str, *, chat: ChatRef, voices: VoiceService, speech: SpeechApi, audio: VoiceNoteMaker
) -> VoiceNote:
    """`text` as one voice note, synthesised a few pieces at a time."""
    prefs = await voices.preferences(chat)
    model, voice = voices.tts_model(prefs), voices.voice_of(prefs)
    pieces = split_message(_BULLET.sub("", text), voices.limits.max_say_chars)[:MAX_PIECES]
    gate = asyncio.Semaphore(4)

    async def one(piece: str) -> bytes:
        async with gate:
            return await speech.synthesize(piece, voice=voice, style=prefs.style, model=model)

    wavs = await asyncio.gather(*(one(piece) for piece in pieces))
    return await audio.to_voice_note(await audio.join_wavs(list(wavs)))
