"""What the use cases need of the speech provider: recognition, synthesis, audio understanding
(`SpeechApi`) and plain text completions (`ChatApi`). The real one is
`core.infra.mimo.MimoClient`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Protocol

from core.domain.shared_values import Answer, Transcript

__all__ = ["ChatApi", "SpeechApi"]


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

    def speak(
        self,
        text: str,
        *,
        voice: str | None = None,
        style: str | None = None,
        model: str | None = None,
        description: str | None = None,
    ) -> AsyncIterator[bytes]:
        """`text` spoken as `synthesize` speaks it, as PCM16LE mono at 24 kHz, slice by slice
        as it is made (one slice where it comes whole); a stream cut mid-way raises after the
        slices it gave."""
        ...

    async def understand_audio(
        self, audio: Path, *, mime: str, question: str, system: str | None = None
    ) -> Answer:
        """An answer to `question` about the recording in the file `audio` (sent as it is)."""
        ...

    async def understand_inline(
        self,
        audio: bytes,
        *,
        mime: str,
        question: str,
        system: str | None = None,
        max_tokens: int | None = None,
    ) -> Answer:
        """`understand_audio` for a few seconds of `audio` held in memory, sent inline."""
        ...


class ChatApi(Protocol):
    """Plain text completions (summaries); `core.infra.mimo.MimoClient.chat` is the real one."""

    async def chat(
        self, prompt: str, *, system: str | None = None, max_tokens: int | None = None
    ) -> Answer: ...
