"""`HttpDownloads`: recordings fetched from the chat platforms' file servers (Telegram's
/file/bot<token>/..., Discord's CDN) through the application's one httpx client.

The body streams to disk in chunks as it arrives, so memory holds one chunk however big the file,
and each chunk is written in a worker thread, never on the event loop. A body longer than the
limit stops the download there, whatever size the platform declared (the caller, measuring the
file, refuses it). The URLs are never logged:
Telegram's carries the bot token (httpx, which logs every URL, is kept at WARNING by
`core.infra.log_redaction`, and its lines are redacted anyway).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import BinaryIO

import httpx

__all__ = ["CHUNK_BYTES", "DownloadFailed", "HttpDownloads"]

CHUNK_BYTES = 512 * 1024
TIMEOUT = httpx.Timeout(30.0)  # each connect, read or write; a long download is many reads


class DownloadFailed(Exception):
    """The file server did not hand the file over (gone, expired, unreachable). Its message
    names the status or the error, never the URL."""


class HttpDownloads:
    """The real `core.ports.Downloader`. Shares the application's client; never closes it."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    @asynccontextmanager
    async def downloaded(self, url: str, *, max_bytes: int) -> AsyncIterator[Path]:
        """The file at `url`, in a temporary folder of its own for as long as the block lasts
        (see `download`)."""
        with tempfile.TemporaryDirectory(prefix="voicebridge-") as folder:
            path = Path(folder) / "recording"  # ffmpeg goes by the content, not the name
            await self.download(url, path, max_bytes=max_bytes)
            yield path

    async def download(self, url: str, to: Path, *, max_bytes: int) -> None:
        """Stream `url` into the new file `to`, stopping once it holds more than `max_bytes`."""
        file = await asyncio.to_thread(to.open, "xb")
        try:
            await self._stream(url, file, max_bytes)
        finally:
            await asyncio.to_thread(file.close)

    async def _stream(self, url: str, file: BinaryIO, max_bytes: int) -> None:
        try:
            async with self._http.stream("GET", url, timeout=TIMEOUT) as response:
                if response.status_code != httpx.codes.OK:
                    raise DownloadFailed(f"the file server answered {response.status_code}")
                received = 0
                async for chunk in response.aiter_bytes(CHUNK_BYTES):
                    await asyncio.to_thread(file.write, chunk)
                    received += len(chunk)
                    if received > max_bytes:
                        return
        except httpx.HTTPError as exc:
            # Not chained: some httpx errors quote the request, and so its URL.
            raise DownloadFailed(f"the download failed: {type(exc).__name__}") from None
