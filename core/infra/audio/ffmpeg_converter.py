"""`FfmpegAudio`: the audio adapter, the real `core.ports.AudioConverter`.

One object per process, built by the composition root with the process limit it shares
(`FfmpegProcesses`); each conversion lives in the module named after its job.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from core.domain.recordings.transcript_values import AudioFormat, SpeechFile
from core.domain.shared_values import AsrPiece, VoiceNote
from core.infra.audio import (
    asr_pieces,
    media_probe,
    question_input,
    short_voice_notes,
    voice_note_encoding,
)
from core.infra.audio.asr_formats import ASR_FORMATS, WAV
from core.infra.audio.asr_pieces import AsrPieceStream
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.audio.media_probe import AudioInfo
from core.ports import AudioCaps, UnderstandingAudio

__all__ = ["FfmpegAudio"]


class FfmpegAudio:
    """Conversions on ffmpeg (and pydub for voice notes), at most `processes.limit` at once.
    `compact_pauses`: what goes to MiMo (ASR pieces, /ask's MP3, clone samples) has its long
    pauses shortened (`pauses`, the COMPACT_PAUSES setting). `asr_format`: what the ASR
    pieces are, "wav" or "mp3" (`asr_formats`, the ASR_AUDIO_FORMAT setting). `caps`: how much
    audio one speech request carries, the speech adapter's (`core.ports.AudioCaps`): ASR pieces
    and /ask's input stay under them."""

    def __init__(
        self,
        *,
        processes: FfmpegProcesses,
        caps: AudioCaps,
        compact_pauses: bool = False,
        asr_format: str = WAV.name,
    ) -> None:
        self.processes = processes
        self.caps = caps
        self.compact_pauses = compact_pauses
        self.asr_format = ASR_FORMATS[asr_format]

    def __repr__(self) -> str:
        return (
            f"FfmpegAudio(processes={self.processes!r}, compact_pauses={self.compact_pauses}, "
            f"asr_format={self.asr_format.name!r})"
        )

    async def probe(self, path: Path) -> AudioInfo:
        """The first audio stream of `path`, its length measured by decoding it all."""
        return await media_probe.probe(path, processes=self.processes)

    @asynccontextmanager
    async def asr_pieces(
        self,
        path: Path,
        *,
        piece_seconds: float = 600,
        max_seconds: float | None = None,
        workers: int | None = None,
    ) -> AsyncIterator[AsrPieceStream]:
        """`path` measured, then converted into ASR pieces handed over as each is ready
        (`core.infra.audio.asr_pieces`)."""
        async with asr_pieces.asr_pieces(
            path,
            processes=self.processes,
            max_base64=self.caps.asr,
            piece_seconds=piece_seconds,
            max_seconds=max_seconds,
            workers=workers,
            compact_pauses=self.compact_pauses,
            encoding=self.asr_format,
        ) as stream:
            yield stream

    async def to_asr_pieces(
        self, path: Path, *, piece_seconds: float = 600, max_seconds: float | None = None
    ) -> list[AsrPiece]:
        """Every ASR piece of `path`, in order."""
        return await asr_pieces.to_asr_pieces(
            path,
            processes=self.processes,
            max_base64=self.caps.asr,
            piece_seconds=piece_seconds,
            max_seconds=max_seconds,
            compact_pauses=self.compact_pauses,
            encoding=self.asr_format,
        )

    async def to_voice_note(self, wav: bytes) -> VoiceNote:
        """A WAV (any rate) as an OGG/Opus voice note with its duration and waveform."""
        return await voice_note_encoding.to_voice_note(wav, processes=self.processes)

    async def voice_note_as_it_comes(
        self, samples: AsyncIterable[bytes], *, rate: int, longest: float
    ) -> VoiceNote:
        """PCM16LE mono `samples` at `rate` Hz as a voice note, encoded while they come."""
        return await voice_note_encoding.voice_note_as_it_comes(
            samples, rate=rate, longest=longest, processes=self.processes
        )

    def pcm_wav(self, pcm: bytes, sample_rate: int) -> bytes:
        """16-bit mono PCM as a WAV file (no ffmpeg: a header before the samples)."""
        return short_voice_notes.wav(pcm, sample_rate)

    async def join_wavs(self, wavs: list[bytes]) -> bytes:
        """One WAV of several, a short pause between them."""
        return await voice_note_encoding.join_wavs(wavs)

    async def to_speech_file(
        self, pieces: Sequence[tuple[str, bytes]], *, fmt: AudioFormat
    ) -> SpeechFile:
        """Speech pieces (text, WAV) joined in one file of `fmt` (ogg, mp3, wav), timed."""
        return await voice_note_encoding.to_speech_file(pieces, fmt=fmt, processes=self.processes)

    @asynccontextmanager
    async def understanding_input(
        self, path: Path, *, max_seconds: float
    ) -> AsyncIterator[UnderstandingAudio]:
        """`path` as a question about it sends it (`core.infra.audio.question_input`)."""
        async with question_input.understanding_input(
            path,
            processes=self.processes,
            max_seconds=max_seconds,
            max_base64=self.caps.understanding,
            compact_pauses=self.compact_pauses,
        ) as audio:
            yield audio

    async def wav_to_clone_sample(self, wav: bytes) -> tuple[bytes, str]:
        """A designed voice's WAV as a sample, the way clones keep theirs (MP3)."""
        return await voice_note_encoding.wav_to_clone_sample(wav, processes=self.processes)

    async def to_clone_sample(self, path: Path, *, max_seconds: float) -> tuple[bytes, str]:
        """The first `max_seconds` of `path` as a voice sample (MP3)."""
        return await voice_note_encoding.to_clone_sample(
            path,
            processes=self.processes,
            max_seconds=max_seconds,
            compact_pauses=self.compact_pauses,
        )
