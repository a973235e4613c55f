"""The SQL statements every repository of this package shares: an insert-or-update in one
statement (`upsert`), the dialect's INSERT where ON CONFLICT lives (`insert_for`, `inserting`),
the columns that name a chat (`chat_key`), a mapped class's table for statements run with
SQLAlchemy's Core alone (`table_of`), and the database's dialect (`dialect_of`).

Each runs in the session it is given (its unit of work's) and never commits.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.shared_values import ChatRef
from core.infra.storage.tables import Base

__all__ = ["chat_key", "dialect_of", "insert_for", "inserting", "table_of", "upsert"]


async def upsert(
    session: AsyncSession,
    table: type[Base] | Table,
    key: dict[str, Any],
    values: dict[str, Any],
    *,
    stamp: bool = False,
) -> None:
    """Insert the row of `key` with `values`, or set `values` on the one already there, in one
    statement: two replicas writing the same row at once must not fail on its key. `stamp` also
    sets the row's `updated_at` on an update."""
    changed = {**values, "updated_at": func.now()} if stamp else values
    statement = (
        insert_for(session, table)
        .values(**key, **values)
        .on_conflict_do_update(index_elements=list(key), set_=changed)
    )
    await session.execute(statement)


def insert_for(
    session: AsyncSession, table: type[Base] | Table
) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT, which is where ON CONFLICT lives."""
    return inserting(dialect_of(session), table)


def chat_key(chat: ChatRef) -> dict[str, str]:
    """The columns that name a chat: the key of most tables."""
    return {"platform": chat.platform, "chat_id": chat.chat_id}


def table_of(row: type[Base]) -> Table:
    """The table of a mapped class, for statements run with SQLAlchemy's Core alone: a statement
    a request runs on rows it never loads as objects (an INSERT of counts or of a claim) skips
    the ORM's steps around it, which cost a third of a millisecond or more a run."""
    return cast(Table, row.__table__)


def dialect_of(session: AsyncSession) -> str:
    """The name of the database's dialect: "sqlite" or "postgresql"."""
    return session.get_bind().dialect.name


def inserting(dialect: str, table: type[Base] | Table) -> postgresql.Insert | sqlite.Insert:
    """The INSERT of the dialect named `dialect` ("sqlite", "postgresql"), into a mapped class or
    a table."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"voicebridge supports SQLite and PostgreSQL, not {dialect}")
