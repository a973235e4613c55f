"""Waiting for what no stand-in signals (a request in the queue at the process's gate, a count a
fake keeps), by looking again every few milliseconds until it holds, with a generous limit as a
safety net: never a fixed sleep, and never a loop of `asyncio.sleep(0)`, which spins a core
while the awaited thing waits on a thread (SQLite's) or a process. Every test waits this way:
`until` is defined here alone.

    await until(lambda: len(call.heard) == 2, "two clips played")
    await until(lambda: mimo.requests, "a request to MiMo", 60)  # a longer safety net
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

EVERY = 0.005  # seconds between two looks


async def until(holds: Callable[[], object], what: str, timeout: float = 15.0) -> None:
    """Return once `holds()` is true; fail naming `what` after `timeout` seconds. The one way
    every test waits for a condition inside the bot or a fake (a count, a flag, a list grown)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not holds():
        assert asyncio.get_running_loop().time() < deadline, f"{what} did not happen in time"
        await asyncio.sleep(EVERY)
