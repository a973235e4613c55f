"""The tests' ManualClock: `advance` returns once the sleepers it passed have woken."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tests.standins.clock import ManualClock


async def test_advancing_past_one_sleeper_settles_beside_one_still_asleep() -> None:
    """On Python 3.12 and later `advance` looked at its sleepers before the woken one had left,
    and nothing told it when that one did: it waited its whole timeout (CI, 29 November)."""
    clock = ManualClock()
    woken = asyncio.Event()

    async def pause() -> None:
        await clock.sleep(5)
        woken.set()

    scheduler = asyncio.create_task(clock.sleep(3600))
    short = asyncio.create_task(pause())
    while clock.sleeping < 2:
        await asyncio.sleep(0)
    await clock.advance(timedelta(seconds=6), timeout=5)
    assert woken.is_set() and clock.sleeping == 1
    scheduler.cancel()
    await asyncio.gather(short, scheduler, return_exceptions=True)
