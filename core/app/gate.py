"""The speech requests in flight: at most so many across all chats, and fewer for any one chat;
live captions first when every slot is taken."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from core.domain.values import ChatRef


@dataclass
class _ChatSlots:
    slots: asyncio.Semaphore
    users: int = 0  # holding or waiting


class RequestGate:
    """At most `total` speech requests in flight across all chats, and at most `per_chat` for
    any one chat, so that one long recording cannot hold every slot. A chat waits for a slot of
    its own before it queues for a shared one. A request asked `first` (a live caption, whose
    words someone is waiting to read) takes the next shared slot ahead of every other waiting:
    a burst of voice notes never starves a listened call, and the calls never exceed `total`."""

    def __init__(self, *, total: int, per_chat: int) -> None:
        if total < 1 or per_chat < 1:
            raise ValueError("request limits must be at least 1")
        self._free = total
        self._queues: tuple[deque[asyncio.Future[None]], ...] = (deque(), deque())  # first, rest
        self._per_chat = per_chat
        self._chats: dict[ChatRef, _ChatSlots] = {}
        self.waiting = 0  # requests queued for a slot, of either kind (`/metrics`)

    async def acquire(self, chat: ChatRef, *, first: bool = False) -> None:
        own = self._chats.setdefault(chat, _ChatSlots(asyncio.Semaphore(self._per_chat)))
        own.users += 1
        self.waiting += 1
        try:
            await own.slots.acquire()
            try:
                await self._shared(first)
            except BaseException:
                own.slots.release()
                raise
        except BaseException:
            self._forget(chat)
            raise
        finally:
            self.waiting -= 1

    def release(self, chat: ChatRef) -> None:
        self._give()
        self._chats[chat].slots.release()
        self._forget(chat)

    async def _shared(self, first: bool) -> None:
        """A shared slot: at once when one is free and nobody waits ahead; else in turn, those
        asked `first` ahead of the rest."""
        ahead = self._queues[0] if first else (*self._queues[0], *self._queues[1])
        if self._free > 0 and not ahead:
            self._free -= 1
            return
        queue = self._queues[0 if first else 1]
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue.append(turn)
        try:
            await turn
        except BaseException:
            if turn.done() and not turn.cancelled():
                self._give()  # handed a slot as it was cancelled: the next one takes it
            elif turn in queue:
                queue.remove(turn)
            raise

    def _give(self) -> None:
        """A shared slot back: to the first waiting (those asked `first` before the rest)."""
        for queue in self._queues:
            while queue:
                turn = queue.popleft()
                if not turn.done():
                    turn.set_result(None)
                    return
        self._free += 1

    def _forget(self, chat: ChatRef) -> None:
        """One user less; the chat's entry goes when nobody holds or awaits a slot."""
        own = self._chats[chat]
        own.users -= 1
        if own.users == 0:
            del self._chats[chat]
