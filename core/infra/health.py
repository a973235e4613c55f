"""Whether this process can do its work: the database check behind `/healthz`."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger(__name__)

CHECK_SECONDS = 5.0


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
