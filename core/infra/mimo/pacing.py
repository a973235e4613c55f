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

A request that has waited `TOLD_AFTER` without its turn tells whoever asked how many go before
it, as that changes (`core.domain.pacing.Waiting`: a status message says so), every request of
one listener together (a recording's pieces: the first of them), and None once none waits; and
it sets aside meanwhile what it holds (`core.domain.pacing.Aside`: its in-flight slot), taken
back as its turn comes. What the minute holds, what waits and for how long, and the 429s are
the operator's to see (`watch`: `/metrics`; `seen_now`, read by the process's beat, `look`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from asyncio import FIRST_COMPLETED
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.domain.pacing import (
    AccountLimits,
    Asking,
    ModelMinute,
    Seen,
    Urgency,
    Waiting,
    asking_now,
    room,
)
from core.ports import background

logger = logging.getLogger(__name__)

PUBLISHED = AccountLimits()  # MiMo's published minute
SLOWED_SECONDS = 60.0  # after a 429, the model runs at half its minute this long
# A request that goes within this long is not worth a status's edit, nor its slot set aside.
TOLD_AFTER = 0.25
# A turn counts in the minute this much longer than MiMo counts it: MiMo's count starts as the
# request reaches it, after its turn here (its audio sent), and a turn that left the minute here
# a moment before it left MiMo's would meet a 429 at the minute's edge.
REACH = 0.5
# A line waiting for room looks again at least this often, and every sixtieth of a shorter
# minute (a benchmark's).
_LONGEST_NAP = 1.0


class MinuteWatch(Protocol):
    """Who counts the minute's turns and refusals (`core.infra.metrics.PrometheusMetrics`)."""

    def turn_waited(self, urgency: Urgency, seconds: float) -> None:
        """A request of `urgency` got its turn after `seconds`."""
        ...

    def refused(self, model: str) -> None:
        """MiMo answered 429 for `model`."""
        ...


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
    """One model's waiting requests: per urgency, per chat, in order of arrival. Within a class
    the chat served longest ago goes next (one never served, or not within `memory` seconds,
    first), so that a chat whose burst had a turn a moment ago lets the others' first requests
    go before its next one, whenever they came."""

    def __init__(self, *, clock: Callable[[], float], memory: float) -> None:
        self.classes: dict[Urgency, OrderedDict[str | None, deque[_Waiter]]] = {
            urgency: OrderedDict() for urgency in Urgency
        }
        self.changed = asyncio.Event()  # for the worker, which clears it
        # ...and for whoever is told of the line, done at each change and made anew
        self.moved: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.worker: asyncio.Task[None] | None = None
        self.paused_until = 0.0  # a 429's Retry-After
        self.slowed_until = 0.0  # ...and the half minute after it
        self._clock, self._memory = clock, memory
        self._served: dict[tuple[Urgency, str | None], float] = {}  # each chat's latest turn

    def join(self, waiter: _Waiter) -> None:
        chats = self.classes[waiter.asking.urgency]
        chats.setdefault(waiter.asking.chat, deque()).append(waiter)
        self._change()

    def _change(self) -> None:
        self.changed.set()
        moved, self.moved = self.moved, asyncio.get_running_loop().create_future()
        moved.set_result(None)

    def head(self) -> _Waiter | None:
        """The next to go: the first of the most urgent class's chat whose turn it is."""
        for urgency, chats in self.classes.items():
            if order := self._order(urgency):
                return chats[order[0]][0]
        return None

    def took(self, waiter: _Waiter) -> None:
        """`waiter` took its turn: its chat's next waits for the other chats' turns."""
        now = self._clock()
        self._served[(waiter.asking.urgency, waiter.asking.chat)] = now
        for key, at in list(self._served.items()):
            if at <= now - self._memory:
                del self._served[key]
        self.went(waiter)

    def went(self, waiter: _Waiter) -> None:
        """`waiter` is no longer in line (its turn taken, or given up)."""
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
        """The chats of `urgency` with requests waiting, in the order of their turns: served
        longest ago first, then in the order they came."""
        served = self._served
        return sorted(self.classes[urgency], key=lambda chat: served.get((urgency, chat), -1.0))

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
                order = self._order(urgency)
                mine = order.index(waiter.asking.chat) if waiter.asking.chat in order else 0
                for place, chat in enumerate(order):
                    if chat != waiter.asking.chat:
                        ahead += min(len(chats[chat]), rounds + (place < mine))
                ahead += rounds
        return ahead

    def waiting(self) -> dict[Urgency, int]:
        return {u: sum(len(w) for w in chats.values()) for u, chats in self.classes.items()}


class _Told:
    """One listener of waiting requests (`Waiting`), told of all of them together: how many go
    before the first of them, whenever that changes; None once none of them waits."""

    def __init__(self, waiting: Waiting) -> None:
        self.waiting = waiting
        self.waiters: dict[_Waiter, _Line] = {}
        self._said: int | None = None

    def tell(self) -> None:
        waiting = [(w, line) for w, line in self.waiters.items() if not w.turn.done()]
        ahead = min((line.ahead_of(w) for w, line in waiting), default=None)
        if ahead == self._said:
            return
        self._said = ahead
        try:
            self.waiting(ahead)
        except Exception:  # a status is a courtesy: the request goes on
            logger.warning("telling a request's wait failed", exc_info=True)


class AccountMinute:
    """The turns of every request to MiMo, one line per model (module docstring)."""

    def __init__(
        self,
        *,
        limits: AccountLimits = PUBLISHED,
        ledger: MinuteLedger | None = None,
        clock: Callable[[], float] = time.monotonic,
        watch: MinuteWatch | None = None,
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._ledger: MinuteLedger = ledger or MemoryLedger(clock)
        self._lines: dict[str, _Line] = {}
        self._told: dict[Waiting, _Told] = {}  # the listeners of requests waiting now
        self.waited: dict[Urgency, float] = {u: 0.0 for u in Urgency}  # seconds, all turns
        self.turns: dict[Urgency, int] = {u: 0 for u in Urgency}
        self.refusals = 0  # 429s MiMo answered all the same
        self.watch = watch  # counts each turn's wait and each 429 (`/metrics`)
        # What each model's minute held when the process last looked (`look`), by model.
        self.seen_now: dict[str, Seen] = {}

    def __repr__(self) -> str:
        return f"AccountMinute(paced={self.limits.paced}, models={sorted(self._lines)})"

    async def turn(self, model: str, tokens: int) -> Turn:
        """Wait for `model`'s minute to have room for a request of `tokens`, in the line of
        whoever the request is for (`core.domain.pacing.asking`)."""
        asked = asking_now()
        if not self.limits.paced:
            return Turn(self._ledger, None, tokens)
        line = self._line(model)
        started = self._clock()
        waiter = _Waiter(asked, tokens)
        line.join(waiter)
        if line.worker is None or line.worker.done():
            line.worker = background.start(self._work(model, line), name="minute", about=model)
        try:
            taken = await self._waited(line, waiter)
        except BaseException:
            line.went(waiter)
            if waiter.turn.done() and not waiter.turn.cancelled():
                logger.debug("a turn of %s was given up as it came", model)
            raise
        waited = self._clock() - started
        self.waited[asked.urgency] += waited
        self.turns[asked.urgency] += 1
        if self.watch is not None:
            self.watch.turn_waited(asked.urgency, waited)
        return Turn(self._ledger, taken, tokens)

    async def _waited(self, line: _Line, waiter: _Waiter) -> int:
        """`waiter`'s turn. Once it has waited `TOLD_AFTER` without one, what it holds is set
        aside (`Asking.aside`) and whoever asked is told how many go before it (`Asking.
        waiting`), until its turn comes."""
        asked = waiter.asking
        await asyncio.wait({waiter.turn}, timeout=TOLD_AFTER)
        if not waiter.turn.done():
            async with contextlib.AsyncExitStack() as aside:
                if asked.aside is not None:
                    await aside.enter_async_context(asked.aside())
                if asked.waiting is not None:
                    await self._tell_while_waiting(line, waiter, asked.waiting)
                else:
                    await asyncio.wait({waiter.turn})
        return await asyncio.shield(waiter.turn)

    def slowed(self, model: str, retry_after: float | None) -> None:
        """MiMo answered 429 for `model`: its line waits `retry_after` (when MiMo gave one),
        then goes on at half the minute for a while."""
        self.refusals += 1
        if self.watch is not None:
            self.watch.refused(model)
        line = self._line(model)
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
        return await self._ledger.seen(model, self._counted(model))

    def models(self) -> list[str]:
        """The models whose minute this process paced a request in."""
        return sorted(self._lines)

    async def look(self) -> None:
        """What each model's minute holds now, kept in `seen_now` for `/metrics` (the process's
        beat looks every few seconds: `core.bootstrap`)."""
        for model in self.models():
            self.seen_now[model] = await self.seen(model)

    async def _work(self, model: str, line: _Line) -> None:
        """Hand turns out in order while anybody waits in `line`."""
        while (head := line.head()) is not None:
            line.changed.clear()
            if head.turn.done():  # cancelled meanwhile
                line.went(head)
                continue
            now = self._clock()
            nap = min(_LONGEST_NAP, self.limits.of(model).seconds / 60)
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
                line.took(head)
                if head.turn.done():  # gone while the ledger decided: its turn stays counted
                    continue
                head.turn.set_result(taken)
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(nap):
                    await line.changed.wait()

    def _line(self, model: str) -> _Line:
        if (line := self._lines.get(model)) is None:
            memory = self.limits.of(model).seconds  # a chat not served within it is as new
            line = self._lines[model] = _Line(clock=self._clock, memory=memory)
        return line

    def _counted(self, model: str) -> ModelMinute:
        """`model`'s minute as its turns count here: each for `REACH` seconds longer than MiMo
        counts it, as MiMo's count starts once the request has reached it."""
        minute = self.limits.of(model)
        return ModelMinute(minute.requests, minute.tokens, minute.seconds + REACH)

    def _minute(self, model: str, line: _Line, now: float) -> ModelMinute:
        minute = self._counted(model)
        if now < line.slowed_until:
            return ModelMinute(
                max(1, minute.requests // 2), max(1, minute.tokens // 2), minute.seconds
            )
        return minute

    async def _tell_while_waiting(self, line: _Line, waiter: _Waiter, waiting: Waiting) -> None:
        """Tell `waiting` how many are ahead of its first request waiting, whenever that
        changes, until `waiter`'s turn comes; None once none of its requests waits (`_Told`)."""
        told = self._told.setdefault(waiting, _Told(waiting))
        told.waiters[waiter] = line
        try:
            while not waiter.turn.done():
                told.tell()
                moved: set[asyncio.Future[Any]] = {waiter.turn, line.moved}
                await asyncio.wait(moved, timeout=_LONGEST_NAP, return_when=FIRST_COMPLETED)
        finally:
            del told.waiters[waiter]
            told.tell()
            if not told.waiters and self._told.get(waiting) is told:
                del self._told[waiting]


@dataclass
class Turn:
    """A request's turn in its model's minute; `used` corrects its tokens by MiMo's answer."""

    ledger: MinuteLedger
    id: int | None
    tokens: int

    async def used(self, tokens: int) -> None:
        if self.id is not None and tokens > 0 and tokens != self.tokens:
            await self.ledger.used(self.id, tokens)
