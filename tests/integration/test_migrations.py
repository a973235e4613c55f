"""Alembic migrations on real databases: they apply, undo, and match the models exactly."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from core.infra.storage import (
    Base,
    alembic_config,
    create_engine,
    current_revision,
    downgrade,
    upgrade,
)
from core.infra.storage.database_engines import MIGRATION_LOCK_KEY, one_at_a_time
from core.infra.storage.recordings.search_in_database import include_object

HEAD = "0034"
REPO_ROOT = Path(__file__).resolve().parents[2]


async def on_connection(url: str, work: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(work)
    finally:
        await engine.dispose()


def schema_differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "compare_server_default": True,
            "include_object": include_object,
        },
    )
    return list(compare_metadata(context, Base.metadata))


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def words_allowed(sql: str) -> set[str]:
    """The quoted words a check's SQL lets a column hold, however the database writes it back
    (PostgreSQL: `destination::text = ANY (ARRAY['owner'::character varying, ...])`)."""
    return set(re.findall(r"'([^']*)'", sql))


def checks_held(connection: Connection) -> dict[str, set[str]]:
    inspector = inspect(connection)
    return {
        check["name"]: words_allowed(check["sqltext"])
        for table in inspector.get_table_names()
        for check in inspector.get_check_constraints(table)
    }


def test_the_migrations_have_one_head_and_it_is_the_newest() -> None:
    # Two branches each adding a migration on top of the same parent give two heads, and
    # `upgrade head` then refuses to run: catch it here instead of at start-up.
    assert ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads() == [HEAD]


async def test_upgrade_builds_exactly_the_schema_of_the_models(empty_database_url: str) -> None:
    assert await current_revision(empty_database_url) is None
    await upgrade(empty_database_url)
    assert await current_revision(empty_database_url) == HEAD
    assert await on_connection(empty_database_url, schema_differences) == []


async def test_the_databases_checks_allow_the_words_the_models_allow(
    empty_database_url: str,
) -> None:
    # Autogenerate compares no check constraint: a word added to a model's (a Business
    # destination, a voice's kind, from the domain's tuple) without a migration would pass the
    # test above and be refused by every database already upgraded.
    await upgrade(empty_database_url)
    held = await on_connection(empty_database_url, checks_held)
    modelled = {
        str(check.name): words_allowed(str(check.sqltext))
        for table in Base.metadata.sorted_tables
        for check in table.constraints
        if isinstance(check, CheckConstraint)
    }
    assert modelled  # the models hold checks
    assert {name: held.get(name) for name in modelled} == modelled


async def test_downgrade_to_base_removes_the_tables_and_upgrade_works_again(
    empty_database_url: str,
) -> None:
    await upgrade(empty_database_url)
    await downgrade(empty_database_url, "base")
    assert await current_revision(empty_database_url) is None
    assert await on_connection(empty_database_url, table_names) <= {"alembic_version"}

    await upgrade(empty_database_url)
    assert await current_revision(empty_database_url) == HEAD
    assert await on_connection(empty_database_url, schema_differences) == []


async def test_upgrading_an_up_to_date_database_changes_nothing(database_url: str) -> None:
    await upgrade(database_url)
    assert await current_revision(database_url) == HEAD


async def test_upgrades_started_together_in_one_process_run_one_at_a_time(
    empty_database_url: str,
) -> None:
    await asyncio.gather(*(upgrade(empty_database_url) for _ in range(3)))
    assert await current_revision(empty_database_url) == HEAD


async def test_replicas_starting_together_upgrade_once(empty_database_url: str) -> None:
    """Three processes start while the migration lock is taken; all finish once it is free."""
    if not empty_database_url.startswith("postgresql"):
        pytest.skip("replicas share PostgreSQL; SQLite serves one process")
    engine = create_engine(empty_database_url)
    try:
        async with engine.connect() as holder:
            await holder.execute(text(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
            replicas = [await start_replica_upgrade(empty_database_url) for _ in range(3)]
            await wait_for_lock_waiters(holder, count=3)
            await holder.execute(text(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
            results = [await replica.communicate() for replica in replicas]
    finally:
        await engine.dispose()
    assert [replica.returncode for replica in replicas] == [0, 0, 0], results
    assert await current_revision(empty_database_url) == HEAD


async def start_replica_upgrade(url: str) -> asyncio.subprocess.Process:
    code = (
        "import asyncio, sys; from core.infra.storage import upgrade; "
        "asyncio.run(upgrade(sys.argv[1]))"
    )
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, url, cwd=REPO_ROOT, stderr=asyncio.subprocess.PIPE
    )


async def wait_for_lock_waiters(connection: AsyncConnection, *, count: int) -> None:
    waiting = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    for _ in range(600):
        await connection.commit()  # a fresh snapshot of pg_locks each time
        if await connection.scalar(waiting) == count:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"{count} upgrades never queued on the migration lock")


async def test_the_alembic_command_line_falls_back_to_the_database_url_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'from-settings.db'}"
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", url)
    config = alembic_config("unused")
    config.remove_main_option("sqlalchemy.url")

    await asyncio.to_thread(one_at_a_time, command.upgrade, config, "head")

    assert await current_revision(url) == HEAD


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite+aiosqlite:///offline.db", "DEFAULT 1 NOT NULL"),
        ("postgresql+asyncpg://nobody@nowhere/none", "DEFAULT true NOT NULL"),
    ],
)
def test_offline_mode_prints_the_sql_without_a_database(
    url: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    one_at_a_time(command.upgrade, alembic_config(url), "head", sql=True)
    sql = capsys.readouterr().out
    assert "CREATE TABLE chat_preferences" in sql
    assert f"auto_transcribe BOOLEAN {expected}" in sql


async def test_0002_upgrades_downgrades_and_upgrades_again_keeping_preferences(
    empty_database_url: str,
) -> None:
    """The chat log arrives on top of a database that already has preferences, and leaves
    without touching them."""
    await upgrade(empty_database_url, "0001")
    await on_connection(empty_database_url, insert_preferences)

    await upgrade(empty_database_url, "0002")
    assert {"chat_messages", "chat_summary_state"} <= await on_connection(
        empty_database_url, table_names
    )
    await downgrade(empty_database_url, "0001")
    assert await current_revision(empty_database_url) == "0001"
    tables = await on_connection(empty_database_url, table_names)
    assert "chat_messages" not in tables
    assert "chat_summary_state" not in tables
    assert await on_connection(empty_database_url, count_preferences) == 1

    await upgrade(empty_database_url)  # on to the newest: only that matches the models
    assert await on_connection(empty_database_url, schema_differences) == []
    assert await on_connection(empty_database_url, count_preferences) == 1


def insert_preferences(connection: Connection) -> None:
    connection.execute(
        text("INSERT INTO chat_preferences (platform, chat_id) VALUES ('telegram', '-100')")
    )
    connection.commit()


def count_preferences(connection: Connection) -> int:
    return int(connection.execute(text("SELECT count(*) FROM chat_preferences")).scalar_one())


def test_offline_mode_prints_the_chat_log_tables(capsys: pytest.CaptureFixture[str]) -> None:
    one_at_a_time(
        command.upgrade,
        alembic_config("postgresql+asyncpg://nobody@nowhere/none"),
        "head",
        sql=True,
    )
    sql = capsys.readouterr().out
    assert "CREATE TABLE chat_messages" in sql
    assert (
        "CREATE INDEX ix_chat_messages_chat_time ON chat_messages (platform, chat_id, sent_at)"
        in sql
    )
    assert "CREATE TABLE chat_summary_state" in sql


async def test_0003_adds_the_claims_and_removes_them_keeping_the_chat_log(
    empty_database_url: str,
) -> None:
    """The claims table arrives on top of a database with a chat log, and leaves without
    touching it."""
    await upgrade(empty_database_url, "0002")
    await on_connection(empty_database_url, insert_chat_message)

    await upgrade(empty_database_url, "0003")
    assert "processed_updates" in await on_connection(empty_database_url, table_names)
    await downgrade(empty_database_url, "0002")
    assert "processed_updates" not in await on_connection(empty_database_url, table_names)
    assert await on_connection(empty_database_url, count_chat_messages) == 1

    await upgrade(empty_database_url)
    assert await on_connection(empty_database_url, schema_differences) == []
    assert await on_connection(empty_database_url, count_chat_messages) == 1


def insert_chat_message(connection: Connection) -> None:
    connection.execute(
        text(
            "INSERT INTO chat_messages (platform, chat_id, message_id, kind, author, sent_at, text)"
            " VALUES ('telegram', '-100', '7', 'text', 'Ann', CURRENT_TIMESTAMP, 'hello')"
        )
    )
    connection.commit()


def count_chat_messages(connection: Connection) -> int:
    return int(connection.execute(text("SELECT count(*) FROM chat_messages")).scalar_one())


async def test_0007_adds_the_chat_languages_and_removes_them_keeping_preferences(
    empty_database_url: str,
) -> None:
    """The two language columns arrive on a table that already has preferences (empty for
    them), and leave without taking the preferences along."""
    await upgrade(empty_database_url, "0005")
    await on_connection(empty_database_url, insert_preferences)

    await upgrade(empty_database_url, "0007")
    assert await on_connection(empty_database_url, stored_languages) == [(None, None)]
    await downgrade(empty_database_url, "0005")
    columns = await on_connection(empty_database_url, preference_columns)
    assert not {"interface_language", "commander_language"} & columns
    assert await on_connection(empty_database_url, count_preferences) == 1

    await upgrade(empty_database_url)
    assert await on_connection(empty_database_url, schema_differences) == []


async def test_0008_counts_seconds_asked_about_and_keeps_each_days_usage(
    empty_database_url: str,
) -> None:
    """The count of seconds asked about arrives on a day already counted (as 0), and leaves
    without touching the rest of it."""
    await upgrade(empty_database_url, "0007")
    await on_connection(empty_database_url, insert_usage)

    await upgrade(empty_database_url, "0008")
    assert await on_connection(empty_database_url, usage_row) == {"summaries": 2, "ask_seconds": 0}
    await downgrade(empty_database_url, "0007")
    assert await on_connection(empty_database_url, usage_row) == {"summaries": 2}

    await upgrade(empty_database_url)
    assert await on_connection(empty_database_url, schema_differences) == []


async def test_0019_existing_cloned_voices_start_unshared(empty_database_url: str) -> None:
    """Nobody has shared a voice cloned before sharing existed: each starts unshared, and the
    column leaves without taking the voices along."""
    await upgrade(empty_database_url, "0018")
    await on_connection(empty_database_url, insert_cloned_voice)

    await upgrade(empty_database_url, "0019")
    assert await on_connection(empty_database_url, voice_row) == {"name": "Ann", "shared": False}
    await downgrade(empty_database_url, "0018")
    assert await on_connection(empty_database_url, voice_row) == {"name": "Ann"}

    await upgrade(empty_database_url)
    assert await on_connection(empty_database_url, schema_differences) == []


async def test_0034_adds_the_minutes_tables_and_takes_them_away(empty_database_url: str) -> None:
    """MiMo's minute as replicas share it: its uses and each process's queue, new and empty (the
    minute before the upgrade is MiMo's to remember), and gone again on the way down."""
    minute = {"minute_turns", "minute_lines"}
    await upgrade(empty_database_url, "0033")
    assert not minute & await on_connection(empty_database_url, table_names)

    await upgrade(empty_database_url, "0034")
    assert minute <= await on_connection(empty_database_url, table_names)
    await on_connection(empty_database_url, insert_minute)
    await downgrade(empty_database_url, "0033")
    assert not minute & await on_connection(empty_database_url, table_names)

    await upgrade(empty_database_url)
    assert await on_connection(empty_database_url, schema_differences) == []


def insert_minute(connection: Connection) -> None:
    connection.execute(
        text(
            "INSERT INTO minute_turns (model, taken_at, answered_at, tokens, live, instance)"
            " VALUES ('mimo-v2.5-asr', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 66, true, 'one')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO minute_lines (model, owner, instance, seen_at, live)"
            " VALUES ('mimo-v2.5-asr', 'one/1a2b3c4d', 'one', CURRENT_TIMESTAMP, 2)"
        )
    )
    connection.commit()


def insert_cloned_voice(connection: Connection) -> None:
    connection.execute(
        text(
            "INSERT INTO chat_voices (platform, chat_id, name, name_key, kind, description,"
            " sample_mime, owner_id) VALUES ('telegram', '-100', 'Ann', 'ann', 'cloned', '',"
            " 'audio/mpeg', '42')"
        )
    )
    connection.commit()


def voice_row(connection: Connection) -> dict[str, object]:
    row = connection.execute(text("SELECT * FROM chat_voices")).mappings().one()
    return {name: row[name] for name in ("name", "shared") if name in row}


def stored_languages(connection: Connection) -> list[tuple[Any, ...]]:
    rows = connection.execute(
        text("SELECT interface_language, commander_language FROM chat_preferences")
    )
    return [tuple(row) for row in rows]


def preference_columns(connection: Connection) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns("chat_preferences")}


def insert_usage(connection: Connection) -> None:
    connection.execute(
        text(
            "INSERT INTO chat_usage (platform, chat_id, day, summaries)"
            " VALUES ('telegram', '-100', '2026-12-05', 2)"
        )
    )
    connection.commit()


def usage_row(connection: Connection) -> dict[str, int]:
    row = connection.execute(text("SELECT * FROM chat_usage")).mappings().one()
    return {name: row[name] for name in ("summaries", "ask_seconds") if name in row}


async def test_an_upgrade_waiting_for_another_process_lock_ends_at_once_when_cancelled(
    tmp_path: Path,
) -> None:
    """A bot stopped while it migrates must not wait for SQLite's busy timeout (30 s) behind
    another process's write lock: the upgrade, the reads of the revision included, is left to
    its thread, and the database rolls back whatever it had begun."""
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)  # another process, as SQLite sees it
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN IMMEDIATE")
    try:
        upgrading = asyncio.create_task(upgrade(f"sqlite+aiosqlite:///{path}"))
        async with asyncio.timeout(30):  # until its thread is there, waiting for the lock
            while not any(t.name == "migrations" for t in threading.enumerate()):
                await asyncio.sleep(0.01)
        upgrading.cancel()
        done, _ = await asyncio.wait({upgrading}, timeout=20)  # a safety net
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert upgrading in done and upgrading.cancelled()
