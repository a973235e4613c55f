"""What the use cases need of audio: ASR pieces, voice notes, speech files and the input of
audio understanding (`AudioConverter`, real one `core.infra.audio.ffmpeg_converter.FfmpegAudio`),
each within what one speech request carries (`AudioCaps`), and the recordings the platforms hold
(`RemoteRecording`, fetched by a `Downloader`)."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from core.domain.memory.search_rules import Said
from core.domain.recordings.transcript_values import AudioFormat, SpeechFile
from core.domain.shared_values import AsrPiece, VoiceNote

__all__ = [
    "AudioCaps",
    "AudioConverter",
    "Downloader",
    "PieceStream",
    "ProcessSlots",
    "Recording",
    "RemoteRecording",
    "SampleConverter",
    "UnderstandingAudio",
]


class PieceStream(Protocol):
    """A recording's ASR pieces as they become ready (possibly out of order: each has its
    offset); `duration` is known before the first piece."""

    @property
    def duration(self) -> float: ...

    def __aiter__(self) -> AsyncIterator[AsrPiece]: ...


class AudioConverter(Protocol):
    def asr_pieces(
        self, path: Path, *, piece_seconds: float, max_seconds: float | None
    ) -> AbstractAsyncContextManager[PieceStream]: ...

    async def to_voice_note(self, wav: bytes) -> VoiceNote: ...

    async def voice_note_as_it_comes(
        self, samples: AsyncIterable[bytes], *, rate: int, longest: float
    ) -> VoiceNote:
        """PCM16LE mono `samples` at `rate` Hz (lasting at most `longest` seconds) as a voice
        note, encoded while they come; raises what their iteration raises."""
        ...

    def pcm_wav(self, pcm: bytes, sample_rate: int) -> bytes:
        """16-bit mono PCM as a WAV file."""
        ...

    async def join_wavs(self, wavs: list[bytes]) -> bytes: ...

    async def to_speech_file(
        self, pieces: Sequence[tuple[str, bytes]], *, fmt: AudioFormat
    ) -> SpeechFile:
        """Each piece's WAV after the other, as `join_wavs` joins them, in one file of `fmt`;
        each piece's text timed where it is heard."""
        ...

    def understanding_input(
        self, path: Path, *, max_seconds: float
    ) -> AbstractAsyncContextManager[UnderstandingAudio]:
        """`path` as one question about it carries it: within the speech adapter's cap
        (`AudioCaps.understanding`), else refused."""
        ...


@dataclass(frozen=True)
class AudioCaps:
    """How much audio one request to the speech adapter carries, in characters of base64: a
    recognition piece (`asr`), a recording asked about (`understanding`). The speech adapter
    states its own (the real one: `core.infra.mimo.MIMO_AUDIO_CAPS`) and refuses more; the
    composition root hands them to the audio adapter, which cuts and converts to stay under."""

    asr: int
    understanding: int


@dataclass(frozen=True)
class UnderstandingAudio:
    """A recording as audio understanding takes it: a file (the recording itself, or an MP3 of
    it) that lasts as long as its block, its MIME type, and its measured length."""

    path: Path
    mime: str
    seconds: float


@dataclass(frozen=True)
class RemoteRecording:
    """A recording a chat platform holds, as the platform declares it before any of it is
    fetched: its size in bytes and its length in seconds (None: not declared, and either may
    lie), and how to find it: `locate` answers with a URL to download, or with a file on this
    machine (a local Bot API server's). `identity` is the platform's lasting id of the file
    (Telegram's `file_unique_id`, a Discord attachment's id): its transcript is kept under it;
    `said`: the message that carried it, who sent it and when, kept with it for `/find`."""

    locate: Callable[[], Awaitable[str | Path]]
    size: int | None = None
    seconds: float | None = None
    identity: str | None = None
    said: Said | None = None


Recording = Path | RemoteRecording
"""What the use cases take: a file at hand (the command line, tests), or a platform's."""


class ProcessSlots(Protocol):
    """The process's ffmpeg budget (FFMPEG_MAX_PROCESSES), for ffmpeg that others start (the
    Discord adapter's playback): which ffmpeg to run, and a slot to hold while it runs."""

    @property
    def executable(self) -> str: ...

    def slot(self) -> AbstractAsyncContextManager[None]: ...


class Downloader(Protocol):
    def downloaded(self, url: str, *, max_bytes: int) -> AbstractAsyncContextManager[Path]:
        """`async with downloaded(url, max_bytes=...) as path`: `url` streamed into a new file
        in a temporary folder of its own, never whole in memory, stopping once it holds more
        than `max_bytes`; the folder goes when the block ends. The URL may carry a secret (a
        bot token): it is never logged."""
        ...


class SampleConverter(Protocol):
    """What the chat's own voices need of the audio adapter: a clone's sample, a design's
    sample as a voice note."""

    async def to_clone_sample(self, path: Path, *, max_seconds: float) -> tuple[bytes, str]: ...

    async def wav_to_clone_sample(self, wav: bytes) -> tuple[bytes, str]: ...

    async def to_voice_note(self, wav: bytes) -> VoiceNote: ...
