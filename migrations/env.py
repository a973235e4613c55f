"""Alembic environment: runs migrations on the async engines voicebridge itself uses.

The URL comes from the Config (set by `core.infra.storage.database_engines`); run by the alembic
command line without one, it falls back to the `DATABASE_URL` setting.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection

from core.config import Settings
from core.infra.storage.database_engines import MIGRATION_LOCK_KEY, create_engine
from core.infra.storage.recordings.search_in_database import include_object
from core.infra.storage.tables import Base


def _url() -> str:
    return context.config.get_main_option("sqlalchemy.url") or Settings().database_url


def _configure(**options: Any) -> None:
    context.configure(
        target_metadata=Base.metadata,
        compare_type=True,
        include_object=include_object,  # the search indexes are each database's own (0026)
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
        **options,
    )


def run_migrations_offline() -> None:
    """Print the SQL (`alembic upgrade --sql`) for a DBA to run."""
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _migrate(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Replicas starting together all upgrade; the lock makes the later ones wait and
            # then find nothing left to do, instead of failing on tables the first one created.
            connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"))
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_engine(_url(), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_migrate)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
