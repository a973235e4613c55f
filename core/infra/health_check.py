"""Whether this process can do its work: the database check behind `/healthz`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.ports import background_tasks

logger = logging.getLogger(__name__)

__all__ = ["DatabaseHealth"]

CHECK_SECONDS = 5.0
FRESH_SECONDS = 1.0


async def database_reachable(engine: AsyncEngine, *, within: float = CHECK_SECONDS) -> bool:
    """Whether a connection from `engine`'s pool reads the schema's version within `within`
    seconds: the pool the bot works with, so a probe every few seconds neither opens a
    connection of its own (a PostgreSQL login each time, beyond the pool's limits) nor passes
    while the bot waits for a free one.

    A real table, not `SELECT 1`, which SQLite answers without reading the file; and an SQLite
    connection first lets go of its page cache, from which it would go on answering after the
    file under it is gone or broken.
    """
    try:
        async with asyncio.timeout(within), engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                await connection.exec_driver_sql("PRAGMA shrink_memory")
            await connection.execute(text("SELECT version_num FROM alembic_version"))
    except Exception as exc:  # whatever it is, the database is not usable now
        logger.warning("health check: the database is unreachable (%s)", type(exc).__name__)
        return False
    return True


class DatabaseHealth:
    """`database_reachable`, asked at most once while its last answer is `fresh_for` (1 s) old:
    every probe meanwhile, however many come at once, shares the answer or the one check in
    flight, so a flood of `/healthz` requests holds at most one of the pool's connections and
    the bot's own work never waits behind them."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        fresh_for: float = FRESH_SECONDS,
        within: float = CHECK_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._fresh_for = fresh_for
        self._within = within
        self._monotonic = monotonic
        self._answer: tuple[float, bool] | None = None  # when it was known, and what
        self._checking: asyncio.Future[bool] | None = None

    async def reachable(self) -> bool:
        answer = self._answer
        if answer is not None and self._monotonic() - answer[0] <= self._fresh_for:
            return answer[1]
        if self._checking is None:
            self._checking = background_tasks.start(
                self._check(), name="health check", awaited=True
            )
        # Shielded: a probe that gives up (its client went away) does not cancel the others'.
        return await asyncio.shield(self._checking)

    async def _check(self) -> bool:
        try:
            reachable = await database_reachable(self._engine, within=self._within)
            self._answer = (self._monotonic(), reachable)
            return reachable
        finally:
            self._checking = None
