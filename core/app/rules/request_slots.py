"""The speech requests in flight: at most so many across all chats, and fewer for any one chat;
live captions first when every slot is taken, an import of a chat's past last. A request that
holds a slot and waits for its use of the account's minute sets the slot aside meanwhile
(`RequestGate.aside`): in the minute's queue live work goes first too, and a note or an import
that waits there never keeps a caption out of a slot.

How many recordings are worked on at once (fetched, converted, sent) is set by the requests in
flight: `WORKING_PER_REQUEST` for each request the gate lets in flight across all chats, the
number `core.app.recordings.transcription` gives its own limit of recordings."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from core.domain.shared_values import ChatRef

__all__ = ["WORKING_PER_REQUEST", "RequestGate"]

WORKING_PER_REQUEST = 2  # recordings worked on at once, per speech request in flight


@dataclass
class _ChatSlots:
    slots: asyncio.Semaphore
    users: int = 0  # holding or waiting


class RequestGate:
    """At most `total` speech requests in flight across all chats, and at most `per_chat` for
    any one chat, so that one long recording cannot hold every slot. A chat waits for a slot of
    its own before it queues for a shared one. A request asked `first` (a live caption, whose
    words someone is waiting to read) takes the next shared slot ahead of every other waiting:
    a burst of voice notes never starves a listened call, and the calls never exceed `total`.

    A request asked `last` (an import of a chat's past, `core.app.memory.importer`) takes a slot
    only when no other request waits for one, and never the last free slot when there are more than
    one: a voice note that arrives during an import finds a slot at once. It is bounded by `total`
    alone, apart from its chat's live slots: an import never holds up its chat."""

    def __init__(self, *, total: int, per_chat: int) -> None:
        if total < 1 or per_chat < 1:
            raise ValueError("request limits must be at least 1")
        self._free = total  # below 0: slots owed by requests that hold one on credit
        # back (from `aside`, their use of the minute given), first, rest, last
        self._queues: tuple[deque[asyncio.Future[None]], ...] = (
            deque(), deque(), deque(), deque()
        )  # fmt: skip
        self._total = total
        self._per_chat = per_chat
        self._chats: dict[ChatRef | tuple[ChatRef, str], _ChatSlots] = {}
        self.waiting = 0  # requests queued for a slot, of either kind (`/metrics`)

    async def acquire(self, chat: ChatRef, *, first: bool = False, last: bool = False) -> None:
        key = _background(chat) if last else chat
        size = self._total if last else self._per_chat  # an import: bounded by the total alone
        own = self._chats.setdefault(key, _ChatSlots(asyncio.Semaphore(size)))
        own.users += 1
        self.waiting += 1
        try:
            await own.slots.acquire()
            try:
                await self._shared(first, last)
            except BaseException:
                own.slots.release()
                raise
        except BaseException:
            self._forget(key)
            raise
        finally:
            self.waiting -= 1

    def release(self, chat: ChatRef, *, last: bool = False) -> None:
        key = _background(chat) if last else chat
        self._give()
        self._chats[key].slots.release()
        self._forget(key)

    @asynccontextmanager
    async def aside(self) -> AsyncIterator[None]:
        """While a request that holds a shared slot waits for its use of the account's
        minute (`core.domain.mimo.account_minute_rules.setting_aside`): the slot goes to whoever
        waits for one (or is free), and is taken back as the block ends, its use given, ahead of
        every request waiting for a slot (its use is counted from now: it is sent at once). Its
        chat's own slot stays held: within one chat, the order is the minute's."""
        self._give()
        try:
            yield
        except BaseException:
            self._free -= 1  # on credit, not waited for: its holder's release gives it back
            raise
        await self._back()

    async def _back(self) -> None:
        """A shared slot taken back after `aside`: at once if one is free, else the next one
        given; on credit if cancelled meanwhile, as its holder releases it next."""
        if self._free > 0:
            self._free -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queues[0].append(waiter)
        self.waiting += 1
        try:
            await waiter
        except BaseException:
            if not waiter.done() or waiter.cancelled():
                with contextlib.suppress(ValueError):
                    self._queues[0].remove(waiter)
                self._free -= 1  # owed: its holder's release gives it back
            raise
        finally:
            self.waiting -= 1

    def _room_for_last(self) -> bool:
        """Whether a request asked `last` may take a free slot now: one stays free for live
        work while more than one slot exists."""
        return self._free > (1 if self._total > 1 else 0)

    async def _shared(self, first: bool, last: bool = False) -> None:
        """A shared slot: at once when one is free and nobody waits ahead; else in order, those
        asked `first` ahead of the rest, those asked `last` after them all."""
        back = self._queues[0]
        if last:
            if self._room_for_last() and not any(self._queues):
                self._free -= 1
                return
            queue = self._queues[3]
        else:
            ahead = (
                (*back, *self._queues[1]) if first else (*back, *self._queues[1], *self._queues[2])
            )
            if self._free > 0 and not ahead:
                self._free -= 1
                return
            queue = self._queues[1 if first else 2]
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self._give()  # handed a slot as it was cancelled: the next one takes it
            elif waiter in queue:
                queue.remove(waiter)
            raise

    def _give(self) -> None:
        """A shared slot back: to what it is owed first (`_back`), then to the first waiting
        (those taking theirs back after `aside`, then those asked `first`, then the rest, those
        asked `last` only while another slot stays free for live work)."""
        if self._free < 0:
            self._free += 1
            return
        for queue in self._queues[:3]:
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self._free += 1
        background = self._queues[3]
        while background and self._room_for_last():
            waiter = background.popleft()
            if not waiter.done():
                self._free -= 1
                waiter.set_result(None)

    def _forget(self, chat: ChatRef | tuple[ChatRef, str]) -> None:
        """One user less; the chat's entry goes when nobody holds or awaits a slot."""
        own = self._chats[chat]
        own.users -= 1
        if own.users == 0:
            del self._chats[chat]


def _background(chat: ChatRef) -> tuple[ChatRef, str]:
    """The key of a chat's background slots (an import), apart from its live ones."""
    return (chat, "last")
