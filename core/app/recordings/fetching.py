"""Recordings from the chat platforms: judged on what the platform declares, then fetched.

    declared    `check_declared`: a recording declared bigger than MAX_AUDIO_MB or longer than
                MAX_AUDIO_SECONDS is refused before anything else; the use cases then take
                their rate limit and reserve their quota on the declared length (`declared`),
                all before a byte is downloaded, so a refused request costs no download
    fetched     `fetched`: the file, downloaded (by the `Downloader`, into a temporary folder of
                its own) for as long as the block lasts, at most `max_downloads` at once in the
                process, the rest waiting for a slot; or read in place when the platform has it
                on this machine. What it really holds is measured afterwards, and the checks
                run again on that

A file at hand (the command line, tests) is taken as it is, its size checked.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from core.domain.limits import RequestLimits
from core.ports import Downloader, Recording, RemoteRecording

__all__ = ["Recordings", "declared_seconds"]


class Recordings:
    """The recordings of one process (see the module docstring); `downloader` None: files at
    hand only."""

    def __init__(self, *, downloader: Downloader | None, limits: RequestLimits) -> None:
        self._downloader = downloader
        self._limits = limits
        self._slots = asyncio.Semaphore(limits.max_downloads)
        self.waiting = 0  # downloads queued for a slot (`/metrics`)

    def check_declared(self, recording: Recording) -> None:
        """Refuse what the platform declares too big or too long, before anything else."""
        if isinstance(recording, RemoteRecording):
            self._limits.check_audio_size(recording.size)
            self._limits.check_declared_length(recording.seconds)

    @asynccontextmanager
    async def fetched(self, recording: Recording) -> AsyncIterator[Path]:
        """`recording` as a file for as long as the block runs, refused if the file itself is
        over MAX_AUDIO_MB (a download stops just past it, whatever was declared)."""
        place = recording if isinstance(recording, Path) else await recording.locate()
        if isinstance(place, Path):  # on this machine already: read in place, no copy
            yield await self._checked(place)
            return
        async with AsyncExitStack() as held:
            yield await self._checked(await self._download(place, held))

    async def _checked(self, path: Path) -> Path:
        self._limits.check_audio_size((await asyncio.to_thread(path.stat)).st_size)
        return path

    async def _download(self, url: str, held: AsyncExitStack) -> Path:
        """The downloaded file, on disk until `held` closes; a slot is taken while it downloads."""
        if self._downloader is None:
            raise RuntimeError("these recordings were set up without a downloader")
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        try:
            download = self._downloader.downloaded(url, max_bytes=self._limits.max_audio_bytes)
            return await held.enter_async_context(download)
        finally:
            self._slots.release()


def declared_seconds(recording: Recording) -> int:
    """The length a platform declares for `recording`, in whole seconds (0: none declared)."""
    seconds = recording.seconds if isinstance(recording, RemoteRecording) else None
    return round(seconds or 0)
