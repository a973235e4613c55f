"""Voice notes from synthesized speech: pydub reads MiMo's WAV, exports OGG/Opus mono 48 kHz
32 kbps (clean synthesized speech at 24 kHz is transparent there) and computes Discord's waveform
bytes; pieces of one long text are joined into one WAV first. pydub runs in a worker thread."""

from __future__ import annotations

import asyncio
import io
import itertools
import logging
from typing import Any

from pydub import AudioSegment
from pydub.exceptions import CouldntEncodeError

from core.domain.errors import EmptyAudio, UndecodableAudio
from core.domain.values import VoiceNote
from core.infra.audio.ffmpeg import ffmpeg_exe
from core.infra.audio.processes import FfmpegProcesses

logger = logging.getLogger(__name__)

WAVEFORM_BYTES = 256  # Discord's maximum
WAVEFORM_WINDOWS_PER_SECOND = 10
JOIN_PAUSE_MS = 300  # between pieces of speech joined into one voice note


async def to_voice_note(wav: bytes, *, processes: FfmpegProcesses) -> VoiceNote:
    """Encode a WAV (any rate) as an OGG/Opus voice note with its duration and waveform."""
    ffmpeg_exe()  # points pydub at the binary before the worker thread needs it
    async with processes.slot():  # pydub runs ffmpeg too
        return await asyncio.to_thread(_voice_note, wav)


async def join_wavs(wavs: list[bytes]) -> bytes:
    """One WAV of several spoken one after the other, with a short pause between them (text
    too long for one TTS request is synthesised in pieces)."""
    if len(wavs) == 1:
        return wavs[0]
    return await asyncio.to_thread(_join_wavs, wavs)


def _voice_note(wav: bytes) -> VoiceNote:
    """Synchronous body of `to_voice_note`, run in a worker thread."""
    clip = _read_wav(wav).set_channels(1)
    if clip.frame_count() == 0:
        raise EmptyAudio("the synthesized audio is empty")
    try:
        encoded = clip.export(format="ogg", codec="libopus", bitrate="32k",
                              parameters=["-ar", "48000"])  # fmt: skip
    except CouldntEncodeError as exc:
        logger.debug("libopus encoding failed: %s", exc)
        raise UndecodableAudio("the audio could not be encoded") from None
    with encoded:
        data = bytes(encoded.read())
    return VoiceNote(data=data, duration=float(clip.duration_seconds), waveform=_waveform(clip))


def _join_wavs(wavs: list[bytes]) -> bytes:
    """Synchronous body of `join_wavs`; pydub matches rates and channels, WAV needs no ffmpeg."""
    clips = [_read_wav(wav) for wav in wavs]
    pause = AudioSegment.silent(duration=JOIN_PAUSE_MS, frame_rate=clips[0].frame_rate)
    joined = clips[0]
    for clip in clips[1:]:
        joined = joined + pause + clip
    buffer = io.BytesIO()
    joined.export(buffer, format="wav")
    return buffer.getvalue()


def _read_wav(wav: bytes) -> Any:
    """The WAV bytes as a pydub AudioSegment, or UndecodableAudio."""
    if wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        raise UndecodableAudio("the synthesized audio is not a WAV file")
    try:
        return AudioSegment(data=wav)
    except Exception as exc:  # pydub raises several types on malformed headers
        logger.debug("pydub could not read the WAV: %r", exc)
        raise UndecodableAudio("the synthesized audio is not a WAV file") from None


def _waveform(clip: Any) -> bytes:
    """Discord's waveform: loudness per ~100 ms window (at most 256 windows), 0..255 relative
    to the loudest window."""
    frames = int(clip.frame_count())
    windows = -(-frames * WAVEFORM_WINDOWS_PER_SECOND // int(clip.frame_rate))  # ceiling
    count = max(1, min(WAVEFORM_BYTES, windows))
    bounds = [frames * i // count for i in range(count + 1)]
    levels = [int(clip.get_sample_slice(a, b).rms) for a, b in itertools.pairwise(bounds)]
    loudest = max(levels)
    return bytes(round(255 * level / loudest) if loudest else 0 for level in levels)
