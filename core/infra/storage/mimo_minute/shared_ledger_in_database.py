"""MiMo's minute shared by every replica of a key, in PostgreSQL (`DatabaseLedger`, the
`MinuteLedger` of `core.infra.mimo.minute_ledger` where replicas share the database).

    take    one short transaction: the model's advisory lock (`pg_advisory_xact_lock`), then
            what the minute holds, what waits in the other replicas' queues and whether a 429
            paused the model, read in one statement (the uses that left the minute deleted as
            it goes), then `core.domain.mimo.account_minute_rules.room` decides and the use is
            written
    answered  MiMo answered: the use counts a minute from then, and its tokens as counted
    used    a stream's end corrects a use's tokens
    announce  what waits in this process's queue (`minute_lines`), so that another replica's
            less urgent work leaves it the minute
    slowed  a 429 met here: every replica's queue of the model pauses, then runs at half the
            minute (`paused_until`, `slowed_until` on this process's queue, the latest of all
            queues counting)

Every time is the database's clock (a use's `clock_timestamp()`, a queue's `now()`), so that
replicas whose clocks differ count one minute. Nothing is held past the minute: a replica that
dies leaves its uses, which leave the minute as MiMo's count of them does; what it said waits
stops counting once it is `fresh` seconds old (its queue is told again every second or so while
requests wait); its pause ends as it would have. A use is taken on connections of their own
(`database_engines.create_minute_engine`), so that it never waits for one behind the work's queries.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    Integer,
    Interval,
    String,
    and_,
    bindparam,
    case,
    delete,
    func,
    literal,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.domain.mimo.account_minute_rules import (
    UNANSWERED_KEPT_SECONDS,
    ModelMinute,
    Seen,
    Urgency,
    Waiting,
    room,
)
from core.infra.storage.sql_statements import table_of
from core.infra.storage.tables import MinuteQueueRow, MinuteUseRow

__all__ = ["FRESH_SECONDS", "KEPT_QUEUES", "DatabaseLedger"]

T = TypeVar("T")

FRESH_SECONDS = 5.0  # what a queue said waits counts this long (it says it again every second)
KEPT_QUEUES = timedelta(days=2)  # a process's queue, unseen this long, is deleted (its 429s too)

_USES = table_of(MinuteUseRow)
_QUEUES = table_of(MinuteQueueRow)
_NOW = func.now()
# A use's times are the moment's, not its transaction's start (`now()`): a use that waited
# for the model's lock would otherwise count from before it was taken.
_CLOCK = select(func.clock_timestamp()).scalar_subquery()  # read once a statement
_MODEL = bindparam("model", type_=String())
_WINDOW = bindparam("window", type_=Interval())  # the minute and a use's transit
_SECONDS = bindparam("seconds", type_=Interval())  # the minute
_PACE = bindparam("pace", type_=Interval())
_FRESH = bindparam("fresh", type_=Interval())
# Every model's uses are taken one at a time, under a lock of their own in a space no other
# lock uses.
_LOCK = text(
    "SELECT pg_advisory_xact_lock(:space, hashtext(:model)) AS minute_turns_lock"
).bindparams(space=0x6D696E)


def _counted_until() -> Any:
    """When a use leaves its minute: a minute after MiMo answered it, or, while no answer
    came, the minute and a use's transit after it was taken (`core.domain.mimo.account_minute_rules.
    ModelMinute`)."""
    return func.coalesce(_USES.c.answered_at + _SECONDS, _USES.c.taken_at + _WINDOW)


def _held() -> Any:
    """What `model`'s minute holds: its uses not yet gone from it, the uses not live within
    `pace` (the sixth of it over which the rest is spread), and live work's uses, in it and
    within `pace`."""
    within = _counted_until() > _CLOCK
    recent = _USES.c.taken_at > _CLOCK - _PACE
    paced = and_(within, _USES.c.live.is_(False), recent)
    live = and_(within, _USES.c.live.is_(True))
    live_recent = and_(live, recent)
    tokens, speech = _USES.c.tokens, _USES.c.speech
    return (
        select(
            func.count().filter(within).label("requests"),
            func.coalesce(func.sum(tokens).filter(within), 0).label("tokens"),
            func.count().filter(paced).label("paced_requests"),
            func.coalesce(func.sum(tokens).filter(paced), 0).label("paced_tokens"),
            func.count().filter(live).label("live_requests"),
            func.coalesce(func.sum(tokens).filter(live), 0).label("live_tokens"),
            func.count().filter(live_recent).label("live_recent_requests"),
            func.coalesce(func.sum(tokens).filter(live_recent), 0).label("live_recent_tokens"),
            func.coalesce(func.sum(speech).filter(live), 0.0).label("live_speech"),
            func.coalesce(func.sum(speech).filter(live_recent), 0.0).label("live_recent_speech"),
            func.coalesce(
                func.extract("epoch", _CLOCK - func.min(_USES.c.taken_at).filter(live)), 0.0
            ).label("live_age"),
        )
        .where(_USES.c.model == _MODEL)
        .subquery()
    )


def _others() -> Any:
    """The other queues of `model`: whether a 429 paused or slowed it, and what waits in them
    (of queues seen within `fresh`)."""
    fresh = and_(_QUEUES.c.owner != bindparam("owner"), _QUEUES.c.seen_at > _NOW - _FRESH)
    return (
        select(
            func.coalesce(func.max(_QUEUES.c.paused_until) > _NOW, False).label("paused"),
            func.coalesce(func.max(_QUEUES.c.slowed_until) > _NOW, False).label("slowed"),
            func.coalesce(func.sum(_QUEUES.c.live).filter(fresh), 0).label("live_waiting"),
            func.coalesce(func.sum(_QUEUES.c.person).filter(fresh), 0).label("people_waiting"),
        )
        .where(_QUEUES.c.model == _MODEL)
        .subquery()
    )


_HELD, _OTHERS = _held(), _others()
_KEPT = literal(timedelta(seconds=UNANSWERED_KEPT_SECONDS), Interval())
_GONE = (
    delete(_USES)
    .where(
        _USES.c.model == _MODEL,
        func.coalesce(_USES.c.answered_at + _SECONDS, _USES.c.taken_at + _KEPT) <= _CLOCK,
    )
    .cte("gone")
)
_READ = select(_HELD, _OTHERS).select_from(_HELD.join(_OTHERS, true())).add_cte(_GONE)
_SEEN = select(_HELD)
_TAKE = (
    insert(_USES)
    .values(
        model=_MODEL,
        taken_at=_CLOCK,
        tokens=bindparam("tokens"),
        speech=bindparam("speech"),
        live=bindparam("live"),
        instance=bindparam("instance"),
    )
    .returning(_USES.c.id)
)
_USED = update(_USES).where(_USES.c.id == bindparam("use")).values(tokens=bindparam("used"))
_ANSWERED = (
    update(_USES)
    .where(_USES.c.id == bindparam("use"))
    .values(
        answered_at=_CLOCK,
        tokens=func.coalesce(bindparam("used", type_=Integer()), _USES.c.tokens),
    )
)
_STALE_QUEUES = delete(_QUEUES).where(
    _QUEUES.c.seen_at < _NOW - bindparam("kept", type_=Interval())
)


class DatabaseLedger:
    """Every replica's uses of each model's minute, in PostgreSQL (module docstring).
    `instance`: the process's name (INSTANCE_NAME); `fresh`: how long what a queue said waits
    counts (tests turn it down)."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        instance: str,
        fresh: float = FRESH_SECONDS,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._clock = clock  # the process's, for `held`
        self._instance = instance
        self.owner = f"{instance}/{secrets.token_hex(4)}"  # this process, among its namesakes
        self._fresh = timedelta(seconds=fresh)
        self._today = today
        self._tidied = False
        self.held: dict[str, tuple[float, Seen]] = {}  # each model's minute at its last take

    def __repr__(self) -> str:
        return f"DatabaseLedger(owner={self.owner!r})"

    async def take(
        self, model: str, minute: ModelMinute, urgency: Urgency, tokens: int, speech: float = 0.0
    ) -> int | None:
        async def decide() -> int | None:
            async with self._engine.begin() as connection:
                await connection.execute(_LOCK, {"model": model})
                found = (await connection.execute(_READ, self._read(model, minute))).one()
                seen = self._held(model, found)
                others = Waiting(live=found.live_waiting, person=found.people_waiting)
                if found.paused or others.before(urgency):
                    return None
                if not room(minute.halved() if found.slowed else minute, seen, urgency, tokens):
                    return None
                taken = await connection.scalar(_TAKE, {
                    "model": model, "tokens": tokens, "live": urgency is Urgency.LIVE,
                    "instance": self._instance, "speech": speech,
                })  # fmt: skip
                return int(taken)

        return await _once_more_if_dropped(decide)

    async def answered(self, use: int, tokens: int | None) -> None:
        await self._autocommitted(_ANSWERED, {"use": use, "used": tokens})

    async def used(self, use: int, tokens: int) -> None:
        await self._autocommitted(_USED, {"use": use, "used": tokens})

    async def seen(self, model: str, minute: ModelMinute) -> Seen:
        async def read() -> Seen:
            async with self._alone() as connection:
                found = (await connection.execute(_SEEN, self._read(model, minute))).one()
            return self._held(model, found)

        return await _once_more_if_dropped(read)

    async def announce(self, model: str, waiting: Waiting) -> None:
        announced = {
            "instance": self._instance, "seen_at": _NOW, "live": waiting.live,
            "person": waiting.person, "background": waiting.background,
            "longest_wait": waiting.longest,
        }  # fmt: skip
        statement = (
            insert(_QUEUES)
            .values(model=model, owner=self.owner, **announced)
            .on_conflict_do_update(index_elements=["model", "owner"], set_=announced)
        )
        await self._autocommitted(statement, {})

    async def slowed(self, model: str, pause: float, slow: float) -> None:
        today = self._today()
        paused_until = _NOW + timedelta(seconds=pause)
        slowed_until = _NOW + timedelta(seconds=pause + slow)
        new = {"refused": 1, "refused_on": today, "paused_until": paused_until,
               "slowed_until": slowed_until}  # fmt: skip
        queue = insert(_QUEUES).values(
            model=model, owner=self.owner, instance=self._instance, seen_at=_NOW, **new
        )
        counted = case((queue.excluded.refused_on == _QUEUES.c.refused_on, _QUEUES.c.refused + 1),
                       else_=1)  # fmt: skip
        statement = queue.on_conflict_do_update(
            index_elements=["model", "owner"],
            set_={**new, "refused": counted,
                  "paused_until": func.greatest(_QUEUES.c.paused_until, paused_until)},
        )  # fmt: skip
        await self._autocommitted(statement, {})

    def _held(self, model: str, found: Any) -> Seen:
        """What `model`'s minute holds as `found` reads it, kept as `held`."""
        seen = _seen(found)
        self.held[model] = (self._clock(), seen)
        return seen

    def _read(self, model: str, minute: ModelMinute) -> dict[str, Any]:
        return {
            "model": model, "owner": self.owner, "fresh": self._fresh,
            "window": timedelta(seconds=minute.counted_seconds),
            "seconds": timedelta(seconds=minute.seconds),
            "pace": timedelta(seconds=minute.pace_seconds),
        }  # fmt: skip

    async def _autocommitted(self, statement: Any, values: dict[str, Any]) -> None:
        """One statement that commits itself; the first also deletes the queues unseen for
        `KEPT_QUEUES` (processes long gone)."""

        async def run() -> None:
            async with self._alone() as connection:
                await connection.execute(statement, values)
                if not self._tidied:
                    await connection.execute(_STALE_QUEUES, {"kept": KEPT_QUEUES})
                    self._tidied = True

        await _once_more_if_dropped(run)

    @asynccontextmanager
    async def _alone(self) -> AsyncIterator[AsyncConnection]:
        """A connection whose statements each commit themselves: no BEGIN, no COMMIT, one
        round trip a statement."""
        async with self._engine.connect() as connection:
            yield await connection.execution_options(isolation_level="AUTOCOMMIT")


def _seen(found: Any) -> Seen:
    return Seen(
        requests=found.requests, tokens=found.tokens, paced_requests=found.paced_requests,
        paced_tokens=found.paced_tokens, live_requests=found.live_requests,
        live_tokens=found.live_tokens, live_recent_requests=found.live_recent_requests,
        live_recent_tokens=found.live_recent_tokens, live_speech=float(found.live_speech),
        live_recent_speech=float(found.live_recent_speech), live_age=float(found.live_age),
    )  # fmt: skip


async def _once_more_if_dropped(work: Callable[[], Awaitable[T]]) -> T:
    """`work()`, once more if the connection it had was found dropped (the server restarted
    since the pool opened it): the pool opens a new one. Its connections are not checked before
    each use, which would cost every use a round trip."""
    try:
        return await work()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    return await work()
