"""JSON request bodies that carry a whole recording as base64, streamed from its file or bytes.

A question about a 50 MB recording built as one JSON body would hold it several times over on
the event loop: the bytes, their base64, the data URL, the serialised JSON and the request's
bytes. Streamed, the body is the JSON before the audio, the audio's base64 read and encoded a
chunk at a time in a worker thread, and the JSON after it; httpx sends it as it comes, with its
length given up front (Content-Length, not chunked: not every gateway takes chunked bodies).

A recording's piece (`BytesAudio`, up to 7.5 MB) is streamed the same way from the bytes the
caller holds: eight pieces in flight would otherwise hold their base64 three or four times over
(the string, the data URL, the JSON, the request), tens of MB at once.

Each attempt (a retry) iterates the body afresh, reading the file again.

The body names the audio by a data URL around its placeholder (`data_url`), and MiMo takes at
most so much base64 in one request (`MIMO_AUDIO_CAPS`): audio over it, or none at all, is refused
before anything is sent (`check_audio_size`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from uuid import uuid4

from core.domain.errors import AudioTooLarge, EmptyAudio
from core.domain.quantities import Megabytes
from core.ports import AudioCaps

__all__ = [
    "MIMO_AUDIO_CAPS",
    "BytesAudio",
    "FileAudio",
    "StreamedJson",
    "check_audio_size",
    "data_url",
]

# What MiMo takes in one request, as base64 audio: speech recognition, and audio understanding.
# This client refuses anything bigger; the audio adapter, given these by the composition root,
# cuts and converts to stay under. MiMo's MB are decimal: 10 MB is 10,000,000 characters of
# base64, not 10 MiB.
MIMO_AUDIO_CAPS = AudioCaps(asr=10_000_000, understanding=50_000_000)
# A multiple of 3, so that the base64 of each chunk joins the next without padding.
CHUNK_BYTES = 3 * 256 * 1024


def check_audio_size(size: int, base64_limit: int) -> None:
    """Refuse, before sending, audio of no bytes or whose base64 is over `base64_limit`."""
    if not size:
        raise EmptyAudio("no audio bytes to send")
    if 4 * ((size + 2) // 3) > base64_limit:
        limit_mb = base64_limit * 3 / 4 / 1_000_000  # MiMo's MB are decimal
        raise AudioTooLarge(
            f"over MiMo's {limit_mb:.1f} MB audio limit", limit=Megabytes(round(limit_mb, 1))
        )


def data_url(mime: str, encoded: str) -> str:
    return f"data:{mime};base64,{encoded}"


@dataclass(frozen=True)
class FileAudio:
    """A recording sent as base64 inside a JSON body: the body holds `placeholder` where the
    base64 goes (a string no text of the body contains: it is made fresh for each request)."""

    path: Path
    placeholder: str = field(default_factory=lambda: f"audio-{uuid4().hex}")

    async def size(self) -> int:
        return (await asyncio.to_thread(self.path.stat)).st_size

    async def encoded(self) -> AsyncIterator[bytes]:
        """Its base64, a chunk at a time, read in a worker thread."""
        file = await asyncio.to_thread(self.path.open, "rb")
        try:
            while encoded := await asyncio.to_thread(_read_encoded, file):
                yield encoded
        finally:
            await asyncio.to_thread(file.close)


@dataclass(frozen=True)
class BytesAudio:
    """Audio already in memory, sent as base64 inside a JSON body, like `FileAudio`."""

    data: bytes
    placeholder: str = field(default_factory=lambda: f"audio-{uuid4().hex}")

    async def size(self) -> int:
        return len(self.data)

    async def encoded(self) -> AsyncIterator[bytes]:
        """Its base64, a chunk at a time."""
        data = memoryview(self.data)
        for start in range(0, len(data), CHUNK_BYTES):
            yield base64.b64encode(data[start : start + CHUNK_BYTES])


@dataclass(frozen=True)
class StreamedJson:
    """`body` with `audio`'s base64 in place of its placeholder, ready to send."""

    head: bytes
    audio: FileAudio | BytesAudio
    audio_bytes: int
    tail: bytes

    @classmethod
    async def of(cls, body: dict[str, Any], audio: FileAudio | BytesAudio) -> StreamedJson:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        head, found, tail = text.partition(audio.placeholder)
        if not found:
            raise ValueError("the body does not hold the audio's placeholder")
        return cls(head.encode(), audio, await audio.size(), tail.encode())

    @property
    def length(self) -> int:
        return len(self.head) + 4 * math.ceil(self.audio_bytes / 3) + len(self.tail)

    def headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", "Content-Length": str(self.length)}

    async def chunks(self) -> AsyncIterator[bytes]:
        yield self.head
        async for encoded in self.audio.encoded():
            yield encoded
        yield self.tail


def _read_encoded(file: BinaryIO) -> bytes:
    return base64.b64encode(file.read(CHUNK_BYTES))
