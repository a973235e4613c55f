"""SQLite's own: the file (where it is, made private, whether it can be written) and what each
connection is told (WAL, the busy timeout, foreign keys, a write lock taken as a transaction
begins)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import URL, event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import ORMExecuteState, Session

from core.domain.url_secrets import password_quoted

logger = logging.getLogger(__name__)

__all__ = [
    "DELETED",
    "DELETION_TRIES",
    "QUEUE_TIMEOUT_SECONDS",
    "DeletionNotingSession",
    "TransactionQueue",
    "backup_sqlite",
    "begin_deferred",
    "begin_immediate",
    "create_private_file",
    "sqlite_file",
    "sqlite_in_memory",
    "sqlite_pragmas",
    "sqlite_unwritable",
    "truncate_wal",
    "wal_left_to_empty",
]


def sqlite_file(url: str) -> Path | None:
    """The absolute path of the SQLite file `url` names (None for PostgreSQL or in memory)."""
    sa_url = make_url(password_quoted(url))
    if sa_url.get_backend_name() != "sqlite" or sqlite_in_memory(sa_url):
        return None
    return Path(str(sa_url.database)).expanduser().resolve()


def create_private_file(path: Path) -> None:
    """The SQLite file at `path`, and its folder, made readable by this user only (600 and
    700) unless they are there: it holds transcripts, logged messages and voice samples. An
    empty file is an empty database to SQLite, which gives the journal and WAL files it adds
    beside it the database file's permissions."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def backup_sqlite(database: Path, backup: Path) -> None:
    """A copy of the SQLite `database` at `backup`, taken through SQLite (safe while the bot
    runs: what is still in the write-ahead log is in it), readable by this user only (600 from
    its first byte). `database` is opened without being created: a path that names none raises
    `sqlite3.OperationalError`, and makes nothing. `backup` must not exist
    (`FileExistsError`); a backup that failed is removed."""
    import sqlite3

    os.close(os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        source = sqlite3.connect(f"{database.as_uri()}?mode=rw", uri=True)
        try:
            target = sqlite3.connect(backup)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
    except BaseException:
        for leftover in (backup, backup.with_name(f"{backup.name}-journal")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise


def sqlite_unwritable(path: Path) -> str | None:
    """Why the SQLite file at `path` could not be created or written, found by trying (a file
    made and removed in its folder, or the nearest folder there is); None when it could.
    Nothing is left behind."""
    folder = path.parent
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is a file, not a folder"
    try:
        if path.exists():
            path.open("r+b").close()
        # SQLite writes its journal or WAL beside the file.
        handle, trial = tempfile.mkstemp(dir=folder, prefix=".voicebridge-")
        os.close(handle)
        os.unlink(trial)
    except OSError as exc:
        return f"cannot write in {folder} ({exc.strerror})"
    return None


def sqlite_in_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or url.query.get("mode") == "memory"


# How long a transaction waits for SQLite's one write lock before "database is locked": a burst
# of a hundred voice notes queues a few hundred short transactions behind each other.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def sqlite_pragmas(*, wal: bool, reads_only: bool = False) -> Callable[[Any, Any], None]:
    """A connect listener: SQLite forgets these settings with every new connection.
    `reads_only`: the connection refuses to write (`query_only`)."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own BEGIN would be deferred; `begin_immediate` says BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            # Off by default in SQLite; without it ON DELETE CASCADE silently does nothing.
            cursor.execute("PRAGMA foreign_keys=ON")
            # What is deleted is overwritten with zeros, in its page and in pages freed: a
            # forgotten transcript, voice sample or message leaves no bytes in the file; and
            # the write-ahead log, which SQLite otherwise writes over from its start and keeps
            # at its largest, is cut back each time it starts again, so no old copy of a page
            # lingers at its end (`truncate_wal` empties it at once after a deletion).
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute("PRAGMA journal_size_limit=0")
            if wal:
                # Readers no longer block the writer (and the reverse) across connections.
                cursor.execute("PRAGMA journal_mode=WAL")
                # What SQLite advises with WAL: a commit is written, not waited onto the disk
                # (the WAL is synced at checkpoints). A killed process loses nothing committed;
                # a power cut may lose the last transactions, never the file. Each commit's
                # fsync had held the write lock, and a burst of voice notes queued behind them:
                # 9.4 s for 100 notes, 7.5 s without (bench/RESULTS.md, section 3).
                cursor.execute("PRAGMA synchronous=NORMAL")
            if reads_only:
                cursor.execute("PRAGMA query_only=ON")
        finally:
            cursor.close()

    return on_connect


# How long a transaction waits in the process's queue (`TransactionQueue`) before it gives up:
# as long as SQLite's own wait for its write lock.
QUEUE_TIMEOUT_SECONDS = SQLITE_BUSY_TIMEOUT_MS / 1000

# How long a transaction may hold the process's queue (`TransactionQueue`) before the next in
# the queue logs which one it waits behind: a transaction lasts milliseconds, and every other
# waits behind it.
SLOW_TRANSACTION_SECONDS = 5.0


class TransactionQueue:
    """The queue SQLite's transactions wait in, one at a time in this process
    (`core.infra.storage.database_engines.transaction_queue`), remembering which one is at its head.

    A transaction lasts milliseconds, since no use case holds a unit of work open across a
    call to MiMo or a platform. One that lasts `SLOW_TRANSACTION_SECONDS` holds every write of
    the process back, so the first transaction to wait that long logs, once per transaction,
    the task that holds the queue and where it waits (files, lines and functions: nothing of
    what it holds), then waits on until `within` seconds from its start (`TimeoutError`)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None
        self._told: asyncio.Task[Any] | None = None  # the holder logged already

    async def acquire(self, within: float) -> None:
        if not self._lock.locked():  # nobody in the queue: no wait, and no timer for one
            await self._lock.acquire()
            self._holder = asyncio.current_task()
            return
        # One wait, keeping its place in the queue; a timer beside it tells of the slow one ahead.
        telling = asyncio.get_running_loop().call_later(
            SLOW_TRANSACTION_SECONDS, self._tell_slow, SLOW_TRANSACTION_SECONDS
        )
        try:
            async with asyncio.timeout(within):
                await self._lock.acquire()
        finally:
            telling.cancel()
        self._holder = asyncio.current_task()

    def release(self) -> None:
        self._holder = None
        self._lock.release()

    def _tell_slow(self, waited: float) -> None:
        holder = self._holder
        if holder is None or holder is self._told:
            return
        self._told = holder
        frames = holder.get_stack(limit=None)[-6:]
        where = " < ".join(
            f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno} {frame.f_code.co_name}"
            for frame in reversed(frames)
        )
        logger.warning(
            "a transaction waited %.0f s in the queue behind %r, waiting at %s",
            waited, holder.get_name(), where or "(not waiting)",
        )  # fmt: skip


def begin_immediate(connection: Connection) -> None:
    """A begin listener: every SQLite transaction takes the write lock as it starts.

    A deferred transaction that reads first and writes later (a claim: is it there? insert it)
    cannot wait for the lock when another connection wrote in between: SQLite refuses it at
    once with "database is locked", whatever the busy timeout. Taken up front, the lock is
    simply waited for, and the transactions of a burst queue up one after the other. They are
    short: no use case holds a unit of work open across a call to MiMo or a platform.

    A connection set to AUTOCOMMIT (a migration's VACUUM) begins nothing.
    """
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def begin_deferred(connection: Connection) -> None:
    """A begin listener for connections that only read: a read transaction, which in WAL mode
    neither waits for the writer nor makes it wait (the driver itself begins nothing)."""
    connection.exec_driver_sql("BEGIN")


DELETED = "voicebridge.deleted"  # a session's `info` key: it deleted rows before its commit


class DeletionNotingSession(Session):
    """SQLite's sessions: each remembers in its `info` that its transaction deleted rows, so
    that the unit of work empties the write-ahead log once it commits (`truncate_wal`)."""


@event.listens_for(DeletionNotingSession, "do_orm_execute")
def _note_deletes(state: ORMExecuteState) -> Any:
    if not state.is_delete:
        return None
    result = state.invoke_statement()
    if getattr(result, "rowcount", -1) != 0:  # -1: not known (RETURNING), taken as some
        state.session.info[DELETED] = True
    return result


async def truncate_wal(engine: AsyncEngine, *, tries: int = 1) -> None:
    """After a transaction that deleted rows has committed: the write-ahead log copied into the
    file and emptied. `secure_delete` zeroed what was deleted, in the pages the transaction
    wrote; the log still held older copies of those pages (the rows as they were kept) until
    it was written over. A reader of an older snapshot (a search, `voicebridge find` or a
    backup in another process) keeps the log from being emptied, and nothing waits for it:
    the checkpoint is asked without SQLite's busy wait (so no write waits behind it), `tries`
    times `WAL_RETRY_SECONDS` apart, and where it could not be done the database is marked:
    the next unit of work of the process to end asks again (`wal_left_to_empty`). Run outside
    any transaction, and outside the process's queue of transactions: on the driver's own
    connection, which begins none."""
    where = str(engine.url.database)
    async with engine.connect() as connection:
        driver: Any = (await connection.get_raw_connection()).driver_connection  # aiosqlite's
        await driver.execute("PRAGMA busy_timeout=0")
        try:
            for attempt in range(tries):
                if attempt:
                    await asyncio.sleep(WAL_RETRY_SECONDS)
                cursor = await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                busy, _, _ = await cursor.fetchone()
                await cursor.close()
                if not busy:
                    _LEFT_TO_EMPTY.discard(where)
                    return
        finally:
            await driver.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    if where not in _LEFT_TO_EMPTY:
        logger.info("a deletion's write-ahead log is emptied once its readers are done")
    _LEFT_TO_EMPTY.add(where)


def wal_left_to_empty(engine: AsyncEngine) -> bool:
    """Whether a deletion left the database's write-ahead log to be emptied (`truncate_wal`)."""
    return str(engine.url.database) in _LEFT_TO_EMPTY


_LEFT_TO_EMPTY: set[str] = set()  # SQLite files whose log holds what a deletion removed
WAL_RETRY_SECONDS = 0.1
DELETION_TRIES = 5  # the deleting unit of work's own: half a second at most
