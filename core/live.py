"""Status messages that follow long work: shown at once, edited as the work advances, never
more often than the platform allows, and handed back to the adapter to become the result.

    progress callbacks (sync, any rate)  ->  LiveStatus.update(text)
    LiveStatus                           ->  show(text): the adapter sends or edits one message,
                                             at most once per `min_interval`, latest text only
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from core.messages import text
from core.text import format_duration
from core.transcription import Progress

logger = logging.getLogger(__name__)

Show = Callable[[str], Awaitable[object]]


class LiveStatus:
    """Shows the latest of the texts it is given through `show`, skipping the ones that
    arrive faster than `min_interval` apart. A failing `show` is logged and skipped: a status
    line is a courtesy, the result still comes."""

    def __init__(
        self,
        show: Show,
        *,
        min_interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._show = show
        self._min_interval = min_interval
        self._clock = clock
        self._latest: str | None = None
        self._shown: str | None = None
        self._last_shown_at: float | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def shown(self) -> str | None:
        """The text on screen now, if any was shown."""
        return self._shown

    def update(self, status: str | None) -> None:
        """Show `status` soon (None: nothing new to show). Safe to call from sync callbacks."""
        if status is None or status == self._latest or self._closed:
            return
        self._latest = status
        self._wake.set()
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        """Stop showing updates; returns once a `show` under way has ended (it is never cut off
        halfway: a message sent but never known to be sent would stay in the chat) and the next
        `show` would not be too soon, so the adapter can turn the status into the result."""
        self._closed = True
        task, self._task = self._task, None
        if task is not None:
            self._wake.set()
            try:
                await asyncio.shield(task)
            finally:
                if not task.done():  # we were cancelled ourselves
                    task.cancel()
        await asyncio.sleep(self._wait_before_next())

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self._closed:
                return
            await asyncio.sleep(self._wait_before_next())
            latest = self._latest
            if self._closed:
                return
            if latest is None or latest == self._shown:
                continue
            try:
                await self._show(latest)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # flood control, a deleted message: the next one may pass
                logger.debug("status update not shown: %s", type(exc).__name__)
            else:
                self._shown = latest
            self._last_shown_at = self._clock()

    def _wait_before_next(self) -> float:
        if self._last_shown_at is None:
            return 0.0
        return max(0.0, self._last_shown_at + self._min_interval - self._clock())


def transcription_status(progress: Progress, *, piece_seconds: float) -> str | None:
    """What the status message says about a transcription in progress, or None when there is
    nothing worth a message yet.

    A recording of more than one piece gets "Transcribing 58:10…" at once and then
    "12:30 of 58:10 transcribed…" as pieces finish; a short one shows its text as it is heard.
    """
    if progress.heard is not None:
        heard = progress.heard.strip()
        return text("transcript.progress.heard", heard=heard) if heard else None
    if progress.total_seconds <= piece_seconds:
        return None  # short: its text is moments away
    total = format_duration(progress.total_seconds)
    if progress.part is None:
        return text("transcript.progress.start", total=total)
    return text("transcript.progress", done=format_duration(progress.done_seconds), total=total)
