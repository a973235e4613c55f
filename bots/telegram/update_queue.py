"""The Telegram updates the bot has accepted and not finished handling, bounded.

python-telegram-bot takes each update off its queue at once and handles it in a task of its own
(a few hundred at a time, the rest waiting for a turn), so the queue's length says nothing about
the work piling up. What does is the count of updates put in and not yet done: PTB calls
`task_done()` as the handling of each one ends, however it ends. `UpdateQueue` is full when that
count reaches its capacity (TELEGRAM_MAX_PENDING_UPDATES):

    webhook     `put_nowait` raises `asyncio.QueueFull`; the webhook answers 503 and Telegram
                delivers the update again later (it retries whatever is not answered with 2xx)
    polling     `put` waits for room, so the poller stops fetching; what Telegram holds meanwhile
                stays with Telegram, unconfirmed
"""

from __future__ import annotations

import asyncio


class UpdateQueue(asyncio.Queue[object]):
    """PTB's update queue, full while `capacity` updates are accepted and unfinished."""

    def __init__(self, capacity: int) -> None:
        super().__init__()
        self.capacity = capacity
        self.unfinished = 0
        self._room = asyncio.Event()

    def full(self) -> bool:
        return self.unfinished >= self.capacity

    async def put(self, item: object) -> None:
        """Queue `item` once there is room (the poller's way, and PTB's when it stops)."""
        while self.full():
            self._room.clear()
            await self._room.wait()
        self.put_nowait(item)

    def put_nowait(self, item: object) -> None:
        super().put_nowait(item)  # raises QueueFull when full
        self.unfinished += 1

    def task_done(self) -> None:
        super().task_done()
        self.unfinished -= 1
        self._room.set()
