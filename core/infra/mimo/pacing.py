"""Every MiMo request takes a turn in its model's minute before it is sent (`AccountMinute`).

    request ──> its model's line ──(room in the minute: `core.domain.pacing.room`)──> sent
                  live ─ person ─ background, each in turns of chats

A model's line is worked through by one task while anybody waits in it: the next to go is the
first of the most urgent class, the chats of a class taking turns (one chat's burst or import
never holds another chat's first note behind it). Whether the minute has room for it is the
ledger's to say (`MinuteLedger`): the process's own (`MemoryLedger`), or the database's where
replicas share a key (`core.infra.storage.account_minute`), so that every replica's turns count
in one minute. A turn counts what the request is estimated to cost in tokens until MiMo's
answer says what it did (`Turn.used`).

A 429 that still comes (another program on the same account, or MiMo's load) is the whole
model's to heed, not one request's: the line waits out its `Retry-After`, then goes on at half
the minute for a minute (`slowed`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from core.domain.pacing import (
    AccountLimits,
    Asking,
    ModelMinute,
    Seen,
    Urgency,
    asking_now,
    room,
)
from core.ports import background

logger = logging.getLogger(__name__)

PUBLISHED = AccountLimits()  # MiMo's published minute
SLOWED_SECONDS = 60.0  # after a 429, the model runs at half its minute this long
_LONGEST_NAP = 1.0  # a line waiting for room looks again at least this often


class MinuteLedger(Protocol):
    """The turns taken in each model's minute: one process's, or every replica's."""

    async def take(
        self, model: str, minute: ModelMinute, urgency: Urgency, tokens: int
    ) -> int | None:
        """A turn of `tokens` recorded now if the minute has room for it (its id), else None."""
        ...

    async def used(self, turn: int, tokens: int) -> None:
        """MiMo's answer said what the turn counted."""
        ...

    async def seen(self, model: str, minute: ModelMinute) -> Seen:
        """What the model's `minute` holds now."""
        ...


@dataclass
class _Entry:
    at: float
    tokens: int
    urgency: Urgency


class MemoryLedger:
    """The minute of one process: the turns of the last minute, per model, in memory."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._turns: dict[str, deque[tuple[int, _Entry]]] = {}
        self._by_id: dict[int, _Entry] = {}
        self._next = 0

    async def take(
        self, model: str, minute: ModelMinute, urgency: Urgency, tokens: int
    ) -> int | None:
        if not room(minute, await self.seen(model, minute), urgency, tokens):
            return None
        self._next += 1
        entry = _Entry(self._clock(), tokens, urgency)
        self._turns.setdefault(model, deque()).append((self._next, entry))
        self._by_id[self._next] = entry
        return self._next

    async def used(self, turn: int, tokens: int) -> None:
        if (entry := self._by_id.get(turn)) is not None:
            entry.tokens = tokens

    async def seen(self, model: str, minute: ModelMinute) -> Seen:
        now = self._clock()
        turns = self._turns.get(model, deque())
        while turns and turns[0][1].at <= now - minute.seconds:
            self._by_id.pop(turns.popleft()[0], None)
        since = now - minute.pace_seconds
        paced = [e for _, e in turns if e.urgency is not Urgency.LIVE and e.at > since]
        return Seen(
            requests=len(turns),
            tokens=sum(e.tokens for _, e in turns),
            paced_requests=len(paced),
            paced_tokens=sum(e.tokens for e in paced),
            live=any(e.urgency is Urgency.LIVE for _, e in turns),
        )


@dataclass(eq=False)
class _Waiter:
    asking: Asking
    tokens: int
    turn: asyncio.Future[int] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class _Line:
    """One model's waiting requests: per urgency, per chat, in order of arrival."""

    def __init__(self) -> None:
        self.classes: dict[Urgency, OrderedDict[str | None, deque[_Waiter]]] = {
            urgency: OrderedDict() for urgency in Urgency
        }
        self.changed = asyncio.Event()
        self.worker: asyncio.Task[None] | None = None
        self.paused_until = 0.0  # a 429's Retry-After
        self.slowed_until = 0.0  # ...and the half minute after it

    def join(self, waiter: _Waiter) -> None:
        chats = self.classes[waiter.asking.urgency]
        chats.setdefault(waiter.asking.chat, deque()).append(waiter)
        self.changed.set()

    def head(self) -> _Waiter | None:
        """The next to go: the first of the most urgent class's chat whose turn it is."""
        for chats in self.classes.values():
            for waiters in chats.values():
                if waiters:
                    return waiters[0]
        return None

    def went(self, waiter: _Waiter) -> None:
        """`waiter` took its turn (or left): its chat goes to the end of its class's turns."""
        chats = self.classes[waiter.asking.urgency]
        waiters = chats.get(waiter.asking.chat)
        if waiters is None:
            return
        with contextlib.suppress(ValueError):
            waiters.remove(waiter)
        del chats[waiter.asking.chat]
        if waiters:
            chats[waiter.asking.chat] = waiters  # its next waits for the other chats' turns
        self.changed.set()

    def ahead_of(self, waiter: _Waiter) -> int:
        """How many requests go before `waiter`: every one of a more urgent class, and of its
        own class as many as take their turns before its chat's comes round."""
        ahead = 0
        for urgency, chats in self.classes.items():
            if urgency < waiter.asking.urgency:
                ahead += sum(len(w) for w in chats.values())
            elif urgency == waiter.asking.urgency:
                own = chats.get(waiter.asking.chat, deque())
                rounds = own.index(waiter) if waiter in own else 0
                for chat, waiters in chats.items():
                    if chat != waiter.asking.chat:
                        ahead += min(len(waiters), rounds + 1)
                ahead += rounds
        return ahead

    def waiting(self) -> dict[Urgency, int]:
        return {u: sum(len(w) for w in chats.values()) for u, chats in self.classes.items()}


class AccountMinute:
    """The turns of every request to MiMo, one line per model (module docstring)."""

    def __init__(
        self,
        *,
        limits: AccountLimits = PUBLISHED,
        ledger: MinuteLedger | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._ledger: MinuteLedger = ledger or MemoryLedger(clock)
        self._lines: dict[str, _Line] = {}
        self.waited: dict[Urgency, float] = {u: 0.0 for u in Urgency}  # seconds, all turns
        self.turns: dict[Urgency, int] = {u: 0 for u in Urgency}
        self.refusals = 0  # 429s MiMo answered all the same

    def __repr__(self) -> str:
        return f"AccountMinute(paced={self.limits.paced}, models={sorted(self._lines)})"

    async def turn(self, model: str, tokens: int) -> Turn:
        """Wait for `model`'s minute to have room for a request of `tokens`, in the line of
        whoever the request is for (`core.domain.pacing.asking`)."""
        asked = asking_now()
        if not self.limits.paced:
            return Turn(self._ledger, None, tokens)
        line = self._lines.setdefault(model, _Line())
        started = self._clock()
        waiter = _Waiter(asked, tokens)
        line.join(waiter)
        if line.worker is None or line.worker.done():
            line.worker = background.start(self._work(model, line), name="minute", about=model)
        try:
            if not waiter.turn.done() and asked.waiting is not None:
                await self._tell_while_waiting(line, waiter)
            taken = await asyncio.shield(waiter.turn)
        except BaseException:
            line.went(waiter)
            if waiter.turn.done() and not waiter.turn.cancelled():
                logger.debug("a turn of %s was given up as it came", model)
            raise
        self.waited[asked.urgency] += self._clock() - started
        self.turns[asked.urgency] += 1
        return Turn(self._ledger, taken, tokens)

    def slowed(self, model: str, retry_after: float | None) -> None:
        """MiMo answered 429 for `model`: its line waits `retry_after` (when MiMo gave one),
        then goes on at half the minute for a while."""
        self.refusals += 1
        line = self._lines.setdefault(model, _Line())
        now = self._clock()
        pause = retry_after or 0.0
        line.paused_until = max(line.paused_until, now + pause)
        line.slowed_until = now + pause + SLOWED_SECONDS
        logger.warning(
            "MiMo answered 429 for %s though the minute was paced (another program on the "
            "account?): waiting %.0f s, then at half the minute for %.0f s",
            model, pause, SLOWED_SECONDS,
        )  # fmt: skip

    def waiting(self) -> dict[Urgency, int]:
        """Requests waiting for a turn, every model's together, per urgency (`/metrics`)."""
        total = {u: 0 for u in Urgency}
        for line in self._lines.values():
            for urgency, count in line.waiting().items():
                total[urgency] += count
        return total

    async def seen(self, model: str) -> Seen:
        """What `model`'s minute holds now (`voicebridge usage`, `/metrics`)."""
        return await self._ledger.seen(model, self.limits.of(model))

    async def _work(self, model: str, line: _Line) -> None:
        """Hand turns out in order while anybody waits in `line`."""
        while (head := line.head()) is not None:
            line.changed.clear()
            if head.turn.done():  # cancelled meanwhile
                line.went(head)
                continue
            now = self._clock()
            nap = _LONGEST_NAP
            if now < line.paused_until:
                nap = min(nap, line.paused_until - now)
                taken = None
            else:
                minute = self._minute(model, line, now)
                try:
                    taken = await self._ledger.take(model, minute, head.asking.urgency, head.tokens)
                except Exception as exc:  # the shared minute out of reach: this request fails
                    line.went(head)
                    if not head.turn.done():
                        head.turn.set_exception(exc)
                    continue
            if taken is not None:
                line.went(head)
                if head.turn.done():  # gone while the ledger decided: its turn stays counted
                    continue
                head.turn.set_result(taken)
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(nap):
                    await line.changed.wait()

    def _minute(self, model: str, line: _Line, now: float) -> ModelMinute:
        minute = self.limits.of(model)
        if now < line.slowed_until:
            return ModelMinute(
                max(1, minute.requests // 2), max(1, minute.tokens // 2), minute.seconds
            )
        return minute

    async def _tell_while_waiting(self, line: _Line, waiter: _Waiter) -> None:
        """Tell who asked how many are ahead, whenever that changes, until its turn comes."""
        assert waiter.asking.waiting is not None
        told = -1
        while not waiter.turn.done():
            ahead = line.ahead_of(waiter)
            if ahead != told:
                told = ahead
                waiter.asking.waiting(ahead)
            await asyncio.wait({waiter.turn}, timeout=_LONGEST_NAP)
        waiter.asking.waiting(0)


@dataclass
class Turn:
    """A request's turn in its model's minute; `used` corrects its tokens by MiMo's answer."""

    ledger: MinuteLedger
    id: int | None
    tokens: int

    async def used(self, tokens: int) -> None:
        if self.id is not None and tokens > 0 and tokens != self.tokens:
            await self.ledger.used(self.id, tokens)
