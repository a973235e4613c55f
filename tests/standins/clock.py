"""ManualClock: time that moves only when the test says so.

The scheduler sleeps on it between rounds; `advance` moves time forward and returns once every
sleeper that became due has done its round and gone back to sleep. So "at 18:00 the digest is
posted" is tested by advancing past 18:00, with no real waiting and no timing in the assertions.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta


class ManualClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)
        self._changed = asyncio.Condition()
        self._sleepers: list[datetime] = []

    def now(self) -> datetime:
        return self._now

    async def sleep(self, seconds: float) -> None:
        wake = self._now + timedelta(seconds=seconds)
        async with self._changed:
            self._sleepers.append(wake)
            self._changed.notify_all()
            try:
                await self._changed.wait_for(lambda: self._now >= wake)
            finally:
                self._sleepers.remove(wake)
                # Whoever waits for the clock to settle looks again: on Python 3.12 and later
                # `asyncio.wait_for` runs `settled` at once, before the woken sleepers leave.
                self._changed.notify_all()

    @property
    def sleeping(self) -> int:
        """How many wait on the clock now."""
        return len(self._sleepers)

    async def advance(self, delta: timedelta, *, timeout: float = 15.0) -> None:
        """Move time forward by `delta`, then wait until the sleepers have caught up."""
        async with self._changed:
            self._now += delta
            self._changed.notify_all()
        await asyncio.wait_for(self.settled(), timeout)

    async def settled(self) -> None:
        """Return once someone sleeps and nobody's wake-up time has passed."""

        def idle() -> bool:
            return bool(self._sleepers) and all(wake > self._now for wake in self._sleepers)

        async with self._changed:
            await self._changed.wait_for(idle)
