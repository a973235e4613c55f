"""Recordings from the chat platforms: judged on what the platform declares, then fetched.

    declared    `check_declared`: a recording declared bigger than MAX_AUDIO_MB or longer than
                MAX_AUDIO_SECONDS is refused before anything else; the use cases then take
                their rate limit and reserve their quota on the declared length (`declared`),
                all before a byte is downloaded, so a refused request costs no download
    fetched     `fetched`: the file, downloaded into a temporary folder that lasts as long as
                the block (at most `max_downloads` at once in the process, the rest waiting
                their turn), or read in place when the platform has it on this machine; what it
                really holds is measured afterwards, and the checks run again on that

A file at hand (the command line, tests) is taken as it is, its size checked.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from core.domain.limits import RequestLimits
from core.ports import Downloader, Recording, RemoteRecording


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
        with tempfile.TemporaryDirectory(prefix="voicebridge-") as folder:
            path = Path(folder) / "recording"  # ffmpeg goes by the content, not the name
            await self._download(place, path)
            yield await self._checked(path)

    async def _checked(self, path: Path) -> Path:
        self._limits.check_audio_size((await asyncio.to_thread(path.stat)).st_size)
        return path

    async def _download(self, url: str, path: Path) -> None:
        if self._downloader is None:
            raise RuntimeError("these recordings were set up without a downloader")
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        try:
            await self._downloader.download(url, path, max_bytes=self._limits.max_audio_bytes)
        finally:
            self._slots.release()


def declared_seconds(recording: Recording) -> int:
    """The length a platform declares for `recording`, in whole seconds (0: none declared)."""
    seconds = recording.seconds if isinstance(recording, RemoteRecording) else None
    return round(seconds or 0)
