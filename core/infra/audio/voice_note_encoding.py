"""Speech and voice samples encoded for the chats and for MiMo.

Voice notes from synthesized speech: pydub reads MiMo's WAV, exports OGG/Opus mono 48 kHz
32 kbps (clean synthesized speech at 24 kHz is transparent there) and computes Discord's waveform
bytes; pieces of one long text are joined into one WAV first. pydub runs in a worker thread.
Speech played as MiMo makes it is encoded as it comes instead (`voice_note_as_it_comes`): one
ffmpeg reads its samples from a pipe, and the note is done as soon as the last one is in.

The command line saves speech as a file instead (`to_speech_file`): the same OGG/Opus, MP3 (mono
64 kbps, the TTS output's 24 kHz kept) or the joined WAV itself, with when each piece is heard.

Voice samples for cloning (`to_clone_sample`, `wav_to_clone_sample`): the start of a member's
own recording, or a designed voice's sample, as a small MP3.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from pydub import AudioSegment
from pydub.exceptions import CouldntEncodeError

from core.domain.errors import EmptyAudio, UndecodableAudio
from core.domain.recordings.transcript_values import AudioFormat, SpeechFile, TranscriptPart
from core.domain.shared_values import VoiceNote
from core.domain.voices.speaking_style_rules import PIECE_PAUSE_MS
from core.infra.audio.ffmpeg_binary import point_pydub_at
from core.infra.audio.ffmpeg_inputs import source_of
from core.infra.audio.ffmpeg_processes import FfmpegProcesses, file_url
from core.infra.audio.media_probe import inspect_media
from core.infra.audio.pauses import pause_filter

__all__ = [
    "join_wavs",
    "to_clone_sample",
    "to_speech_file",
    "to_voice_note",
    "voice_note_as_it_comes",
    "wav_to_clone_sample",
]

logger = logging.getLogger(__name__)

WAVEFORM_BYTES = 256  # Discord's maximum
WAVEFORM_WINDOWS_PER_SECOND = 10
# The voice note's encoding, as ffmpeg's arguments, for one encoded from a pipe.
_OPUS_NOTE = ("-c:a", "libopus", "-b:a", "32k", "-ar", "48000")
_NOTE_MOST = 50_000_000  # bytes of a voice note at most: Telegram's upload limit
# pydub's export arguments per format; OGG is the voice note's.
_EXPORTS: dict[AudioFormat, dict[str, Any]] = {
    "ogg": {"format": "ogg", "codec": "libopus", "bitrate": "32k", "parameters": ["-ar", "48000"]},
    "mp3": {"format": "mp3", "codec": "libmp3lame", "bitrate": "64k"},
    "wav": {"format": "wav"},
}

DESIGN_SECONDS = 120.0  # all of a design's sample (a sentence or two): a clone's longest


async def to_voice_note(wav: bytes, *, processes: FfmpegProcesses) -> VoiceNote:
    """Encode a WAV (any rate) as an OGG/Opus voice note with its duration and waveform."""
    point_pydub_at(processes.executable)  # before the worker thread needs it
    async with processes.slot():  # pydub runs ffmpeg too
        return await asyncio.to_thread(_voice_note, wav)


async def voice_note_as_it_comes(
    samples: AsyncIterable[bytes], *, rate: int, longest: float, processes: FfmpegProcesses
) -> VoiceNote:
    """A voice note of PCM16LE mono `samples` at `rate` Hz, encoded by one ffmpeg reading them
    from a pipe as they come (speech as MiMo makes it): done as soon as the last one is in.
    `longest`: the seconds they may last, for ffmpeg's time limit."""
    pcm = bytearray()

    async def kept() -> AsyncIterator[bytes]:
        async for piece in samples:
            pcm.extend(piece)
            yield piece

    encoded = await processes.output(
        "-f", "s16le", "-ar", str(rate), "-ch_layout", "mono", "-i", "pipe:0",
        *_OPUS_NOTE, "-f", "ogg", "pipe:1",
        audio_seconds=longest, most=_NOTE_MOST, fed=kept(),
    )  # fmt: skip
    if not pcm:
        raise EmptyAudio("the synthesized audio is empty")
    if encoded.returncode != 0 or not encoded.stdout:
        logger.debug("the voice note could not be encoded: %s", encoded.stderr)
        raise UndecodableAudio("the audio could not be encoded")
    clip = AudioSegment(data=bytes(pcm), sample_width=2, frame_rate=rate, channels=1)
    waveform = await asyncio.to_thread(_waveform, clip)
    return VoiceNote(data=encoded.stdout, duration=len(pcm) / 2 / rate, waveform=waveform)


async def join_wavs(wavs: list[bytes]) -> bytes:
    """One WAV of several spoken one after the other, with a short pause between them (text
    too long for one TTS request is synthesised in pieces)."""
    if len(wavs) == 1:
        return wavs[0]
    return await asyncio.to_thread(_join_wavs, wavs)


async def to_speech_file(
    pieces: Sequence[tuple[str, bytes]], *, fmt: AudioFormat, processes: FfmpegProcesses
) -> SpeechFile:
    """The pieces' WAVs joined as `join_wavs` joins them, in one file of `fmt`, each piece's
    text timed where it is heard."""
    point_pydub_at(processes.executable)
    async with processes.slot():
        return await asyncio.to_thread(_speech_file, pieces, fmt)


def _voice_note(wav: bytes) -> VoiceNote:
    """Synchronous body of `to_voice_note`, run in a worker thread."""
    clip = _sounding(_read_wav(wav))
    data = _encoded(clip, "ogg")
    return VoiceNote(data=data, duration=float(clip.duration_seconds), waveform=_waveform(clip))


def _join_wavs(wavs: list[bytes]) -> bytes:
    """Synchronous body of `join_wavs`; pydub matches rates and channels, WAV needs no ffmpeg."""
    joined, _ = _joined([_read_wav(wav) for wav in wavs])
    return _encoded(joined, "wav")


def _speech_file(pieces: Sequence[tuple[str, bytes]], fmt: AudioFormat) -> SpeechFile:
    """Synchronous body of `to_speech_file`."""
    joined, spans = _joined([_read_wav(wav) for _, wav in pieces])
    clip = _sounding(joined)
    parts = tuple(
        TranscriptPart(start, end, text)
        for (text, _), (start, end) in zip(pieces, spans, strict=True)
    )
    return SpeechFile(
        data=_encoded(clip, fmt), format=fmt, duration=float(clip.duration_seconds), parts=parts
    )


def _joined(clips: list[Any]) -> tuple[Any, list[tuple[float, float]]]:
    """The clips one after the other, a short pause between them, and where each one is heard
    (seconds from the start)."""
    pause = AudioSegment.silent(duration=PIECE_PAUSE_MS, frame_rate=clips[0].frame_rate)
    joined, spans = clips[0], [(0.0, float(clips[0].duration_seconds))]
    for clip in clips[1:]:
        start = float(joined.duration_seconds) + PIECE_PAUSE_MS / 1000
        joined = joined + pause + clip
        spans.append((start, start + float(clip.duration_seconds)))
    return joined, spans


def _sounding(clip: Any) -> Any:
    """The clip in mono, or EmptyAudio when it has no length at all."""
    clip = clip.set_channels(1)
    if clip.frame_count() == 0:
        raise EmptyAudio("the synthesized audio is empty")
    return clip


def _encoded(clip: Any, fmt: AudioFormat) -> bytes:
    """The clip exported in `fmt`, or UndecodableAudio when ffmpeg cannot encode it."""
    try:
        encoded = clip.export(**_EXPORTS[fmt])
    except CouldntEncodeError as exc:
        logger.debug("%s encoding failed: %s", fmt, exc)
        raise UndecodableAudio("the audio could not be encoded") from None
    with encoded:
        return bytes(encoded.read())


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


async def to_clone_sample(
    path: Path, *, processes: FfmpegProcesses, max_seconds: float, compact_pauses: bool = False
) -> tuple[bytes, str]:
    """A voice sample for cloning (`core.app.voices.own_voices`): the first `max_seconds` of the
    recording as mono 24 kHz MP3 at 64 kbps (30 s is about 240 kB, 120 s under 1 MB: far under
    MiMo's cap on a voice sample, which `core.domain.voices.speaking_style_rules.clone_voice`
    checks). Returns the bytes and their MIME type. `compact_pauses`: long pauses shortened first,
    so the sample is `max_seconds` of speech rather than of silence."""
    # Empty, corrupt or not audio: one clear error before converting.
    media = await inspect_media(path, processes=processes, decode=False)
    pauses = None
    if compact_pauses:
        source = source_of(path, media)
        pauses = await pause_filter(
            source, media.info.duration, processes=processes, keep_times=False, sample_rate=24_000
        )
    shorten = ("-af", pauses) if pauses else ()
    with tempfile.TemporaryDirectory(prefix="voicebridge-sample-") as tmp:
        out = Path(tmp) / "sample.mp3"
        run = await processes.run(
            "-i", file_url(path), *shorten, "-t", f"{max_seconds:g}", "-map", "0:a:0",
            "-map_metadata", "-1",
            "-ac", "1", "-ar", "24000", "-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3", str(out),
            audio_seconds=media.info.duration,
        )  # fmt: skip
        if run.returncode != 0:
            raise UndecodableAudio("the audio could not be decoded")
        data = await asyncio.to_thread(out.read_bytes)
    return data, "audio/mpeg"


async def wav_to_clone_sample(wav: bytes, *, processes: FfmpegProcesses) -> tuple[bytes, str]:
    """A designed voice's WAV as its sample, kept like a clone's (MP3, about a tenth of the
    WAV): every later request in that voice carries it."""
    with tempfile.TemporaryDirectory(prefix="voicebridge-design-") as tmp:
        source = Path(tmp) / "design.wav"
        await asyncio.to_thread(source.write_bytes, wav)
        return await to_clone_sample(source, processes=processes, max_seconds=DESIGN_SECONDS)
