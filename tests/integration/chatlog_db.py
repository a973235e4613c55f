"""Looking into the bot's database from a test: what it stored for a chat, row by row.

The bot shows no sign of logging a group message (it does not reply to it), so tests that need
the log complete before `/summary` wait here until the rows are there, as `wait_for` waits for
Bot API calls.

    query(url, sql, **params)            the rows of one statement, on a connection of its own
    unit_of_work(url)                    a unit of work, as another process of the bot opens one
    logged / until_logged / rows_of      a Telegram chat's stored messages, and its rows by table
    settled_claims(url)                  the claims, once none is still started
    speech_counted(url, chat_id)         the characters of speech a chat's days counted
    kept_line_count / until_kept         the transcript lines kept (of every recording)
    until_noted_deleted(url, id)         a deleted message's note
    until_import_seen_alive(url)         an import's mark, once it said it is alive since it began
    tables_holding(url, words)           the tables with `words` anywhere in a row
    kept_in_file / log_in_file           a chat's recordings and log, read from the SQLite file
                                         (while no bot runs: the command line's tests)
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text

from core.infra.storage import SqlAlchemyUnitOfWork, create_engine, session_factory

CHAT_TABLES = ("chat_messages", "chat_summary_state", "chat_preferences")


async def query(url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in await connection.execute(text(sql), params)]
    finally:
        await engine.dispose()


async def speech_counted(url: str, chat_id: str) -> int:
    """The characters of speech the chat's days counted (its own rows: not a person's, not the
    budget's)."""
    rows = await query(url, "SELECT tts_chars FROM chat_usage WHERE chat_id = :chat", chat=chat_id)
    return sum(row[0] for row in rows)


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


async def kept_line_count(url: str) -> int:
    """How many transcript lines the database keeps, of every recording."""
    [(count,)] = await query(url, "SELECT count(*) FROM recording_transcript_parts")
    return int(count)


async def until_kept(url: str, lines: int, timeout: float = 20.0) -> None:
    """Wait until the database keeps `lines` transcript lines; `timeout` only a safety net."""
    deadline = asyncio.get_running_loop().time() + timeout
    while await kept_line_count(url) != lines:
        assert asyncio.get_running_loop().time() < deadline, f"not {lines} kept lines"
        await asyncio.sleep(0.05)


async def until_import_seen_alive(url: str, timeout: float = 15.0) -> None:
    """Wait until a running import has said it is alive since it began (its mark's `seen_at`
    moved on from its start, by the clock its runtime reads)."""
    deadline = asyncio.get_running_loop().time() + timeout
    sql = "SELECT count(*) FROM running_imports WHERE seen_at > started_at"
    while await query(url, sql) == [(0,)]:
        assert asyncio.get_running_loop().time() < deadline, "no import said it was alive"
        await asyncio.sleep(0.05)


async def until_noted_deleted(url: str, message_id: str, timeout: float = 20.0) -> None:
    """Wait until the bot has noted that the message was deleted."""
    deadline = asyncio.get_running_loop().time() + timeout
    sql = "SELECT count(*) FROM deleted_messages WHERE message_id = :id"
    while await query(url, sql, id=message_id) == [(0,)]:
        assert asyncio.get_running_loop().time() < deadline, "the deletion was not noted"
        await asyncio.sleep(0.05)


async def tables_holding(url: str, words: str) -> list[str]:
    """The tables of the bot's database with `words` in any value of any row (bytes read as
    UTF-8), on SQLite and PostgreSQL alike."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
            found = []
            for name in names:
                rows = await connection.execute(text(f'SELECT * FROM "{name}"'))
                if any(words in _readable(value) for row in rows for value in row):
                    found.append(name)
            return found
    finally:
        await engine.dispose()


def _readable(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def kept_in_file(database: Path, chat: str) -> list[tuple[str, ...]]:
    """The recordings kept in `chat`, by message id: (message id, sender, when sent)."""
    return _rows_of_file(
        database,
        "SELECT message_id, author, sent_at FROM recording_transcripts WHERE chat_id = ? "
        "ORDER BY message_id",
        chat,
    )


def log_in_file(database: Path, chat: str) -> list[tuple[str, ...]]:
    """The chat's log for /summary: (message id, kind, sender, text), oldest first."""
    return _rows_of_file(
        database,
        "SELECT message_id, kind, author, text FROM chat_messages WHERE chat_id = ? "
        "ORDER BY sent_at",
        chat,
    )


def _rows_of_file(database: Path, sql: str, *params: str) -> list[tuple[str, ...]]:
    db = sqlite3.connect(database)
    try:
        rows = db.execute(sql, params).fetchall()
    finally:
        db.close()
    return [tuple(map(str, row)) for row in rows]
