"""The database and what works on it alone (`storage`: the limits, the claims, the retention
jobs), with no MiMo key and no bot token: the runtime is built on it, `voicebridge db purge` and
`usage` use it alone, and `voicebridge find` reads through it (`memory_alone`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from core.app.memory.retention import RetentionJob, retention_jobs
from core.app.memory.search import Memory
from core.app.rules.claims import Claims
from core.app.rules.leaving import Leaving
from core.app.rules.limits import Limiter
from core.config import Settings
from core.from_settings import database, limit_policy_from
from core.ports import Clock, SystemClock

if TYPE_CHECKING:
    # Imported where a database is opened: the command line's `standalone` runtime, which has
    # none, starts without loading SQLAlchemy and Alembic (about half its start-up).
    from sqlalchemy.ext.asyncio import AsyncEngine

    from core.infra.storage import SqlAlchemyUnitOfWork


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


@asynccontextmanager
async def storage(
    settings: Settings, *, migrate: bool = True, clock: Clock | None = None
) -> AsyncIterator[Storage]:
    """Bring the schema up to date (unless `migrate` is False), then open the database and
    build what works on it alone: the limits, the claims and the retention jobs."""
    clock = clock or SystemClock()
    async with database(settings, migrate=migrate) as opened:
        uow = opened.uow
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
            retention=retention,
        )  # fmt: skip


@asynccontextmanager
async def memory_alone(settings: Settings) -> AsyncIterator[Memory]:
    """/find over the database as it is (no migration), without MiMo or any limit
    (`voicebridge find`): it reads, and needs no MiMo key or bot token."""
    async with storage(settings, migrate=False) as store:
        yield Memory(
            reads=store.reads, chat_api=None, limiter=None,
            retention_days=settings.summary_retention_days,
            max_prompt_chars=settings.summary_max_prompt_chars, leaving=Leaving(store.reads),
        )  # fmt: skip
