"""Every port: what the use cases need from the world, as protocols. Real adapters, in
`core.infra`: `MimoClient` (speech and chat), `FfmpegAudio` (conversions), `HttpDownloads`
(recordings from the platforms), `SqlAlchemyUnitOfWork` (storage) and `PrometheusMetrics`; the
system clock and metrics that count nothing are simple enough to live here. Tests hand in their
own.

Storage is one unit of work per use case:

    async with uow:
        prefs = await uow.preferences.get(chat)
        await uow.preferences.save(chat, replace(prefs, voice="Mia"))
        await uow.commit()

Leaving the block without `commit()` rolls everything back. Each use case asks for the stores it
needs (`WorkUnitOfWork`: the claims; `UsageUnitOfWork`: the limits' counts; ...).

Time is a `Clock`: the summaries, the digest scheduler and retention all ask it. Tests hand in a
manual clock and move it forward instead of sleeping, so "the digest fires at 18:00" and
"messages older than 7 days are deleted" are tested without waiting for either.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Literal, Protocol, Self

from core.domain.claims import Claim, ClaimState
from core.domain.limits import Counts
from core.domain.summaries import ChatMessage, SummaryState
from core.domain.transcripts import AudioFormat, SpeechFile
from core.domain.values import (
    Answer,
    AsrPiece,
    ChatRef,
    ChatVoice,
    Platform,
    Preferences,
    Transcript,
    VoiceNote,
)

# What MiMo takes in one request, as base64 audio: speech recognition, and audio understanding.
# The MiMo adapter refuses anything bigger; the audio adapter cuts and converts to stay under.
ASR_MAX_BASE64 = 10 * 1024 * 1024
UNDERSTANDING_MAX_BASE64 = 50 * 1024 * 1024


class SpeechApi(Protocol):
    async def transcribe(
        self,
        audio: bytes,
        *,
        mime: str,
        language: str = "auto",
        on_text: Callable[[str], None] | None = None,
    ) -> Transcript:
        """The text spoken in one wav/mp3 piece; with `on_text`, recognised in streaming mode
        and `on_text` hears the text so far as it grows."""
        ...

    async def synthesize(
        self,
        text: str,
        *,
        voice: str | None = None,
        style: str | None = None,
        model: str | None = None,
        description: str | None = None,
    ) -> bytes:
        """A WAV of `text`; `description` describes the voice to a voicedesign `model`."""
        ...

    async def understand_audio(
        self, audio: Path, *, mime: str, question: str, system: str | None = None
    ) -> Answer:
        """An answer to `question` about the recording in the file `audio` (sent as it is)."""
        ...


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

    async def join_wavs(self, wavs: list[bytes]) -> bytes: ...

    async def to_speech_file(
        self, pieces: Sequence[tuple[str, bytes]], *, fmt: AudioFormat
    ) -> SpeechFile:
        """Each piece's WAV after the other, as `join_wavs` joins them, in one file of `fmt`;
        each piece's text timed where it is heard."""
        ...

    def understanding_input(
        self, path: Path, *, max_seconds: float, max_base64: int = UNDERSTANDING_MAX_BASE64
    ) -> AbstractAsyncContextManager[UnderstandingAudio]: ...


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
    machine (a local Bot API server's)."""

    locate: Callable[[], Awaitable[str | Path]]
    size: int | None = None
    seconds: float | None = None


Recording = Path | RemoteRecording
"""What the use cases take: a file at hand (the command line, tests), or a platform's."""


class Downloader(Protocol):
    async def download(self, url: str, to: Path, *, max_bytes: int) -> None:
        """Stream `url` into the new file `to`, never whole in memory, stopping once it holds
        more than `max_bytes`. The URL may carry a secret (a bot token): it is never logged."""
        ...


class SampleConverter(Protocol):
    """What the chat's own voices need of the audio adapter: a clone's sample, a design's
    sample as a voice note."""

    async def to_clone_sample(self, path: Path, *, max_seconds: float) -> tuple[bytes, str]: ...

    async def to_voice_note(self, wav: bytes) -> VoiceNote: ...


class ChatApi(Protocol):
    """Plain text completions (summaries); `core.infra.mimo.MimoClient.chat` is the real one."""

    async def chat(
        self, prompt: str, *, system: str | None = None, max_tokens: int | None = None
    ) -> Answer: ...


Capability = Literal["transcribe", "say", "ask", "summary"]
CAPABILITIES: tuple[Capability, ...] = ("transcribe", "say", "ask", "summary")


class Metrics(Protocol):
    """What the bot did, for `/metrics` (`core.infra.metrics.PrometheusMetrics`): requests of
    each capability and how they ended, audio heard, MiMo calls and how they failed."""

    def request(self, capability: Capability) -> AbstractContextManager[None]:
        """Count one request of `capability` and how it ended, while it is in progress."""
        ...

    def transcribed(self, seconds: float) -> None:
        """`seconds` of audio were transcribed."""
        ...

    def mimo_call(self) -> AbstractContextManager[None]:
        """Time one MiMo call (all its attempts) and count how it failed, if it did."""
        ...


class NoMetrics:
    """Metrics that count nothing: for parts built without a runtime (unit tests, the command
    line)."""

    def request(self, capability: Capability) -> AbstractContextManager[None]:
        return nullcontext()

    def transcribed(self, seconds: float) -> None:
        return None

    def mimo_call(self) -> AbstractContextManager[None]:
        return nullcontext()


NO_METRICS: Metrics = NoMetrics()


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait until `seconds` of this clock's time have passed."""
        ...


class SystemClock:
    """The machine's clock, in UTC: the real `Clock`. The standard library is all it needs, so it
    lives beside its port, where a use case built without a clock (`Limiter.off()`) finds it."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


# Storage


class PreferencesStore(Protocol):
    """Preferences per chat; a missing chat reads as the defaults."""

    async def get(self, chat: ChatRef) -> Preferences: ...

    async def find(self, chat: ChatRef) -> Preferences | None:
        """The chat's stored preferences, or None when it has no row of its own."""
        ...

    async def save(self, chat: ChatRef, prefs: Preferences) -> None: ...

    async def note_commander_language(self, chat: ChatRef, locale: str) -> None:
        """Store only the last commander's language (a chat without a row gets one with the
        defaults): it is written while the command itself may change other preferences."""
        ...

    async def delete(self, chat: ChatRef) -> None: ...


class UnitOfWork(Protocol):
    # Read-only properties rather than plain attributes, so an implementation may expose a more
    # specific repository type (protocol attributes would have to match exactly).
    @property
    def preferences(self) -> PreferencesStore: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class ChatLogStore(Protocol):
    """Stored messages for summaries; every call is scoped to one chat except retention."""

    async def add(self, message: ChatMessage) -> None: ...

    async def recent(
        self, chat: ChatRef, *, after: datetime | None = None, limit: int
    ) -> list[ChatMessage]: ...

    async def count(self, chat: ChatRef) -> int: ...

    async def delete_chat(self, chat: ChatRef) -> int: ...

    async def delete_sent_before(self, cutoff: datetime) -> int: ...


class SummaryStateStore(Protocol):
    async def get(self, chat: ChatRef) -> SummaryState: ...

    async def save(self, chat: ChatRef, state: SummaryState) -> None: ...

    async def mark_summarised(self, chat: ChatRef, at: datetime) -> None: ...

    async def delete(self, chat: ChatRef) -> None: ...

    async def due(
        self, platforms: Iterable[Platform], now: datetime, *, limit: int = 100
    ) -> list[tuple[ChatRef, datetime]]: ...

    async def claim_digest(
        self, chat: ChatRef, due: datetime, next_at: datetime | None
    ) -> bool: ...


class SummaryUnitOfWork(UnitOfWork, Protocol):
    """What the summary use cases need: preferences plus the chat log and summary state."""

    @property
    def chat_log(self) -> ChatLogStore: ...

    @property
    def summary_states(self) -> SummaryStateStore: ...

    @property
    def usage(self) -> UsageStore:
        """For `/forget`, which deletes the chat's usage of earlier days too."""
        ...

    @property
    def voices(self) -> VoiceStore:
        """For `/forget`, which deletes the chat's own voices and samples too."""
        ...


class ChatLogUnitOfWork(UnitOfWork, Protocol):
    """What the chat log's retention purge (`core.app.retention`) needs."""

    @property
    def chat_log(self) -> ChatLogStore: ...


class ProcessedUpdateStore(Protocol):
    """Claims on incoming work (`core.app.claims`)."""

    async def claim(self, claim: Claim, *, instance: str, at: datetime) -> bool: ...

    async def finish(self, claim: Claim, state: ClaimState, *, at: datetime) -> bool: ...

    async def unfinished(self, platform: Platform, instance: str) -> list[Claim]: ...

    async def state(self, claim: Claim) -> ClaimState | None: ...

    async def delete_claimed_before(self, cutoff: datetime) -> int: ...


class WorkUnitOfWork(UnitOfWork, Protocol):
    """What `core.app.claims.WorkLedger` needs: the claims."""

    @property
    def processed(self) -> ProcessedUpdateStore: ...


class UsageStore(Protocol):
    """The limits' state (`core.app.limits`): requests per minute window, usage per chat and day."""

    async def hit(self, platform: str, subject: str, window: datetime) -> int: ...

    async def tell(self, platform: str, subject: str, window: datetime) -> bool: ...

    async def delete_windows_before(self, cutoff: datetime) -> int: ...

    async def day(self, chat: ChatRef, day: date) -> Counts: ...

    async def reserve(self, chat: ChatRef, day: date, amounts: Counts, limits: Counts) -> bool: ...

    async def add(self, chat: ChatRef, day: date, amounts: Counts) -> None: ...

    async def tell_today(self, chat: ChatRef, day: date) -> bool: ...

    async def delete_days_before(self, cutoff: date) -> int: ...

    async def delete_chat(self, chat: ChatRef, *, today: date) -> None: ...


class UsageUnitOfWork(UnitOfWork, Protocol):
    """What `core.app.limits.Limiter` needs: the usage store."""

    @property
    def usage(self) -> UsageStore: ...


class VoiceStore(Protocol):
    """A chat's own voices (`core.app.voices`); names match whatever their case."""

    async def in_chat(self, chat: ChatRef) -> list[ChatVoice]: ...

    async def find(self, chat: ChatRef, name: str) -> ChatVoice | None: ...

    async def add(self, chat: ChatRef, voice: ChatVoice) -> bool: ...

    async def delete(self, chat: ChatRef, name: str) -> bool: ...

    async def delete_chat(self, chat: ChatRef) -> int: ...


class VoiceUnitOfWork(UnitOfWork, Protocol):
    """What `core.app.voices` needs: preferences (the chosen voice) and the chat's voices."""

    @property
    def voices(self) -> VoiceStore: ...
