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

Replicas order their work together too: while requests wait in a line, the line tells the
ledger what waits (`MinuteLedger.announce`, when the urgencies waiting change, and every
`announce_seconds` while they wait), and a replica's less urgent work leaves the turns to
another's more urgent work. A line whose requests go at once says nothing.

A 429 that still comes (another program on the same account, or MiMo's load) is the whole
model's to heed, not one request's: the line waits out its `Retry-After`, then goes on at half
the minute for a minute (`slowed`), and tells the ledger, which holds every replica's line of
that model to the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol

from core.domain.pacing import (
    NOTHING_WAITS,
    AccountLimits,
    Asking,
    MinuteNow,
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
ANNOUNCE_SECONDS = 1.0  # while requests wait, the line tells the ledger again this often
_TELL_EVERY = 2.0  # seconds between two looks at how many are ahead of one who waits
# A line waiting for room looks again this often: a 240th of the minute, a quarter of a second
# (room comes as the minute's oldest turns leave it, a request every 0.6 s at 100 a minute).
_LOOKS_A_MINUTE = 240


class MinuteLedger(Protocol):
    """The turns taken in each model's minute: one process's, or every replica's."""

    async def take(
        self, model: str, minute: ModelMinute, urgency: Urgency, tokens: int
    ) -> int | None:
        """A turn of `tokens` recorded now if the minute has room for it (its id), else None.
        None too while the model is paused after a 429 (`slowed`), and while more urgent work
        waits in another replica's line (`announce`); after the pause, the minute is halved."""
        ...

    async def used(self, turn: int, tokens: int) -> None:
        """MiMo's answer said what the turn counted."""
        ...

    async def seen(self, model: str, minute: ModelMinute) -> Seen:
        """What the model's `minute` holds now."""
        ...

    async def announce(self, model: str, waiting: Waiting) -> None:
        """What waits in this process's line for `model` now (`NOTHING_WAITS` once it is
        empty), for the other replicas to leave the turns to more urgent work than theirs."""
        ...

    async def slowed(self, model: str, pause: float, slow: float) -> None:
        """MiMo answered 429 for `model`: no turn for `pause` seconds, then half the minute
        for `slow` seconds more, in every process that shares the ledger."""
        ...


@dataclass
class _Entry:
    at: float
    tokens: int
    urgency: Urgency


class MemoryLedger:
    """The minute of one process: the turns of the last minute, per model, in memory. Nobody
    else takes turns in it, so what its line announces goes nowhere."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._turns: dict[str, deque[tuple[int, _Entry]]] = {}
        self._by_id: dict[int, _Entry] = {}
        self._next = 0
        self._slowed: dict[str, tuple[float, float]] = {}  # paused until, slowed until

    async def take(
        self, model: str, minute: ModelMinute, urgency: Urgency, tokens: int
    ) -> int | None:
        paused_until, slowed_until = self._slowed.get(model, (0.0, 0.0))
        now = self._clock()
        if now < paused_until:
            return None
        if now < slowed_until:
            minute = minute.halved()
        if not room(minute, await self.seen(model, minute), urgency, tokens):
            return None
        self._next += 1
        entry = _Entry(now, tokens, urgency)
        self._turns.setdefault(model, deque()).append((self._next, entry))
        self._by_id[self._next] = entry
        return self._next

    async def used(self, turn: int, tokens: int) -> None:
        if (entry := self._by_id.get(turn)) is not None:
            entry.tokens = tokens

    async def seen(self, model: str, minute: ModelMinute) -> Seen:
        now = self._clock()
        turns = self._turns.get(model, deque())
        while turns and turns[0][1].at <= now - minute.counted_seconds:
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

    async def announce(self, model: str, waiting: Waiting) -> None:
        """One process: its own line orders its requests already."""

    async def slowed(self, model: str, pause: float, slow: float) -> None:
        now = self._clock()
        paused_until, _ = self._slowed.get(model, (0.0, 0.0))
        self._slowed[model] = (max(paused_until, now + pause), now + pause + slow)


@dataclass(eq=False)
class _Waiter:
    asking: Asking
    tokens: int
    since: float  # when it joined the line
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
        self.to_share = False  # a 429 met here, not yet told to the ledger
        self.blocked = False  # a request found no room since the line was last empty
        self.announced = NOTHING_WAITS  # what the ledger was last told waits here...
        self.announced_at = 0.0  # ...and when

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


class AccountMinute:
    """The turns of every request to MiMo, one line per model (module docstring)."""

    def __init__(
        self,
        *,
        limits: AccountLimits = PUBLISHED,
        ledger: MinuteLedger | None = None,
        clock: Callable[[], float] = time.monotonic,
        announce_seconds: float = ANNOUNCE_SECONDS,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._today = today
        self._announce_seconds = announce_seconds
        self._ledger: MinuteLedger = ledger or MemoryLedger(clock)
        self._lines: dict[str, _Line] = {}
        self.waited: dict[Urgency, float] = {u: 0.0 for u in Urgency}  # seconds, all turns
        self.turns: dict[Urgency, int] = {u: 0 for u in Urgency}
        self.refusals = 0  # 429s MiMo answered all the same
        self._refused: dict[str, tuple[date, int]] = {}  # ...per model, on its UTC day

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
        waiter = _Waiter(asked, tokens, started)
        line.join(waiter)
        self._work_on(model, line)
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
        then goes on at half the minute for a while; so do the other replicas' lines, once the
        ledger is told (by the line's worker, at once)."""
        self.refusals += 1
        today = self._today()
        day, refused = self._refused.get(model, (today, 0))
        self._refused[model] = (today, refused + 1 if day == today else 1)
        line = self._lines.setdefault(model, _Line())
        now = self._clock()
        pause = retry_after or 0.0
        line.paused_until = max(line.paused_until, now + pause)
        line.slowed_until = now + pause + SLOWED_SECONDS
        if self.limits.paced:
            line.to_share = True
            self._work_on(model, line)
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

    async def report(self) -> list[MinuteNow]:
        """Each model's minute as this process sees it: what it holds (as the ledger counts
        it), what waits here, and the 429s this process met today (`voicebridge usage`, from a
        snapshot the bot keeps where it keeps the minute alone)."""
        now, today = self._clock(), self._today()
        found = []
        for model, line in sorted(self._lines.items()):
            minute = self.limits.of(model)
            seen = await self._ledger.seen(model, minute)
            day, refused = self._refused.get(model, (today, 0))
            now_seen = MinuteNow(
                model=model, minute=minute, requests=seen.requests, tokens=seen.tokens,
                waiting=line.waiting_at(now), refused_today=refused if day == today else 0,
                slowed_for=max(0.0, line.slowed_until - now),
            )  # fmt: skip
            found.append(now_seen)
        return found

    def _work_on(self, model: str, line: _Line) -> None:
        if line.worker is None or line.worker.done():
            line.worker = background.start(self._work(model, line), name="minute", about=model)

    async def _work(self, model: str, line: _Line) -> None:
        """Hand turns out in order while anybody waits in `line`, telling the ledger what waits
        and what a 429 asks of every replica."""
        minute = self.limits.of(model)
        nap_at_most = minute.seconds / _LOOKS_A_MINUTE
        while True:
            line.changed.clear()
            await self._share(model, line)
            if (head := line.head()) is None:
                line.blocked = False
                if line.announced.urgencies:  # nothing waits here any more: say so
                    await self._announce(model, line, NOTHING_WAITS)
                    continue  # and look again: a request may have come meanwhile
                return
            if head.turn.done():  # cancelled meanwhile
                line.went(head)
                continue
            await self._announce_if_due(model, line)
            now = self._clock()
            taken = None
            if now >= line.paused_until:
                try:
                    taken = await self._ledger.take(model, minute, head.asking.urgency, head.tokens)
                except Exception as exc:  # the shared minute out of reach: this request fails
                    line.went(head)
                    if not head.turn.done():
                        head.turn.set_exception(exc)
                    continue
            if taken is not None:
                line.went(head)
                if not head.turn.done():  # else gone while the ledger decided: still counted
                    head.turn.set_result(taken)
                continue
            line.blocked = True
            await self._announce_if_due(model, line)
            nap = nap_at_most
            if now < line.paused_until:
                nap = min(nap, line.paused_until - now)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(nap):
                    await line.changed.wait()

    async def _announce_if_due(self, model: str, line: _Line) -> None:
        """Tell the ledger what waits, once requests wait in earnest (a turn found no room):
        at once when the urgencies waiting change, else every `announce_seconds`."""
        if not line.blocked:
            return
        now = self._clock()
        waiting = line.waiting_at(now)
        changed = waiting.urgencies != line.announced.urgencies
        stale = bool(waiting.urgencies) and now - line.announced_at >= self._announce_seconds
        if changed or stale:
            await self._announce(model, line, waiting)

    async def _announce(self, model: str, line: _Line, waiting: Waiting) -> None:
        line.announced, line.announced_at = waiting, self._clock()
        try:
            await self._ledger.announce(model, waiting)
        except Exception as exc:  # the turns go on; the other replicas learn it next time
            logger.warning("could not say what waits for %s: %s", model, type(exc).__name__)

    async def _share(self, model: str, line: _Line) -> None:
        """A 429 met here: the ledger holds every replica's line of `model` to its pause and
        its half minute, ending when this line's do."""
        if not line.to_share:
            return
        line.to_share = False
        now = self._clock()
        pause = max(0.0, line.paused_until - now)
        slow = max(0.0, line.slowed_until - max(now, line.paused_until))
        try:
            await self._ledger.slowed(model, pause, slow)
        except Exception as exc:  # this line still waits it out; the others may not
            logger.warning("could not share a 429's pause of %s: %s", model, type(exc).__name__)

    async def _tell_while_waiting(self, line: _Line, waiter: _Waiter) -> None:
        """Tell who asked how many are ahead, whenever that changes, until its turn comes."""
        assert waiter.asking.waiting is not None
        told = -1
        while not waiter.turn.done():
            ahead = line.ahead_of(waiter)
            if ahead != told:
                told = ahead
                waiter.asking.waiting(ahead)
            await asyncio.wait({waiter.turn}, timeout=_TELL_EVERY)
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
