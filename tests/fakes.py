"""In-memory stand-ins for the service's ports, for fast service tests.

Integration tests use the real adapters against loopback servers instead (tests/standins).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import Self

from core.domain import Answer, AsrPiece, ChatRef, Preferences, Transcript, VoiceNote


class FakePreferences:
    def __init__(self, rows: dict[ChatRef, Preferences]) -> None:
        self.rows = rows

    async def get(self, chat: ChatRef) -> Preferences:
        return self.rows.get(chat, Preferences())

    async def find(self, chat: ChatRef) -> Preferences | None:
        return self.rows.get(chat)

    async def save(self, chat: ChatRef, prefs: Preferences) -> None:
        self.rows[chat] = prefs

    async def delete(self, chat: ChatRef) -> None:
        self.rows.pop(chat, None)


class FakeUnitOfWork:
    """Changes land in `committed` only on commit, like a real transaction."""

    def __init__(self, committed: dict[ChatRef, Preferences]) -> None:
        self.committed = committed
        self.preferences = FakePreferences(dict(committed))

    async def __aenter__(self) -> Self:
        self.preferences = FakePreferences(dict(self.committed))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        self.committed.clear()
        self.committed.update(self.preferences.rows)


class FakeSpeech:
    def __init__(self) -> None:
        self.transcribed: list[tuple[bytes, str, str]] = []
        self.synthesized: list[dict[str, str | None]] = []
        self.asked: list[tuple[bytes, str, str]] = []

    async def transcribe(self, audio: bytes, *, mime: str, language: str = "auto") -> Transcript:
        self.transcribed.append((audio, mime, language))
        return Transcript(text=f"text of {audio.decode()}", duration=1.0)

    async def synthesize(
        self,
        text: str,
        *,
        voice: str | None = None,
        style: str | None = None,
        model: str | None = None,
    ) -> bytes:
        self.synthesized.append({"text": text, "voice": voice, "style": style, "model": model})
        return b"RIFF-fake-wav"

    async def understand_audio(
        self, audio: bytes, *, mime: str, question: str, system: str | None = None
    ) -> Answer:
        self.asked.append((audio, mime, question))
        return Answer(text=f"answer to {question}")


class FakePieceStream:
    def __init__(self, pieces: list[AsrPiece]) -> None:
        self.pieces = pieces
        self.duration = sum(piece.duration for piece in pieces)

    async def __aiter__(self) -> AsyncIterator[AsrPiece]:
        for piece in self.pieces:
            yield piece


class FakeAudio:
    """Cuts 'audio' (the file's text) into pieces of `piece` characters."""

    def __init__(self, piece: int = 4) -> None:
        self.piece = piece

    @asynccontextmanager
    async def asr_pieces(
        self, path: Path, *, piece_seconds: float, max_seconds: float | None
    ) -> AsyncIterator[FakePieceStream]:
        data = path.read_bytes()
        chunks = [data[i : i + self.piece] for i in range(0, len(data), self.piece)]
        yield FakePieceStream(
            [
                AsrPiece(data=c, mime="audio/mpeg", offset=float(i), duration=1.0)
                for i, c in enumerate(chunks)
            ]
        )

    async def to_voice_note(self, wav: bytes) -> VoiceNote:
        return VoiceNote(data=b"OggS" + wav, duration=2.0)

    async def join_wavs(self, wavs: list[bytes]) -> bytes:
        return b"+".join(wavs)

    async def to_understanding_input(
        self, path: Path, *, max_base64: int = 50 * 1024 * 1024
    ) -> tuple[bytes, str]:
        return path.read_bytes(), "audio/ogg"
