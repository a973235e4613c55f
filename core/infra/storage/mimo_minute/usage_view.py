"""MiMo's minute now, as `voicebridge usage` shows it, from whichever process sends.

PostgreSQL: the replicas' shared minute itself (`shared_ledger_in_database`): the uses of each
model's minute by the database's clock, what waits in the queues said within `FRESH_SECONDS`, the
429s met today and a pause still running. SQLite: the one bot process keeps the minute in
memory, and writes what it holds, per model, at most every `snapshot_seconds` while that
changes (`sqlite_minute_snapshots`), into its own queue's row of `minute_lines`; a snapshot older
than the minute (and the time between two) is of a bot that no longer sends, or no longer runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Interval, delete, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.mimo.account_minute_rules import AccountLimits, MinuteNow, ModelMinute, Waiting
from core.infra.storage.mimo_minute.shared_ledger_in_database import FRESH_SECONDS
from core.infra.storage.sql_statements import dialect_of, insert_for, table_of
from core.infra.storage.tables import MinuteQueueRow, MinuteUseRow

__all__ = ["MinuteNowRepository", "snapshot_seconds"]

SNAPSHOT_SECONDS = 5.0  # a bot keeping the minute alone writes what it holds at most this often


def snapshot_seconds(minute: ModelMinute) -> float:
    """How often, at most, a bot keeping the minute alone writes what it holds: every
    `SNAPSHOT_SECONDS` of MiMo's minute, every twelfth of a shorter one."""
    return min(SNAPSHOT_SECONDS, minute.seconds / 12)


_USES = table_of(MinuteUseRow)
_QUEUES = table_of(MinuteQueueRow)


class MinuteNowRepository:
    """The minute's queues and uses, read for the operator; a lone bot's snapshots written."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def read(self, limits: AccountLimits, *, today: date) -> list[MinuteNow]:
        """Each model with anything in its minute, waiting for it, or refused today."""
        shared = dialect_of(self._session) == "postgresql"
        now = await self._now(shared)
        held = await self._uses(now, limits.asr) if shared else {}
        found: dict[str, MinuteNow] = {}
        for queue in (await self._session.execute(select(_QUEUES))).all():
            age = (now - queue.seen_at).total_seconds()
            minute = limits.of(queue.model)
            fresh = age <= (FRESH_SECONDS if shared else minute.seconds + snapshot_seconds(minute))
            seen = MinuteNow(
                model=queue.model, minute=minute,
                requests=(queue.requests or 0) if fresh else 0,
                tokens=(queue.tokens or 0) if fresh else 0,
                waiting=_waiting(queue, age) if fresh else Waiting(),
                refused_today=queue.refused if queue.refused_on == today else 0,
                slowed_for=_left(queue.slowed_until, now),
                age=0.0 if shared or not fresh else max(0.0, age),
            )  # fmt: skip
            found[queue.model] = _together(found.get(queue.model), seen)
        for model, (requests, tokens) in held.items():
            earlier = found.get(model) or MinuteNow(model=model, minute=limits.of(model))
            found[model] = replace(earlier, requests=requests, tokens=tokens)
        return [now_seen for _, now_seen in sorted(found.items()) if _worth_showing(now_seen)]

    async def keep(
        self, reports: Sequence[MinuteNow], *, owner: str, instance: str, at: datetime
    ) -> None:
        """What a bot keeping the minute alone holds now, per model, as its queue's snapshot."""
        for report in reports:
            snapshot = {
                "instance": instance, "seen_at": at, "live": report.waiting.live,
                "person": report.waiting.person, "background": report.waiting.background,
                "longest_wait": report.waiting.longest, "requests": report.requests,
                "tokens": report.tokens, "refused": report.refused_today,
                "refused_on": at.date(),
                "slowed_until": at + timedelta(seconds=report.slowed_for)
                if report.slowed_for else None,
            }  # fmt: skip
            statement = (
                insert_for(self._session, _QUEUES)
                .values(model=report.model, owner=owner, **snapshot)
                .on_conflict_do_update(index_elements=["model", "owner"], set_=snapshot)
            )
            await self._session.execute(statement)

    async def delete_unseen_since(self, cutoff: datetime) -> None:
        """The queues of processes long gone."""
        await self._session.execute(delete(_QUEUES).where(_QUEUES.c.seen_at < cutoff))

    async def _now(self, shared: bool) -> datetime:
        """The database's clock where replicas share it; SQLite's snapshots are the bot's."""
        if not shared:
            return datetime.now(UTC)
        found = await self._session.scalar(select(func.now()))
        assert isinstance(found, datetime)
        return found

    async def _uses(self, now: datetime, minute: ModelMinute) -> dict[str, tuple[int, int]]:
        answered = _USES.c.answered_at + literal(timedelta(seconds=minute.seconds), Interval())
        taken = _USES.c.taken_at + literal(timedelta(seconds=minute.counted_seconds), Interval())
        rows = await self._session.execute(
            select(_USES.c.model, func.count(), func.coalesce(func.sum(_USES.c.tokens), 0))
            .where(func.coalesce(answered, taken) > now)
            .group_by(_USES.c.model)
        )
        return {model: (int(requests), int(tokens)) for model, requests, tokens in rows.all()}


def _waiting(queue: Any, age: float) -> Waiting:
    waits = queue.live or queue.person or queue.background
    return Waiting(live=queue.live, person=queue.person, background=queue.background,
                   longest=queue.longest_wait + age if waits else 0.0)  # fmt: skip


def _left(until: datetime | None, now: datetime) -> float:
    return max(0.0, (until - now).total_seconds()) if until is not None else 0.0


def _together(one: MinuteNow | None, other: MinuteNow) -> MinuteNow:
    """Two processes' queues of one model, summed."""
    if one is None:
        return other
    waiting = Waiting(
        live=one.waiting.live + other.waiting.live,
        person=one.waiting.person + other.waiting.person,
        background=one.waiting.background + other.waiting.background,
        longest=max(one.waiting.longest, other.waiting.longest),
    )
    ages = [m.age for m in (one, other) if m.requests or m.waiting.urgencies]
    return replace(
        one,
        requests=one.requests + other.requests,
        tokens=one.tokens + other.tokens,
        waiting=waiting,
        refused_today=one.refused_today + other.refused_today,
        slowed_for=max(one.slowed_for, other.slowed_for),
        age=min(ages, default=0.0),
    )


def _worth_showing(seen: MinuteNow) -> bool:
    return not seen.idle or bool(seen.refused_today) or seen.slowed_for > 0
