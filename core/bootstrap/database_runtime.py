"""The database and what works on it alone (`storage`: the limits, the claims, the retention
jobs, MiMo's minute as replicas share it), with no MiMo key and no bot token: the runtime is
built on it, `voicebridge db purge` and `usage` use it alone, and `voicebridge find` reads
through it (`memory_alone`). `minute_kept`: a bot that keeps MiMo's minute alone writes what it
holds while it sends, for `voicebridge usage`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import TYPE_CHECKING

from core.app.memory.chat_search import MemorySearch
from core.app.memory.retention_jobs import RetentionJob, retention_jobs
from core.app.rules.limits import Limiter
from core.app.rules.outgoing_check import Leaving
from core.app.rules.work_claims import Claims
from core.bootstrap.parts_from_settings import account_limits, database, limit_policy_from
from core.config import Settings
from core.domain.mimo.account_minute_rules import MinuteNow
from core.infra.mimo.minute_pacing import AccountMinute
from core.ports import Clock, SystemClock, background_tasks

if TYPE_CHECKING:
    # Imported where a database is opened: the command line's `standalone` runtime, which has
    # none, starts without loading SQLAlchemy and Alembic (about half its start-up).
    from sqlalchemy.ext.asyncio import AsyncEngine

    from core.infra.storage import SqlAlchemyUnitOfWork
    from core.infra.storage.mimo_minute.shared_ledger_in_database import DatabaseLedger
    from core.infra.storage.sqlite_minute_snapshots import MinuteSnapshots

__all__ = ["Storage", "memory_alone", "minute_kept", "storage"]


@dataclass(frozen=True)
class Storage:
    """The database and the parts that need nothing else: no MiMo key, no bot token. The
    runtime is built on it; `voicebridge db purge` and `voicebridge usage` use it alone."""

    engine: AsyncEngine
    uow: Callable[[], SqlAlchemyUnitOfWork]
    reads: Callable[[], SqlAlchemyUnitOfWork]  # units of work that only read: searches
    limiter: Limiter
    claims: Claims
    retention: list[RetentionJob]  # run hourly by the scheduler, once by `db purge`
    # MiMo's minute: every replica's uses, where they share the database (PostgreSQL; None on
    # SQLite, whose bot keeps the minute in memory and writes `sqlite_minute_snapshots` of it)...
    minute_ledger: DatabaseLedger | None
    minute_snapshots: MinuteSnapshots | None
    # ...and each model's minute now, as `voicebridge usage` shows it, read from either.
    minute_now: Callable[[], Awaitable[list[MinuteNow]]]


@asynccontextmanager
async def storage(
    settings: Settings, *, migrate: bool = True, clock: Clock | None = None
) -> AsyncIterator[Storage]:
    """Bring the schema up to date (unless `migrate` is False), then open the database and
    build what works on it alone: the limits, the claims and the retention jobs."""
    from core.infra.storage.mimo_minute.shared_ledger_in_database import DatabaseLedger
    from core.infra.storage.sqlite_minute_snapshots import MinuteSnapshots

    clock = clock or SystemClock()
    async with database(settings, migrate=migrate) as opened:
        uow = opened.uow
        today = _today_of(clock)
        ledger = snapshots = None
        if opened.minute_engine is not None:
            ledger = DatabaseLedger(
                opened.minute_engine, instance=settings.instance_name, today=today
            )
        else:
            snapshots = MinuteSnapshots(uow, instance=settings.instance_name, clock=clock.now)
        limits = account_limits(settings)

        async def minute_now() -> list[MinuteNow]:
            async with opened.reads() as reading:
                return await reading.minute_now.read(limits, today=today())

        limiter = Limiter(uow=uow, clock=clock, policy=limit_policy_from(settings))
        claims = Claims(
            uow=uow,
            mark_uow=opened.mark_uow,
            instance=settings.instance_name,
            lease=timedelta(seconds=settings.work_lease_seconds),
            clock=clock,
            # Longer than any platform redelivers an update (Telegram: 24 hours).
            retention=timedelta(days=settings.summary_retention_days),
        )
        retention = retention_jobs(
            uow=uow, clock=clock, days=settings.summary_retention_days, claims=claims,
            limiter=limiter,
        )  # fmt: skip
        yield Storage(
            engine=opened.engine, uow=uow, reads=opened.reads, limiter=limiter, claims=claims,
            retention=retention, minute_ledger=ledger, minute_snapshots=snapshots,
            minute_now=minute_now,
        )  # fmt: skip


def _today_of(clock: Clock) -> Callable[[], date]:
    return lambda: clock.now().astimezone(UTC).date()


@asynccontextmanager
async def minute_kept(store: Storage, minute: AccountMinute) -> AsyncIterator[None]:
    """For the block, a bot that keeps MiMo's minute alone (SQLite) writes what it holds, every
    few seconds while that changes, for `voicebridge usage` to read; nothing to do where the
    replicas' minute is the database's own (PostgreSQL)."""
    snapshots = store.minute_snapshots
    if snapshots is None:
        yield
        return
    from core.infra.storage.mimo_minute.usage_view import snapshot_seconds

    async def keep() -> None:
        await snapshots.keep(await minute.report())

    every = snapshot_seconds(minute.limits.asr)
    async with background_tasks.every(every, keep, name="minute snapshot"):
        yield


@asynccontextmanager
async def memory_alone(settings: Settings) -> AsyncIterator[MemorySearch]:
    """/find over the database as it is (no migration), without MiMo or any limit
    (`voicebridge find`): it reads, and needs no MiMo key or bot token."""
    async with storage(settings, migrate=False) as store:
        yield MemorySearch(
            reads=store.reads, chat_api=None, limiter=None,
            retention_days=settings.summary_retention_days,
            max_prompt_chars=settings.summary_max_prompt_chars, leaving=Leaving(store.reads),
        )  # fmt: skip
