"""Where the account's minute is counted (`MinuteLedger`): one process's uses in memory
(`MemoryLedger`), or every replica's in the database
(`core.infra.storage.mimo_minute.shared_ledger_in_database`); and a request's `MinuteUse` in it,
counted from when its request ended (`MinuteUse.answered`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from core.domain.mimo.account_minute_rules import (
    UNANSWERED_KEPT_SECONDS,
    ModelMinute,
    Seen,
    Urgency,
    Waiting,
    room,
)
from core.ports import background_tasks

logger = logging.getLogger(__name__)

__all__ = ["MemoryLedger", "MinuteLedger", "MinuteUse"]


class MinuteLedger(Protocol):
    """The uses taken of each model's minute: one process's, or every replica's."""

    held: dict[str, tuple[float, Seen]]
    """What each model's minute held at the ledger's last look (a take, or `seen`: the process's
    beat looks every second), and when (the process's clock): every replica's calls' speech,
    for `core.app.listening.piece_stretching`."""

    async def take(
        self, model: str, minute: ModelMinute, urgency: Urgency, tokens: int, speech: float = 0.0
    ) -> int | None:
        """A use of `tokens` (carrying `speech` seconds of audio) recorded now if the minute
        has room for it (its id), else None. None too while the model is paused after a 429
        (`slowed`), and while more urgent work waits in another replica's queue (`announce`);
        after the pause, the minute is halved."""
        ...

    async def answered(self, use: int, tokens: int | None) -> None:
        """MiMo answered the request of `use` (its id) now: it had the request by now, so the
        use counts a minute from now rather than past the minute from its taking
        (`ModelMinute`); `tokens`, when the answer says, is what it counted."""
        ...

    async def used(self, use: int, tokens: int) -> None:
        """MiMo's answer, answered already, said again what the use counted."""
        ...

    async def seen(self, model: str, minute: ModelMinute) -> Seen:
        """What the model's `minute` holds now."""
        ...

    async def announce(self, model: str, waiting: Waiting) -> None:
        """What waits in this process's queue for `model` now (`NOTHING_WAITS` once it is
        empty), for the other replicas to leave the minute to more urgent work than theirs."""
        ...

    async def slowed(self, model: str, pause: float, slow: float) -> None:
        """MiMo answered 429 for `model`: no use for `pause` seconds, then half the minute
        for `slow` seconds more, in every process that shares the ledger."""
        ...


@dataclass
class _Entry:
    at: float  # when it was taken
    tokens: int
    urgency: Urgency
    speech: float = 0.0  # seconds of audio it carries
    answered: float | None = None  # MiMo's answer

    def counts(self, minute: ModelMinute, now: float) -> bool:
        """Whether it is still in the minute at `now`."""
        if self.answered is None:
            return self.at > now - minute.counted_seconds
        return self.answered > now - minute.seconds

    def gone(self, minute: ModelMinute, now: float) -> bool:
        """Whether it can no longer count: answered a minute ago, or unanswered for longer
        than any request lasts (kept till then, so that a late answer counts it again)."""
        if self.answered is None:
            return self.at <= now - UNANSWERED_KEPT_SECONDS
        return not self.counts(minute, now)


class MemoryLedger:
    """The minute of one process: the uses of the last minute, per model, in memory. Nobody
    else takes uses of it, so what its queue announces goes nowhere."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._uses: dict[str, dict[int, _Entry]] = {}
        self._by_id: dict[int, _Entry] = {}
        self._next = 0
        self._slowed: dict[str, tuple[float, float]] = {}  # paused until, slowed until
        self.held: dict[str, tuple[float, Seen]] = {}

    async def take(
        self, model: str, minute: ModelMinute, urgency: Urgency, tokens: int, speech: float = 0.0
    ) -> int | None:
        paused_until, slowed_until = self._slowed.get(model, (0.0, 0.0))
        now = self._clock()
        seen = await self.seen(model, minute)
        if now < paused_until:
            return None
        if now < slowed_until:
            minute = minute.halved()
        if not room(minute, seen, urgency, tokens):
            return None
        self._next += 1
        entry = _Entry(now, tokens, urgency, speech)
        self._uses.setdefault(model, {})[self._next] = entry
        self._by_id[self._next] = entry
        return self._next

    async def answered(self, use: int, tokens: int | None) -> None:
        if (entry := self._by_id.get(use)) is not None:
            entry.answered = self._clock()
            entry.tokens = entry.tokens if tokens is None else tokens

    async def used(self, use: int, tokens: int) -> None:
        if (entry := self._by_id.get(use)) is not None:
            entry.tokens = tokens

    async def seen(self, model: str, minute: ModelMinute) -> Seen:
        now = self._clock()
        uses = self._uses.get(model, {})
        for gone in [use for use, entry in uses.items() if entry.gone(minute, now)]:
            del uses[gone]
            self._by_id.pop(gone, None)
        since = now - minute.pace_seconds
        held = [entry for entry in uses.values() if entry.counts(minute, now)]
        paced = [e for e in held if e.urgency is not Urgency.LIVE and e.at > since]
        live = [e for e in held if e.urgency is Urgency.LIVE]
        recent = [e for e in live if e.at > since]
        seen = Seen(
            requests=len(held),
            tokens=sum(e.tokens for e in held),
            paced_requests=len(paced),
            paced_tokens=sum(e.tokens for e in paced),
            live_requests=len(live),
            live_tokens=sum(e.tokens for e in live),
            live_recent_requests=len(recent),
            live_recent_tokens=sum(e.tokens for e in recent),
            live_speech=sum(e.speech for e in live),
            live_recent_speech=sum(e.speech for e in recent),
            live_age=now - min((e.at for e in live), default=now),
        )
        self.held[model] = (now, seen)
        return seen

    async def announce(self, model: str, waiting: Waiting) -> None:
        """One process: its own queue orders its requests already."""

    async def slowed(self, model: str, pause: float, slow: float) -> None:
        now = self._clock()
        paused_until, _ = self._slowed.get(model, (0.0, 0.0))
        self._slowed[model] = (max(paused_until, now + pause), now + pause + slow)


@dataclass
class MinuteUse:
    """A request's use of its model's minute: `answered` counts it from MiMo's answer (a
    stream's end, where its usage comes), with the tokens the answer says; `used` corrects its
    tokens once more if a later part of the answer says otherwise."""

    ledger: MinuteLedger
    id: int | None
    tokens: int
    heard: bool = False  # MiMo answered

    async def answered(self, tokens: int = 0) -> None:
        if self.id is None:
            return
        if self.heard:
            await self.used(tokens)
            return
        self.heard = True
        counted = tokens if tokens > 0 and tokens != self.tokens else None
        self.tokens = counted or self.tokens
        try:
            await self.ledger.answered(self.id, counted)
        except Exception as exc:  # MiMo's answer stands: the use counts past the minute instead
            logger.warning("could not count MiMo's answer in the minute: %s", type(exc).__name__)

    def answered_later(self) -> None:
        """The request ended without an answer to read (an error answer, a timeout, a cancel),
        MiMo perhaps having had it: counted from now, in a task of its own, so that a cancel
        does not lose it."""
        if self.id is not None and not self.heard:
            background_tasks.start(self.answered(), name="minute answered")

    async def used(self, tokens: int) -> None:
        if self.id is not None and tokens > 0 and tokens != self.tokens:
            self.tokens = tokens
            try:
                await self.ledger.used(self.id, tokens)
            except Exception as exc:  # the estimate stays counted
                logger.warning("could not correct a minute use's tokens: %s", type(exc).__name__)
