"""The ports the service depends on. Real adapters: `core.mimo.MimoClient`, the `core.audio`
module and `core.storage.SqlAlchemyUnitOfWork`; tests hand in their own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Protocol

from core.domain.values import Answer, AsrPiece, Transcript, VoiceNote


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
        self, audio: bytes, *, mime: str, question: str, system: str | None = None
    ) -> Answer: ...


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

    async def to_understanding_input(
        self, path: Path, *, max_base64: int = 50 * 1024 * 1024
    ) -> tuple[bytes, str]: ...


class ChatApi(Protocol):
    """Plain text completions (summaries); `core.mimo.MimoClient.chat` is the real one."""

    async def chat(
        self, prompt: str, *, system: str | None = None, max_tokens: int | None = None
    ) -> Answer: ...
