"""Background loops that do a round of work, pause, and do it again, and stop between rounds.

A round usually talks to the database. Cancelling it inside a transaction makes SQLAlchemy
return the connection from a cancelled task, which it reports as an error ("Exception during
reset or similar") at every stop that comes at the wrong moment. So a stop cancels the loop only
while it pauses (or before it began); a round already under way is finished first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from core.ports import background


@contextlib.asynccontextmanager
async def in_rounds(
    round_: Callable[[], Awaitable[None]],
    pause: Callable[[], Awaitable[None]],
    *,
    name: str,
    pause_first: bool = False,
) -> AsyncIterator[None]:
    """Run `round_`, `pause`, `round_`, ... (or `pause` first) for as long as the block lasts.
    `round_` handles its own failures: one that escapes ends the loop, and is raised here."""
    in_round = False
    stopping = False

    async def loop() -> None:
        nonlocal in_round
        if pause_first:
            await pause()
        while not stopping:
            in_round = True
            try:
                await round_()
            finally:
                in_round = False
            if not stopping:
                await pause()

    task = background.start(loop(), name=name)
    try:
        yield
    finally:
        stopping = True
        if not in_round:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
