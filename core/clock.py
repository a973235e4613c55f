"""Time, as a port: the summaries, the digest scheduler and retention all ask a `Clock`.

Tests hand in a manual clock and move it forward instead of sleeping, so "the digest fires at
18:00" and "messages older than 7 days are deleted" are tested without waiting for either.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait until `seconds` of this clock's time have passed."""
        ...


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
