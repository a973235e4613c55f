"""Every MiMo request takes its use of its model's minute before it is sent (`AccountMinute`).

    request ──> its model's queue ──(room in the minute:
    `core.domain.mimo.account_minute_rules.room`)──> sent
                  live ─ person ─ background, each chat by chat

A model's queue is worked through by one task while anybody waits in it: the next to go is the first
of the most urgent class, the chats of a class alternating (one chat's burst or import never holds
another chat's first note behind it). Whether the minute has room for it is the ledger's to say
(`MinuteLedger`): the process's own (`MemoryLedger`), or the database's where replicas share a key
(`core.infra.storage.mimo_minute.shared_ledger_in_database`), so that every replica's requests count
in one minute. A request's use of the minute (`MinuteUse`) counts what it is estimated to cost in
tokens until MiMo's answer says what it did, and from MiMo's answer on it counts a minute from then
(`MinuteUse.answered`, `core.domain.mimo.account_minute_rules.ModelMinute`).

Replicas order their work together too: while requests wait in a queue, the queue tells the
ledger what waits (`MinuteLedger.announce`, when the urgencies waiting change, and every
`announce_seconds` while they wait), and a replica's less urgent work leaves the minute to
another's more urgent work. A queue whose requests go at once says nothing.

A 429 that still comes (another program on the same account, or MiMo's load) is the whole
model's to heed, not one request's: the queue waits out its `Retry-After`, then goes on at half
the minute for a minute (`slowed`), and tells the ledger, which holds every replica's queue of
that model to the same.

A request that has waited `TOLD_AFTER` without its use given tells whoever asked how many go before
it, as that changes (`core.domain.mimo.account_minute_rules.PlaceListener`: a status message says
so), every request of one listener together (a recording's pieces: the first of them), and None once
none waits; and it sets aside meanwhile what it holds
(`core.domain.mimo.account_minute_rules.Aside`: its in-flight slot), taken back as its use is given.
What the minute holds, what waits and for how long, and the 429s are the operator's to see (`watch`:
`/metrics`; `seen_now`, read by the process's beat, `look`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from asyncio import FIRST_COMPLETED
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Protocol

from core.domain.mimo.account_minute_rules import (
    NOTHING_WAITS,
    AccountLimits,
    MinuteNow,
    NotWanted,
    PlaceListener,
    Seen,
    Urgency,
    Waiting,
    asking_now,
)
from core.infra.mimo.minute_ledger import MemoryLedger, MinuteLedger, MinuteUse
from core.infra.mimo.minute_queue import MinuteQueue, Told, Waiter
from core.ports import background_tasks

logger = logging.getLogger(__name__)

__all__ = ["ANNOUNCE_SECONDS", "SLOWED_SECONDS", "TOLD_AFTER", "AccountMinute"]

PUBLISHED = AccountLimits()  # MiMo's published minute
SLOWED_SECONDS = 60.0  # after a 429, the model runs at half its minute this long
ANNOUNCE_SECONDS = 1.0  # while requests wait, the queue tells the ledger again this often
_TELL_EVERY = 2.0  # seconds between two looks at how many are ahead of one who waits
# A queue waiting for room looks again this often: a 240th of the minute, a quarter of a second
# (room comes as the minute's oldest uses leave it, a request every 0.6 s at 100 a minute).
_LOOKS_A_MINUTE = 240


# A request that goes within this long is not worth a status's edit, nor its slot set aside.
TOLD_AFTER = 0.25


class MinuteWatch(Protocol):
    """Who counts the minute's uses and refusals
    (`core.infra.prometheus_metrics.PrometheusMetrics`)."""

    def use_waited(self, urgency: Urgency, seconds: float) -> None:
        """A request of `urgency` was given its use of the minute after `seconds`."""
        ...

    def refused(self, model: str) -> None:
        """MiMo answered 429 for `model`."""
        ...


class AccountMinute:
    """The minute's uses of every request to MiMo, one queue per model (module docstring)."""

    def __init__(
        self,
        *,
        limits: AccountLimits = PUBLISHED,
        ledger: MinuteLedger | None = None,
        clock: Callable[[], float] = time.monotonic,
        announce_seconds: float = ANNOUNCE_SECONDS,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
        watch: MinuteWatch | None = None,
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._today = today
        self._announce_seconds = announce_seconds
        self._ledger: MinuteLedger = ledger or MemoryLedger(clock)
        self._queues: dict[str, MinuteQueue] = {}
        self._told: dict[PlaceListener, Told] = {}  # the listeners of requests waiting now
        self.waited: dict[Urgency, float] = {u: 0.0 for u in Urgency}  # seconds, all uses
        self.uses: dict[Urgency, int] = {u: 0 for u in Urgency}
        self.refusals = 0  # 429s MiMo answered all the same
        self._refused: dict[str, tuple[date, int]] = {}  # ...per model, on its UTC day
        self.watch = watch  # counts each use's wait and each 429 (`/metrics`)
        # What each model's minute held when the process last looked (`look`), by model.
        self.seen_now: dict[str, Seen] = {}

    def __repr__(self) -> str:
        return f"AccountMinute(paced={self.limits.paced}, models={sorted(self._queues)})"

    async def use(self, model: str, tokens: int, speech: float = 0.0) -> MinuteUse:
        """Wait for `model`'s minute to have room for a request of `tokens` (carrying `speech`
        seconds of audio), in the queue of whoever the request is for
        (`core.domain.mimo.account_minute_rules. asking`)."""
        asked = asking_now()
        if not self.limits.paced:
            return MinuteUse(self._ledger, None, tokens)
        queue = self._queue(model)
        started = self._clock()
        waiter = Waiter(asked, tokens, speech, started)
        queue.join(waiter)
        self._work_on(model, queue)
        try:
            taken = await self._waited(queue, waiter)
        except BaseException:
            queue.went(waiter)
            if waiter.given.done() and not waiter.given.cancelled():
                logger.debug("a use of %s's minute was given up as it came", model)
            raise
        if asked.still is not None and not asked.still():
            raise NotWanted(f"a request to {model} no longer wanted when its use was given")
        waited = self._clock() - started
        self.waited[asked.urgency] += waited
        self.uses[asked.urgency] += 1
        if self.watch is not None:
            self.watch.use_waited(asked.urgency, waited)
        return MinuteUse(self._ledger, taken, tokens)

    async def _waited(self, queue: MinuteQueue, waiter: Waiter) -> int:
        """`waiter`'s use, once given. Once it has waited `TOLD_AFTER` without it, what it holds
        is set aside (`Asking.aside`) and whoever asked is told how many go before it
        (`Asking.waiting`), until its use is given."""
        asked = waiter.asking
        await asyncio.wait({waiter.given}, timeout=TOLD_AFTER)
        if not waiter.given.done():
            async with contextlib.AsyncExitStack() as aside:
                if asked.aside is not None:
                    await aside.enter_async_context(asked.aside())
                if asked.waiting is not None:
                    await self._tell_while_waiting(queue, waiter, asked.waiting)
                else:
                    await asyncio.wait({waiter.given})
        return await asyncio.shield(waiter.given)

    def slowed(self, model: str, retry_after: float | None) -> None:
        """MiMo answered 429 for `model`: its queue waits `retry_after` (when MiMo gave one),
        then goes on at half the minute for a while; so do the other replicas' queues, once the
        ledger is told (by the queue's worker, at once)."""
        self.refusals += 1
        if self.watch is not None:
            self.watch.refused(model)
        today = self._today()
        day, refused = self._refused.get(model, (today, 0))
        self._refused[model] = (today, refused + 1 if day == today else 1)
        queue = self._queue(model)
        now = self._clock()
        pause = retry_after or 0.0
        queue.paused_until = max(queue.paused_until, now + pause)
        queue.slowed_until = now + pause + SLOWED_SECONDS
        if self.limits.paced:
            queue.to_share = True
            self._work_on(model, queue)
        logger.warning(
            "MiMo answered 429 for %s though the minute was paced (another program on the "
            "account?): waiting %.0f s, then at half the minute for %.0f s",
            model, pause, SLOWED_SECONDS,
        )  # fmt: skip

    def waiting(self) -> dict[Urgency, int]:
        """Requests waiting for their use of the minute, every model's together, per urgency
        (`/metrics`)."""
        total = {u: 0 for u in Urgency}
        for queue in self._queues.values():
            for urgency, count in queue.waiting().items():
                total[urgency] += count
        return total

    async def seen(self, model: str) -> Seen:
        """What `model`'s minute holds now (`voicebridge usage`, `/metrics`)."""
        return await self._ledger.seen(model, self.limits.of(model))

    def held(self, model: str) -> Seen | None:
        """What `model`'s minute held at the ledger's last look, if that was within the last
        sixth of the minute (`MinuteLedger.held`)."""
        found = self._ledger.held.get(model)
        if found is None or found[0] < self._clock() - self.limits.of(model).pace_seconds:
            return None
        return found[1]

    def models(self) -> list[str]:
        """The models whose minute this process paced a request in."""
        return sorted(self._queues)

    async def look(self) -> None:
        """What each model's minute holds now, kept in `seen_now` for `/metrics` (the process's
        beat looks every few seconds: `core.bootstrap`)."""
        for model in self.models():
            self.seen_now[model] = await self.seen(model)

    async def report(self) -> list[MinuteNow]:
        """Each model's minute as this process sees it: what it holds (as the ledger counts
        it), what waits here, and the 429s this process met today (`voicebridge usage`, from a
        snapshot the bot keeps where it keeps the minute alone)."""
        now, today = self._clock(), self._today()
        found = []
        for model, queue in sorted(self._queues.items()):
            minute = self.limits.of(model)
            seen = await self._ledger.seen(model, minute)
            day, refused = self._refused.get(model, (today, 0))
            now_seen = MinuteNow(
                model=model, minute=minute, requests=seen.requests, tokens=seen.tokens,
                waiting=queue.waiting_at(now), refused_today=refused if day == today else 0,
                slowed_for=max(0.0, queue.slowed_until - now),
            )  # fmt: skip
            found.append(now_seen)
        return found

    def _work_on(self, model: str, queue: MinuteQueue) -> None:
        if queue.worker is None or queue.worker.done():
            queue.worker = background_tasks.start(
                self._work(model, queue), name="minute", about=model
            )

    async def _work(self, model: str, queue: MinuteQueue) -> None:
        """Give uses of the minute out in order while anybody waits in `queue`, telling the ledger
        what waits and what a 429 asks of every replica."""
        minute = self.limits.of(model)
        nap_at_most = minute.seconds / _LOOKS_A_MINUTE
        while True:
            queue.changed.clear()
            await self._share(model, queue)
            if (head := queue.head()) is None:
                queue.blocked = False
                if queue.announced.urgencies:  # nothing waits here any more: say so
                    await self._announce(model, queue, NOTHING_WAITS)
                    continue  # and look again: a request may have come meanwhile
                return
            if head.given.done():  # cancelled meanwhile
                queue.went(head)
                continue
            await self._announce_if_due(model, queue)
            now = self._clock()
            taken = None
            if now >= queue.paused_until:
                try:
                    taken = await self._ledger.take(
                        model, minute, head.asking.urgency, head.tokens, head.speech
                    )
                except Exception as exc:  # the shared minute out of reach: this request fails
                    queue.went(head)
                    if not head.given.done():
                        head.given.set_exception(exc)
                    continue
            if taken is not None:
                queue.took(head)
                if not head.given.done():  # else gone while the ledger decided: still counted
                    head.given.set_result(taken)
                continue
            queue.blocked = True
            await self._announce_if_due(model, queue)
            nap = nap_at_most
            if now < queue.paused_until:
                nap = min(nap, queue.paused_until - now)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(nap):
                    await queue.changed.wait()

    def _queue(self, model: str) -> MinuteQueue:
        if (queue := self._queues.get(model)) is None:
            memory = self.limits.of(model).seconds  # a chat not served within it is as new
            queue = self._queues[model] = MinuteQueue(clock=self._clock, memory=memory)
        return queue

    async def _announce_if_due(self, model: str, queue: MinuteQueue) -> None:
        """Tell the ledger what waits, once requests wait in earnest (a use found no room):
        at once when the urgencies waiting change, else every `announce_seconds`."""
        if not queue.blocked:
            return
        now = self._clock()
        waiting = queue.waiting_at(now)
        changed = waiting.urgencies != queue.announced.urgencies
        stale = bool(waiting.urgencies) and now - queue.announced_at >= self._announce_seconds
        if changed or stale:
            await self._announce(model, queue, waiting)

    async def _announce(self, model: str, queue: MinuteQueue, waiting: Waiting) -> None:
        queue.announced, queue.announced_at = waiting, self._clock()
        try:
            await self._ledger.announce(model, waiting)
        except Exception as exc:  # the uses go on; the other replicas learn it next time
            logger.warning("could not say what waits for %s: %s", model, type(exc).__name__)

    async def _share(self, model: str, queue: MinuteQueue) -> None:
        """A 429 met here: the ledger holds every replica's queue of `model` to its pause and
        its half minute, ending when this queue's do."""
        if not queue.to_share:
            return
        queue.to_share = False
        now = self._clock()
        pause = max(0.0, queue.paused_until - now)
        slow = max(0.0, queue.slowed_until - max(now, queue.paused_until))
        try:
            await self._ledger.slowed(model, pause, slow)
        except Exception as exc:  # this queue still waits it out; the others may not
            logger.warning("could not share a 429's pause of %s: %s", model, type(exc).__name__)

    async def _tell_while_waiting(
        self, queue: MinuteQueue, waiter: Waiter, waiting: PlaceListener
    ) -> None:
        """Tell `waiting` how many are ahead of its first request waiting, whenever that
        changes, until `waiter`'s use is given; None once none of its requests waits (`Told`)."""
        told = self._told.setdefault(waiting, Told(waiting))
        told.waiters[waiter] = queue
        try:
            while not waiter.given.done():
                told.tell()
                moved: set[asyncio.Future[Any]] = {waiter.given, queue.moved}
                await asyncio.wait(moved, timeout=_TELL_EVERY, return_when=FIRST_COMPLETED)
        finally:
            del told.waiters[waiter]
            told.tell()
            if not told.waiters and self._told.get(waiting) is told:
                del self._told[waiting]
