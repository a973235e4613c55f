"""Database fixtures: real SQLite always, real PostgreSQL when TEST_DATABASE_URL is set.

Loaded as a pytest plugin from tests/conftest.py (`pytest_plugins = ["tests.db_fixtures"]`).

PostgreSQL isolation: each test gets a database of its own, created from TEST_DATABASE_URL's
server under a random name and dropped (WITH FORCE) afterwards. Chosen over the alternatives
because:
- the URL handed to the test is an ordinary URL, so everything that takes a URL (the composition
  root, Alembic, a bot started in a subprocess) uses it unchanged; a per-test schema would need
  `search_path` passed outside the URL, which asyncpg cannot take from it;
- nothing else can touch it: several engineers, CI and parallel workers share the one server, and
  dropping "all tables" before each test would wipe theirs mid-run;
- it starts truly empty whatever later migrations add (tables, types, sequences), and a test that
  dies halfway leaves nothing that the next run trips over.
It costs about 0.1 s per test and needs a role allowed to CREATE DATABASE (CI's postgres is).

SQLite: a migrated database (`database_url`, and the bots' `sqlite_url` in
tests/integration/conftest.py) is a copy of one this worker migrated at its first need, modes
included (`migrated_sqlite_at`): the same file the migrations make (they add no data that
depends on the moment), without running the twenty-odd of them again for each of some hundreds
of tests (about 0.1 s of CPU each time, half of a bot's start in this process). Tests of the
migrations themselves, and of a first start on nothing, begin from `empty_database_url` or a
path of their own.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import uuid4

import pytest
import pytest_asyncio
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from core.infra.storage import SqlAlchemyUnitOfWork, create_engine, session_factory, upgrade

POSTGRES_ENV = "TEST_DATABASE_URL"
NO_POSTGRES = (
    f"PostgreSQL tests need {POSTGRES_ENV}, e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def postgres_server_url() -> str | None:
    """TEST_DATABASE_URL with the asyncpg driver, whichever driver it named."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        return None
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise pytest.UsageError(f"{POSTGRES_ENV} must be a PostgreSQL URL, got {parsed!r}")
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


@asynccontextmanager
async def scratch_postgres_database(server_url: str) -> AsyncIterator[str]:
    """A new, empty database on the server of `server_url`, dropped on exit."""
    name = f"voicebridge_test_{uuid4().hex[:16]}"
    # CREATE/DROP DATABASE cannot run inside a transaction.
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            # FORCE: a test that failed before disposing its engine must not block the drop.
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@pytest_asyncio.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
async def empty_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """The URL of a database with nothing in it, not even Alembic's version table."""
    if request.param == "sqlite":
        # A subdirectory that does not exist yet: the storage layer must create it.
        path = tmp_path_factory.mktemp("db") / "data" / "voicebridge.db"
        yield f"sqlite+aiosqlite:///{path}"
        return
    server_url = postgres_server_url()
    if server_url is None:
        pytest.skip(NO_POSTGRES)
    async with scratch_postgres_database(server_url) as url:
        yield url


@pytest_asyncio.fixture
async def database_url(empty_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of an empty database migrated to the newest revision."""
    path = sqlite_path(empty_database_url)
    if path is None:
        await upgrade(empty_database_url)
    else:
        await migrated_sqlite_at(path, tmp_path_factory)
    return empty_database_url


async def migrated_sqlite_at(path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A SQLite database migrated to the newest revision at `path`, its folder made as the
    storage layer makes it where there is none (private): a copy of this worker's."""
    migrated = await _migrated_sqlite(tmp_path_factory)
    if not path.parent.exists():
        path.parent.mkdir(parents=True)
        shutil.copymode(migrated.parent, path.parent)
    shutil.copy2(migrated, path)  # the file's mode too


_MIGRATED: list[Path] = []  # this worker's migrated SQLite database, once made


async def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to the newest revision, alone in a folder the storage layer
    made, at the first call of this process (and left alone: each test copies it)."""
    if not _MIGRATED:
        path = tmp_path_factory.mktemp("migrated") / "data" / "voicebridge.db"
        await upgrade(f"sqlite+aiosqlite:///{path}")
        _MIGRATED.append(path)
    return _MIGRATED[0]


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL as `empty_database_url` makes it, or None (PostgreSQL)."""
    prefix = "sqlite+aiosqlite:///"
    return Path(url.removeprefix(prefix)) if url.startswith(prefix) else None


@pytest_asyncio.fixture
async def postgres_database_url() -> AsyncIterator[str]:
    """A scratch PostgreSQL database, empty and not migrated, for what only PostgreSQL has."""
    server_url = postgres_server_url()
    if server_url is None:
        pytest.skip(NO_POSTGRES)
    async with scratch_postgres_database(server_url) as url:
        yield url


@pytest_asyncio.fixture
async def uow_factory(database_url: str) -> AsyncIterator[Callable[[], SqlAlchemyUnitOfWork]]:
    """Makes real units of work on `database_url`; one engine for the whole test."""
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    yield lambda: SqlAlchemyUnitOfWork(sessions)
    await engine.dispose()
