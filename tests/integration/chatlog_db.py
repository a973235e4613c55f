"""Looking into the bot's database from a test: what it stored for a chat, row by row.

The bot shows no sign of logging a group message (it does not reply to it), so tests that need
the log complete before `/summary` wait here until the rows are there, as `wait_for` waits for
Bot API calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text

from core.infra.storage import SqlAlchemyUnitOfWork, create_engine, session_factory

CHAT_TABLES = ("chat_messages", "chat_summary_state", "chat_preferences")


async def query(url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in await connection.execute(text(sql), params)]
    finally:
        await engine.dispose()


@asynccontextmanager
async def unit_of_work(url: str) -> AsyncIterator[SqlAlchemyUnitOfWork]:
    """A unit of work on the bot's database, as another process of the bot would open one."""
    engine = create_engine(url)
    try:
        async with SqlAlchemyUnitOfWork(session_factory(engine)) as uow:
            yield uow
    finally:
        await engine.dispose()


async def logged(url: str, chat_id: int) -> list[tuple[str, str, str]]:
    """(author, kind, text) of every stored message of a Telegram chat, in time order."""
    rows = await query(
        url,
        "SELECT author, kind, text FROM chat_messages WHERE platform = 'telegram'"
        " AND chat_id = :chat ORDER BY sent_at, id",
        chat=str(chat_id),
    )
    return [(str(a), str(k), str(t)) for a, k, t in rows]


async def rows_of(url: str, chat_id: int) -> dict[str, int]:
    """How many rows each per-chat table holds for a Telegram chat."""
    counts = {}
    for table in CHAT_TABLES:
        [(count,)] = await query(
            url,
            f"SELECT count(*) FROM {table} WHERE platform = 'telegram' AND chat_id = :chat",
            chat=str(chat_id),
        )
        counts[table] = int(count)
    return counts


async def until_logged(url: str, chat_id: int, count: int, timeout: float = 15.0) -> None:
    """Wait until the chat has `count` stored messages."""
    deadline = asyncio.get_running_loop().time() + timeout
    while len(found := await logged(url, chat_id)) < count:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"expected {count} logged messages in {chat_id}, got {found}")
        await asyncio.sleep(0.02)


async def settled_claims(url: str) -> list[tuple[str, str, str]]:
    """The claims, once none is still started (a command's claim is finished just after its
    answer is sent)."""
    for _ in range(500):
        rows = await query(url, "SELECT platform, chat_id, state FROM processed_updates")
        if all(state != "started" for *_, state in rows):
            return [(str(p), str(c), str(s)) for p, c, s in rows]
        await asyncio.sleep(0.02)
    raise AssertionError(f"claims still started: {rows}")
