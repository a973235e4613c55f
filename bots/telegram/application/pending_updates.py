"""The Telegram updates the bot has accepted and not finished handling, bounded.

python-telegram-bot takes each update off its queue at once and handles it in a task of its own
(at most `MAX_CONCURRENT_UPDATES` at a time, the rest waiting for a slot: the Application is built
with it, `bots.telegram.application.update_filters`), so the queue's length says nothing about
the work piling up. What does is the count of updates put in and not yet done: PTB calls
`task_done()` as the handling of each one ends, however it ends. `UpdateQueue` has no room when
that count reaches its capacity (TELEGRAM_MAX_PENDING_UPDATES):

    webhook     `offer` raises `asyncio.QueueFull`; the webhook answers 503 and Telegram
                delivers the update again later (it retries whatever is not answered with 2xx)
    polling     `put` waits for room, so the poller stops fetching; what Telegram holds meanwhile
                stays with Telegram, unconfirmed

Before an update is queued it goes through `intake` (the claims' `receive`), which stores it:
Telegram hears that an update was received (the poller's next offset, the webhook's answer)
only once a kill can no longer lose it. `intake` says False for a second delivery, which is
dropped.

Before even that, the queue is told of each update the moment the bot has it (`arrived`), raw: a
whole `getUpdates` batch at once, before the first of it is stored, and a webhook's update as it is
POSTed. Inline mode supersedes a user's older query there (`bots.telegram.voices.inline_queries`),
however long the updates ahead of the newer one take to store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

__all__ = ["MAX_CONCURRENT_UPDATES", "UpdateQueue"]

MAX_CONCURRENT_UPDATES = 256  # updates handled at once (what `concurrent_updates(True)` allows)

Intake = Callable[[object], Awaitable[bool]]
Received = Callable[[Sequence[object]], None]  # raw updates (JSON objects), as they arrived


class UpdateQueue(asyncio.Queue[object]):
    """PTB's update queue, with no room while `capacity` updates are accepted and unfinished."""

    def __init__(self, capacity: int) -> None:
        super().__init__()  # unbounded underneath: the room is counted here, reserved first
        self.capacity = capacity
        self.unfinished = 0
        self._room = asyncio.Event()
        self.intake: Intake | None = None
        self.received: Received | None = None

    def arrived(self, updates: Sequence[object]) -> None:
        """The bot has just received `updates` (raw JSON objects), none of them stored or
        queued yet: tell `received`."""
        if self.received is not None:
            self.received(updates)

    def at_capacity(self) -> bool:
        """No room: `capacity` updates accepted and unfinished. (`full()` stays asyncio's,
        never true here, so that a reserved room can always take its update.)"""
        return self.unfinished >= self.capacity

    async def put(self, item: object) -> None:
        """Queue `item` once there is room and it is stored (the poller's way, PTB's when it
        stops, and the sweep's for an update redone)."""
        while self.at_capacity():
            self._room.clear()
            await self._room.wait()
        await self._admit(item)

    async def offer(self, item: object) -> None:
        """Queue `item` once it is stored, if there is room (the webhook's way); raises
        `asyncio.QueueFull` when there is none."""
        if self.at_capacity():
            raise asyncio.QueueFull
        await self._admit(item)

    def put_nowait(self, item: object) -> None:
        """Queue `item` unstored, if there is room (raises `asyncio.QueueFull` when there is
        none): only for what needs no storing."""
        if self.at_capacity():
            raise asyncio.QueueFull
        self.unfinished += 1
        super().put_nowait(item)

    def task_done(self) -> None:
        super().task_done()
        self._release()

    async def _admit(self, item: object) -> None:
        self.unfinished += 1  # its room, held while it is stored
        try:
            taken = self.intake is None or await self.intake(item)
        except BaseException:
            self._release()
            raise
        if taken:
            super().put_nowait(item)
        else:
            self._release()  # a second delivery: dropped

    def _release(self) -> None:
        self.unfinished -= 1
        self._room.set()
