"""Engines, sessions and schema migrations.

Migrations run through Alembic's own commands with a `Config` built here, since the project has
no alembic.ini: the scripts ship inside the `migrations` package, so an installed voicebridge
finds them wherever it runs from.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.pool import NullPool

import migrations
from core.domain.errors import ConfigError
from core.domain.url_secrets import is_secret, password_quoted
from core.infra.storage.sqlite_setup import (
    DeletionNotingSession,
    TransactionQueue,
    begin_deferred,
    begin_immediate,
    create_private_file,
    sqlite_file,
    sqlite_in_memory,
    sqlite_pragmas,
    sqlite_unwritable,
)

__all__ = ["MIGRATIONS_DIR", "MIGRATION_LOCK_KEY", "PoolLimits", "alembic_config",
           "check_connection", "create_engine", "create_marks_engine", "create_minute_engine",
           "create_reading_engine", "current_revision", "downgrade", "head_revision",
           "known_revision", "one_at_a_time", "session_factory", "transaction_queue", "upgrade",
           "where"]  # fmt: skip

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent
T = TypeVar("T")

# Alembic keeps the running migration's context in module globals, so two commands at once in
# one process would step on each other. Separate processes (replicas) go one at a time through a
# PostgreSQL advisory lock in env.py instead.
_alembic_lock = threading.Lock()
# The advisory lock's key: any constant, as long as only voicebridge's migrations take it.
MIGRATION_LOCK_KEY = 0x766F6963


@dataclass(frozen=True)
class PoolLimits:
    """The PostgreSQL connections one process may hold: every replica has a pool of its own,
    and all of them together must stay below the server's `max_connections`."""

    size: int = 5  # held open
    max_overflow: int = 10  # opened beyond `size` at busy times, closed once returned
    timeout_seconds: float = 30.0  # how long a request waits for a free one before failing
    recycle_seconds: int = 1800  # age at which one is replaced; -1: never

    def options(self) -> dict[str, Any]:
        return {
            "pool_size": self.size,
            "max_overflow": self.max_overflow,
            "pool_timeout": self.timeout_seconds,
            "pool_recycle": self.recycle_seconds,
        }


def create_engine(url: str, *, pool: PoolLimits | None = None, **pool_options: Any) -> AsyncEngine:
    """An async engine set up for the database behind `url` (SQLite or PostgreSQL).

    `pool` sizes PostgreSQL's connection pool; SQLite ignores it and keeps SQLAlchemy's
    defaults, since its connections are files on this machine, not a server's to ration.
    """
    sa_url = make_url(password_quoted(url))
    # A failed statement's message would otherwise carry its bound values into the log: a
    # stored interaction token, a chat's text.
    options = {"hide_parameters": True, **pool_options}
    if sa_url.get_backend_name() != "sqlite":
        # Replicas hold pooled connections for a long time; a restarted server must not turn
        # the first query after it into an error.
        sized = pool.options() if pool is not None else {}
        return _create_async_engine(sa_url, **{"pool_pre_ping": True, **sized, **options})
    in_memory = sqlite_in_memory(sa_url)
    if not in_memory:
        create_private_file(Path(str(sa_url.database)))
    engine = _create_async_engine(sa_url, **options)
    event.listen(engine.sync_engine, "connect", sqlite_pragmas(wal=not in_memory))
    event.listen(engine.sync_engine, "begin", begin_immediate)
    return engine


def create_reading_engine(url: str) -> AsyncEngine | None:
    """SQLite: an engine whose transactions only read (searches, `core.app.memory.chat_search`).
    Each begins deferred (`BEGIN`: in WAL mode a read takes a snapshot and no lock a writer waits
    for) and its connections refuse to write (`query_only`), so a long search never holds the write
    lock that `begin_immediate` takes for every other transaction. None for PostgreSQL, where a read
    never blocks a write: reads use the main engine."""
    sa_url = make_url(password_quoted(url))
    if sa_url.get_backend_name() != "sqlite":
        return None
    if sqlite_in_memory(sa_url):
        return None  # another connection would be another database
    engine = _create_async_engine(sa_url, hide_parameters=True)
    event.listen(engine.sync_engine, "connect", sqlite_pragmas(wal=True, reads_only=True))
    event.listen(engine.sync_engine, "begin", begin_deferred)
    return engine


MARKS_POOL = PoolLimits(size=3, max_overflow=0)


def create_marks_engine(url: str) -> AsyncEngine | None:
    """PostgreSQL: an engine for marking answered work done (`core.app.rules.work_claims`), beside
    the main one, so that a mark, made the moment an answer goes out, waits neither for a connection
    behind the work's queries nor for more round trips than one. Each mark is one UPDATE, which
    commits itself (no BEGIN, no COMMIT); the server does not wait for its disk before saying so
    (`synchronous_commit` off: a server crash may forget the last fraction of a second of marks,
    which only means that work redone). No check of the connection before use: a mark on a broken
    one fails, and is made again at the end of its work's handling, through the main engine. None
    for SQLite, whose transactions wait in one queue whatever the engine."""
    if make_url(password_quoted(url)).get_backend_name() == "sqlite":
        return None
    return create_engine(
        url,
        pool=MARKS_POOL,
        pool_pre_ping=False,
        isolation_level="AUTOCOMMIT",
        connect_args={"server_settings": {"synchronous_commit": "off"}},
    )


MINUTE_POOL = PoolLimits(size=2, max_overflow=2)


def create_minute_engine(url: str) -> AsyncEngine | None:
    """PostgreSQL: an engine for the uses of MiMo's minute that replicas share
    (`core.infra.storage.mimo_minute.shared_ledger_in_database`), beside the main one for the marks'
    reason: a request takes its use the moment before it is sent, and must not wait for a connection
    behind the work's queries. Each use is one transaction of a few milliseconds under its model's
    advisory lock; the server does not wait for its disk before saying it committed
    (`synchronous_commit` off: a server crash may forget the last fraction of a second of uses, and
    MiMo's 429, if it comes, slows the queue). No check of a connection before use: a dropped one is
    replaced and the use taken again. None for SQLite, whose one process holds the minute in
    memory."""
    if make_url(password_quoted(url)).get_backend_name() == "sqlite":
        return None
    return create_engine(
        url,
        pool=MINUTE_POOL,
        pool_pre_ping=False,
        connect_args={"server_settings": {"synchronous_commit": "off"}},
    )


def transaction_queue(url: str) -> TransactionQueue | None:
    """For SQLite, a queue the process's transactions wait in, one at a time (None elsewhere).

    SQLite has one write lock per file, and every transaction takes it as it begins
    (`begin_immediate`). Left to SQLite, a transaction that finds it taken sleeps and tries
    again, sleeping longer each time (up to 100 ms), so with many waiting the lock sits idle
    between their naps: a hundred voice messages arriving at once got their transcripts about
    four a second. Waiting in an asyncio lock instead, the next transaction starts the moment
    the last one ends. Another process on the same file (the command line's `db` commands)
    still meets SQLite's own wait. PostgreSQL locks rows, not the database: no queue there."""
    sqlite = make_url(password_quoted(url)).get_backend_name() == "sqlite"
    return TransactionQueue() if sqlite else None


def loggable_url(url: str) -> str:
    """`url` fit for a log line: its password and every secret query parameter shown as ***."""
    sa_url = make_url(password_quoted(url))
    hidden = {name: _HIDDEN for name in sa_url.query if is_secret(name)}
    shown = sa_url.update_query_dict(hidden).render_as_string(hide_password=True)
    return shown.replace(quote(_HIDDEN, safe=""), _HIDDEN)


_HIDDEN = "***"  # as SQLAlchemy shows a hidden password


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: values read in a block stay usable after commit() without another
    # round trip (an async session cannot lazily reload them anyway).
    if engine.dialect.name == "sqlite":
        return async_sessionmaker(
            engine, expire_on_commit=False, sync_session_class=DeletionNotingSession
        )
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    """Alembic's configuration for `url`, as an alembic.ini would have said it."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    # Revisions named like 0002_what_changed.py when created with --rev-id 0002.
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    # ConfigParser interpolates %, which URL-encoded passwords contain.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    _tidy_new_revisions(config)
    return config


def _tidy_new_revisions(config: Config) -> None:
    """Run ruff on each new revision script, so generated migrations pass the lint as written.

    Only the `revision` command runs these hooks: upgrading never needs ruff installed. Where
    ruff is not installed (it comes with the `lint` extras, not the tests'), the script is
    written as Alembic makes it, and `.ci/run`'s ruff says what to tidy.
    """
    if importlib.util.find_spec("ruff") is None:
        return
    hooks = {
        "hooks": "ruff_fix, ruff_format",
        "ruff_fix.type": "module",
        "ruff_fix.module": "ruff",
        "ruff_fix.options": "check --fix REVISION_SCRIPT_FILENAME",
        "ruff_format.type": "module",
        "ruff_format.module": "ruff",
        "ruff_format.options": "format REVISION_SCRIPT_FILENAME",
    }
    for name, value in hooks.items():
        config.set_section_option("post_write_hooks", name, value)


@dataclass(frozen=True)
class Upgraded:
    """Where an upgrade left the schema, and how many migrations it applied to get there;
    `before`: where it found it (None: a database with no tables yet)."""

    revision: str | None
    applied: int
    before: str | None = None


async def upgrade(url: str, revision: str = "head") -> Upgraded:
    """Bring the schema up to `revision`.

    Alembic's commands are synchronous and env.py starts its own event loop, so they run in a
    thread; that keeps this callable from a running loop without blocking it. The revision is
    read before and after in that thread too: on SQLite a read waits for another process's
    write lock as the migration does, and a stop must not wait with it.
    """
    return await _left_behind_when_cancelled(_upgrade, url, revision)


def _upgrade(url: str, revision: str) -> Upgraded:
    config = alembic_config(url)
    # The reads around the migration wait for it too: upgrades started together on a
    # new SQLite file each switched it to WAL as they connected, and SQLite refuses that switch
    # at once ("database is locked", whatever the busy timeout) while another connection has
    # the file open for it.
    with _alembic_lock:
        before = asyncio.run(current_revision(url))
        command.upgrade(config, revision)
        after = asyncio.run(current_revision(url))
    return Upgraded(after, _steps(config, before, after), before)


async def _left_behind_when_cancelled(work: Callable[..., T], *args: Any) -> T:
    """`work(*args)` in a daemon thread of its own. Cancelled (the bot stopped while it
    migrates, perhaps waiting for another process's lock on the database), it is left behind
    instead of waited for, so the process can end at once; a migration cut short that way is
    rolled back by the database, as after a crash (each step is a transaction: PostgreSQL's
    whole upgrade, SQLite's each migration), and the next start does it again."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if done.done():
            return
        if error is None:
            done.set_result(cast(T, result))
        else:
            done.set_exception(error)

    def run() -> None:
        result: T | None = None
        error: BaseException | None = None
        try:
            result = work(*args)
        except BaseException as exc:  # handed to the awaiting task, which raises it
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody waits any more
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=run, name="migrations", daemon=True).start()
    return await done


def _steps(config: Config, lower: str | None, upper: str | None) -> int:
    """The migrations from `lower` (exclusive) up to `upper` (another replica may have applied
    some of them: the count is what the schema moved, whoever moved it)."""
    if upper is None or upper == lower:
        return 0
    scripts = ScriptDirectory.from_config(config)
    return sum(1 for _ in scripts.iterate_revisions(upper, lower or "base"))


async def downgrade(url: str, revision: str) -> None:
    await asyncio.to_thread(one_at_a_time, command.downgrade, alembic_config(url), revision)


async def current_revision(url: str) -> str | None:
    """The revision the database is at, or None for a database never migrated."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_read_revision)
    finally:
        await engine.dispose()


def where(url: str) -> str:
    """The database for a person to find, wherever the process started: the URL without its
    secrets, an SQLite file's path made absolute."""
    path = sqlite_file(url)
    if path is None:
        return loggable_url(url)
    absolute = make_url(password_quoted(url)).set(database=str(path))
    return loggable_url(absolute.render_as_string(hide_password=False))


async def check_connection(url: str) -> None:
    """Connect once. A server out of reach raises what the driver raised (an `OSError`, a
    `TimeoutError`: worth trying again); what only a change of DATABASE_URL fixes (a refused
    login, a database that does not exist, an SQLite file that cannot be opened) raises
    `ConfigError` saying so in one line, secrets left out."""
    try:
        engine = create_engine(url, poolclass=NullPool)
    except OSError as exc:  # the SQLite file's folder cannot be made
        path = sqlite_file(url)
        why = (sqlite_unwritable(path) if path is not None else None) or exc.strerror
        raise ConfigError(f"DATABASE_URL: cannot create {where(url)}: {why}") from None
    try:
        async with asyncio.timeout(CONNECT_SECONDS), engine.connect():
            pass
    except DBAPIError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
        raise ConfigError(f"DATABASE_URL ({where(url)}) was refused: {reason}") from None
    finally:
        await engine.dispose()


CONNECT_SECONDS = 10.0  # one try; PostgreSQL answers a login in milliseconds


def head_revision() -> str:
    """The newest migration this release has."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return str(script.get_current_head())


def known_revision(revision: str) -> bool:
    """Whether `revision` is one of this release's migrations (a newer release's is not)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return (
            ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(revision)
            is not None
        )
    except CommandError:
        return False


def one_at_a_time(
    alembic_command: Callable[..., None], config: Config, revision: str, **options: Any
) -> None:
    """An Alembic command, alone in this process: Alembic's `context` is one per process, and
    a migration a stop left behind (`_left_behind_when_cancelled`) may still run in a thread."""
    with _alembic_lock:
        alembic_command(config, revision, **options)


def _read_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
