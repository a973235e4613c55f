"""One model's queue of requests waiting for their use of the account's minute (`MinuteQueue`):
per urgency, per chat, the chat served longest ago first; and who is told how many go before a
request while it waits (`Told`). `core.infra.mimo.minute_pacing.AccountMinute` works through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from core.domain.mimo.account_minute_rules import (
    NOTHING_WAITS,
    Asking,
    PlaceListener,
    Urgency,
    Waiting,
)

logger = logging.getLogger(__name__)

__all__ = ["MinuteQueue", "Told", "Waiter"]


@dataclass(eq=False)
class Waiter:
    asking: Asking
    tokens: int
    speech: float  # seconds of audio it carries
    since: float  # when it joined the queue
    # Set as the minute gives it its use: the ledger's id of it (`MinuteLedger.take`).
    given: asyncio.Future[int] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class MinuteQueue:
    """One model's waiting requests: per urgency, per chat, in order of arrival. Within a class
    the chat served longest ago goes next (one never served, or not within `memory` seconds
    and with nothing waiting since, first), so that a chat whose burst had a use lets every
    other chat's first request go before its next one, whenever they came."""

    def __init__(self, *, clock: Callable[[], float], memory: float) -> None:
        self.classes: dict[Urgency, OrderedDict[str | None, deque[Waiter]]] = {
            urgency: OrderedDict() for urgency in Urgency
        }
        self.changed = asyncio.Event()  # for the worker, which clears it
        # ...and for whoever is told of the queue, done at each change and made anew
        self.moved: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.worker: asyncio.Task[None] | None = None
        self.paused_until = 0.0  # a 429's Retry-After
        self.slowed_until = 0.0  # ...and the half minute after it
        self.to_share = False  # a 429 met here, not yet told to the ledger
        self.blocked = False  # a request found no room since the queue was last empty
        self.announced = NOTHING_WAITS  # what the ledger was last told waits here...
        self.announced_at = 0.0  # ...and when
        self._clock, self._memory = clock, memory
        self._served: dict[tuple[Urgency, str | None], float] = {}  # each chat's latest use given

    def join(self, waiter: Waiter) -> None:
        chats = self.classes[waiter.asking.urgency]
        chats.setdefault(waiter.asking.chat, deque()).append(waiter)
        self._change()

    def _change(self) -> None:
        self.changed.set()
        moved, self.moved = self.moved, asyncio.get_running_loop().create_future()
        moved.set_result(None)

    def head(self) -> Waiter | None:
        """The next to go: the first of the most urgent class's chat due next."""
        for urgency, chats in self.classes.items():
            if order := self._order(urgency):
                return chats[order[0]][0]
        return None

    def took(self, waiter: Waiter) -> None:
        """`waiter` was given its use: its chat's next waits for the other chats' next. A chat is
        remembered while it has requests waiting, however long ago it was served, so that its
        next waits for every chat that waited before it; once it has none, for `memory`."""
        now = self._clock()
        self._served[(waiter.asking.urgency, waiter.asking.chat)] = now
        self.went(waiter)
        for (urgency, chat), at in list(self._served.items()):
            if at <= now - self._memory and chat not in self.classes[urgency]:
                del self._served[(urgency, chat)]

    def went(self, waiter: Waiter) -> None:
        """`waiter` is no longer in the queue (its use given, or given up)."""
        chats = self.classes[waiter.asking.urgency]
        waiters = chats.get(waiter.asking.chat)
        if waiters is None:
            return
        with contextlib.suppress(ValueError):
            waiters.remove(waiter)
        if not waiters:
            del chats[waiter.asking.chat]
        self._change()

    def _order(self, urgency: Urgency) -> list[str | None]:
        """The chats of `urgency` with requests waiting, in the order they go: served
        longest ago first, then in the order they came."""
        served = self._served
        return sorted(self.classes[urgency], key=lambda chat: served.get((urgency, chat), -1.0))

    def ahead_of(self, waiter: Waiter) -> int:
        """How many requests go before `waiter`: every one of a more urgent class, and of its
        own class as many as go before its chat's comes round."""
        ahead = 0
        for urgency, chats in self.classes.items():
            if urgency < waiter.asking.urgency:
                ahead += sum(len(w) for w in chats.values())
            elif urgency == waiter.asking.urgency:
                own = chats.get(waiter.asking.chat, deque())
                rounds = own.index(waiter) if waiter in own else 0
                order = self._order(urgency)
                mine = order.index(waiter.asking.chat) if waiter.asking.chat in order else 0
                for place, chat in enumerate(order):
                    if chat != waiter.asking.chat:
                        ahead += min(len(chats[chat]), rounds + (place < mine))
                ahead += rounds
        return ahead

    def waiting(self) -> dict[Urgency, int]:
        return {u: sum(len(w) for w in chats.values()) for u, chats in self.classes.items()}

    def waiting_at(self, now: float) -> Waiting:
        """What waits, and how long the one waiting longest has waited at `now`."""
        counts = self.waiting()
        since = [w.since for chats in self.classes.values() for ws in chats.values() for w in ws]
        longest = now - min(since) if since else 0.0
        return Waiting(
            live=counts[Urgency.LIVE],
            person=counts[Urgency.PERSON],
            background=counts[Urgency.BACKGROUND],
            longest=max(0.0, longest),
        )


class Told:
    """One listener of waiting requests (`PlaceListener`), told of all of them together: how many go
    before the first of them, whenever that changes; None once none of them waits."""

    def __init__(self, waiting: PlaceListener) -> None:
        self.waiting = waiting
        self.waiters: dict[Waiter, MinuteQueue] = {}
        self._told: int | None = None

    def tell(self) -> None:
        waiting = [(w, queue) for w, queue in self.waiters.items() if not w.given.done()]
        ahead = min((queue.ahead_of(w) for w, queue in waiting), default=None)
        if ahead == self._told:
            return
        self._told = ahead
        try:
            self.waiting(ahead)
        except Exception:  # a status is a courtesy: the request goes on
            logger.warning("telling a request's wait failed", exc_info=True)
