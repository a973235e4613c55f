"""One database of the bot copied into another, row by row: `voicebridge db copy`, for a bot
that moves from SQLite to PostgreSQL and keeps what it kept (transcripts, voices, preferences,
summaries, claims, usage).

Both are brought to the newest revision first, so that the tables are the same on each side;
then every table of the schema (`Base.metadata`, parents before the tables that point at them)
is read in batches and written through the models' own types, which turn SQLite's text dates,
integers for booleans and JSON into what PostgreSQL stores. The target must hold no row, and
takes the copy in one transaction: a copy cut short leaves it as empty as it was. PostgreSQL's
sequences are then moved past the ids copied, so the next row the bot adds takes a new one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import NullPool

from core.domain.errors import ConfigError
from core.infra.storage.database_engines import create_engine, upgrade, where
from core.infra.storage.tables import Base

__all__ = ["copy_database"]

BATCH_ROWS = 500


@dataclass(frozen=True)
class Copied:
    tables: int
    rows: int


async def copy_database(source_url: str, target_url: str) -> Copied:
    """Every row of `source_url`'s database into `target_url`'s, both migrated to the newest
    revision first; `ConfigError` when the target is the source or holds a row already."""
    if where(source_url) == where(target_url):
        raise ConfigError(f"{where(target_url)} is the database DATABASE_URL names: copy it into "
                          "another")  # fmt: skip
    await upgrade(source_url)
    await upgrade(target_url)
    source = create_engine(source_url, poolclass=NullPool)
    target = create_engine(target_url, poolclass=NullPool)
    try:
        async with source.connect() as reading, target.begin() as writing:
            await _refuse_data(writing, target_url)
            rows = 0
            for table in Base.metadata.sorted_tables:
                found = await reading.stream(select(table).execution_options(yield_per=BATCH_ROWS))
                async for batch in found.partitions():
                    await writing.execute(table.insert(), [dict(row._mapping) for row in batch])
                    rows += len(batch)
            if writing.dialect.name == "postgresql":
                await _sequences_past_the_ids(writing)
    finally:
        await source.dispose()
        await target.dispose()
    return Copied(len(Base.metadata.sorted_tables), rows)


async def _refuse_data(connection: AsyncConnection, url: str) -> None:
    for table in Base.metadata.sorted_tables:
        count = await connection.scalar(select(func.count()).select_from(table))
        if count:
            raise ConfigError(f"{where(url)} holds data already ({count} rows in {table.name}): "
                              "copy into an empty database")  # fmt: skip


async def _sequences_past_the_ids(connection: AsyncConnection) -> None:
    """Each table whose one primary key is an integer the database numbers: its sequence set
    past the largest id copied (untouched where there is no sequence)."""
    for table in Base.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        column = keys[0].name
        await connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "  # noqa: S608  # our names
                f'COALESCE(MAX("{column}"), 0) + 1, false) FROM "{table.name}"'
            ),
            {"table": table.name, "column": column},
        )
