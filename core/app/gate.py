"""The speech requests in flight: at most so many across all chats, and fewer for any one chat."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from core.domain.values import ChatRef


@dataclass
class _ChatSlots:
    slots: asyncio.Semaphore
    users: int = 0  # holding or waiting


class RequestGate:
    """At most `total` speech requests in flight across all chats, and at most `per_chat` for
    any one chat, so that one long recording cannot hold every slot. A chat waits for a slot of
    its own before it queues for a shared one."""

    def __init__(self, *, total: int, per_chat: int) -> None:
        if total < 1 or per_chat < 1:
            raise ValueError("request limits must be at least 1")
        self._total = asyncio.Semaphore(total)
        self._per_chat = per_chat
        self._chats: dict[ChatRef, _ChatSlots] = {}
        self.waiting = 0  # requests queued for a slot, of either kind (`/metrics`)

    async def acquire(self, chat: ChatRef) -> None:
        own = self._chats.setdefault(chat, _ChatSlots(asyncio.Semaphore(self._per_chat)))
        own.users += 1
        self.waiting += 1
        try:
            await own.slots.acquire()
            try:
                await self._total.acquire()
            except BaseException:
                own.slots.release()
                raise
        except BaseException:
            self._forget(chat)
            raise
        finally:
            self.waiting -= 1

    def release(self, chat: ChatRef) -> None:
        self._total.release()
        self._chats[chat].slots.release()
        self._forget(chat)

    def _forget(self, chat: ChatRef) -> None:
        """One user less; the chat's entry goes when nobody holds or awaits a slot."""
        own = self._chats[chat]
        own.users -= 1
        if own.users == 0:
            del self._chats[chat]
