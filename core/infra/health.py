"""Whether this process can do its work: the database check behind `/healthz`."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.pool import NullPool

from core.infra.storage import create_engine

logger = logging.getLogger(__name__)

CHECK_SECONDS = 5.0


async def database_reachable(url: str, *, within: float = CHECK_SECONDS) -> bool:
    """Whether a new connection to the database at `url` reads the schema's version within
    `within` seconds.

    A new connection, not a pooled one, and a real table, not `SELECT 1`: an open SQLite
    connection keeps answering from its cache after its file is gone or broken, and SQLite
    answers `SELECT 1` without reading the file at all.
    """
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with asyncio.timeout(within), engine.connect() as connection:
            await connection.execute(text("SELECT version_num FROM alembic_version"))
    except Exception as exc:  # whatever it is, the database is not usable now
        logger.warning("health check: the database is unreachable (%s)", type(exc).__name__)
        return False
    finally:
        await engine.dispose()
    return True
