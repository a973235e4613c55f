"""Preferences through the real unit of work, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from core.domain.shared_values import ChatRef, Preferences
from core.infra.storage import (
    ChatPreferencesRow,
    SqlAlchemyUnitOfWork,
    create_engine,
    session_factory,
    sqlite_setup,
)
from core.infra.storage.database_engines import transaction_queue
from tests.waiting import until

UowFactory = Callable[[], SqlAlchemyUnitOfWork]

TELEGRAM_CHAT = ChatRef("telegram", "-1001234567890")
CUSTOM = Preferences(
    voice="Mia",
    style="calm, 慢一点",
    language="zh",
    auto_transcribe=False,
    tts_model="mimo-v2-tts",
    interface_language="zh_Hant",
    commander_language="ja",
)


async def saved(uow_factory: UowFactory, chat: ChatRef, prefs: Preferences) -> None:
    async with uow_factory() as uow:
        await uow.preferences.save(chat, prefs)
        await uow.commit()


async def loaded(uow_factory: UowFactory, chat: ChatRef) -> Preferences:
    async with uow_factory() as uow:
        return await uow.preferences.get(chat)


class TestPreferences:
    async def test_an_unknown_chat_gets_the_defaults(self, uow_factory: UowFactory) -> None:
        assert await loaded(uow_factory, TELEGRAM_CHAT) == Preferences()

    async def test_saved_preferences_come_back_in_a_new_unit_of_work(
        self, uow_factory: UowFactory
    ) -> None:
        await saved(uow_factory, TELEGRAM_CHAT, CUSTOM)
        assert await loaded(uow_factory, TELEGRAM_CHAT) == CUSTOM

    async def test_saving_again_replaces_every_value(self, uow_factory: UowFactory) -> None:
        await saved(uow_factory, TELEGRAM_CHAT, CUSTOM)
        back_to_defaults = Preferences(voice="Tom")
        await saved(uow_factory, TELEGRAM_CHAT, back_to_defaults)
        assert await loaded(uow_factory, TELEGRAM_CHAT) == back_to_defaults

    async def test_a_save_is_visible_later_in_the_same_unit_of_work(
        self, uow_factory: UowFactory
    ) -> None:
        async with uow_factory() as uow:
            await uow.preferences.get(TELEGRAM_CHAT)
            await uow.preferences.save(TELEGRAM_CHAT, CUSTOM)
            assert await uow.preferences.get(TELEGRAM_CHAT) == CUSTOM

    async def test_the_commander_s_language_is_stored_without_touching_the_rest(
        self, uow_factory: UowFactory, database_url: str
    ) -> None:
        """A command's own change and the note of who ran it are written side by side: the note
        keeps a chat's other preferences, and makes a row of defaults where there is none."""
        other = ChatRef("telegram", "-42")
        if database_url.startswith("sqlite"):
            # SQLite runs one write transaction at a time: the note follows the change.
            await saved(uow_factory, TELEGRAM_CHAT, CUSTOM)
            async with uow_factory() as noting:
                await noting.preferences.note_commander_language(TELEGRAM_CHAT, "ko")
                await noting.preferences.note_commander_language(other, "ko")
                await noting.commit()
        else:
            async with uow_factory() as noting, uow_factory() as choosing:
                await noting.preferences.get(TELEGRAM_CHAT)  # read before the other change lands
                await choosing.preferences.save(TELEGRAM_CHAT, CUSTOM)
                await choosing.commit()
                await noting.preferences.note_commander_language(TELEGRAM_CHAT, "ko")
                await noting.preferences.note_commander_language(other, "ko")
                await noting.commit()

        assert await loaded(uow_factory, TELEGRAM_CHAT) == replace(CUSTOM, commander_language="ko")
        assert await loaded(uow_factory, other) == Preferences(commander_language="ko")

    async def test_delete_brings_back_the_defaults(self, uow_factory: UowFactory) -> None:
        await saved(uow_factory, TELEGRAM_CHAT, CUSTOM)
        async with uow_factory() as uow:
            await uow.preferences.delete(TELEGRAM_CHAT)
            await uow.preferences.delete(ChatRef("discord", "never-saved"))
            await uow.commit()
        assert await loaded(uow_factory, TELEGRAM_CHAT) == Preferences()

    async def test_the_same_chat_id_on_two_platforms_is_two_chats(
        self, uow_factory: UowFactory
    ) -> None:
        telegram, discord = ChatRef("telegram", "1"), ChatRef("discord", "1")
        await saved(uow_factory, telegram, CUSTOM)
        await saved(uow_factory, discord, Preferences(voice="Tom"))
        assert await loaded(uow_factory, telegram) == CUSTOM
        assert await loaded(uow_factory, discord) == Preferences(voice="Tom")

    async def test_concurrent_saves_of_one_chat_all_succeed(self, uow_factory: UowFactory) -> None:
        voices = [f"voice-{n}" for n in range(5)]
        await asyncio.gather(
            *(saved(uow_factory, TELEGRAM_CHAT, Preferences(voice=v)) for v in voices)
        )
        assert (await loaded(uow_factory, TELEGRAM_CHAT)).voice in voices

    async def test_a_stored_language_the_code_does_not_know_reads_as_auto(
        self, database_url: str, uow_factory: UowFactory
    ) -> None:
        await saved(uow_factory, TELEGRAM_CHAT, CUSTOM)
        engine = create_engine(database_url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text("UPDATE chat_preferences SET language = 'xx'"))
        finally:
            await engine.dispose()
        assert await loaded(uow_factory, TELEGRAM_CHAT) == replace(CUSTOM, language="auto")

    async def test_rows_get_their_timestamps_from_the_database(
        self, database_url: str, uow_factory: UowFactory
    ) -> None:
        await saved(uow_factory, TELEGRAM_CHAT, CUSTOM)
        await saved(uow_factory, TELEGRAM_CHAT, Preferences())
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                row = (await session.scalars(select(ChatPreferencesRow))).one()
        finally:
            await engine.dispose()
        assert row.created_at is not None
        assert row.updated_at >= row.created_at


class TestUnitOfWork:
    async def test_leaving_without_commit_rolls_back(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            await uow.preferences.save(TELEGRAM_CHAT, CUSTOM)
        assert await loaded(uow_factory, TELEGRAM_CHAT) == Preferences()

    async def test_an_error_in_the_block_rolls_back(self, uow_factory: UowFactory) -> None:
        await saved(uow_factory, TELEGRAM_CHAT, CUSTOM)
        with pytest.raises(LookupError):
            async with uow_factory() as uow:
                await uow.preferences.delete(TELEGRAM_CHAT)
                raise LookupError
        assert await loaded(uow_factory, TELEGRAM_CHAT) == CUSTOM

    async def test_one_instance_serves_block_after_block(self, uow_factory: UowFactory) -> None:
        uow = uow_factory()
        async with uow:
            await uow.preferences.save(TELEGRAM_CHAT, CUSTOM)
            await uow.commit()
        async with uow:
            assert await uow.preferences.get(TELEGRAM_CHAT) == CUSTOM

    async def test_every_store_it_declares_is_there_in_a_block_and_none_outside(
        self, uow_factory: UowFactory
    ) -> None:
        """The stores are built as a block first asks for them; each one the class declares
        (the ports' protocols ask for them by those names) is built on the block's session."""
        uow = uow_factory()
        declared = [name for name in SqlAlchemyUnitOfWork.__annotations__ if name[0] != "_"]
        async with uow:
            built = {name: getattr(uow, name) for name in declared}
        assert len(built) == 17 and all(
            type(s).__name__.endswith("Repository") for s in built.values()
        )
        with pytest.raises(RuntimeError, match="inside `async with`"):
            _ = uow.preferences

    async def test_entering_an_instance_twice_at_once_is_refused(
        self, uow_factory: UowFactory
    ) -> None:
        uow = uow_factory()
        async with uow:
            with pytest.raises(RuntimeError, match="already in use"):
                await uow.__aenter__()

    async def test_preferences_survive_a_restart(self, database_url: str) -> None:
        before = create_engine(database_url)
        async with SqlAlchemyUnitOfWork(session_factory(before)) as uow:
            await uow.preferences.save(TELEGRAM_CHAT, CUSTOM)
            await uow.commit()
        await before.dispose()

        after = create_engine(database_url)
        try:
            async with SqlAlchemyUnitOfWork(session_factory(after)) as uow:
                assert await uow.preferences.get(TELEGRAM_CHAT) == CUSTOM
        finally:
            await after.dispose()


class TestSqliteEngine:
    async def test_a_file_database_gets_its_directory_wal_and_foreign_keys(
        self, tmp_path: Path
    ) -> None:
        path = tmp_path / "not" / "yet" / "there.db"
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        try:
            async with engine.connect() as connection:
                foreign_keys = await connection.scalar(text("PRAGMA foreign_keys"))
                journal_mode = await connection.scalar(text("PRAGMA journal_mode"))
                synchronous = await connection.scalar(text("PRAGMA synchronous"))
        finally:
            await engine.dispose()
        assert path.exists()
        assert (foreign_keys, journal_mode, synchronous) == (1, "wal", 1)  # 1: NORMAL

    async def test_a_transaction_held_long_is_named_by_the_next_in_the_queue(
        self, sqlite_url: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Every write of a process on SQLite waits behind the one transaction under way: one
        held open across something slow (a bug) stalls them all, and the log names it, where
        it waits, so that the stall is found from the log alone."""
        monkeypatch.setattr(sqlite_setup, "SLOW_TRANSACTION_SECONDS", 0.05)
        engine, queue = create_engine(sqlite_url), transaction_queue(sqlite_url)
        held, let_go = asyncio.Event(), asyncio.Event()

        async def a_transaction_held_across_a_wait() -> None:
            async with SqlAlchemyUnitOfWork(session_factory(engine), queue=queue) as uow:
                await uow.preferences.save(TELEGRAM_CHAT, CUSTOM)
                held.set()
                await let_go.wait()
                await uow.commit()

        try:
            holder = asyncio.create_task(a_transaction_held_across_a_wait(), name="the slow one")
            await until(lambda: held.is_set() or holder.done(), "the slow one holding the queue")
            with caplog.at_level(logging.WARNING, logger=sqlite_setup.__name__):
                waiting = asyncio.create_task(saved(
                    lambda: SqlAlchemyUnitOfWork(session_factory(engine), queue=queue),
                    ChatRef("telegram", "42"), CUSTOM,
                ))  # fmt: skip
                await until(lambda: bool(caplog.records), "the next in the queue telling")
                let_go.set()
                await asyncio.gather(holder, waiting)
        finally:
            await engine.dispose()
        [told] = caplog.records
        assert "'the slow one'" in told.getMessage()
        assert "a_transaction_held_across_a_wait" in told.getMessage()

    async def test_a_transaction_that_waited_long_keeps_its_place_in_the_queue(
        self, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An outside review: the wait past `SLOW_TRANSACTION_SECONDS` began again at the end of the
        queue, behind transactions that came after it. They go in the order they were asked."""
        monkeypatch.setattr(sqlite_setup, "SLOW_TRANSACTION_SECONDS", 0.05)
        queue, served = sqlite_setup.TransactionQueue(), []

        async def in_queue(name: str) -> None:
            await queue.acquire(30)
            served.append(name)
            queue.release()

        await queue.acquire(30)  # the slow one
        with caplog.at_level(logging.WARNING, logger=sqlite_setup.__name__):
            waited_long = asyncio.create_task(in_queue("waited long"))
            await asyncio.sleep(0)  # in the queue first
            monkeypatch.setattr(
                sqlite_setup, "SLOW_TRANSACTION_SECONDS", 60.0
            )  # the next waits unseen
            came_after = asyncio.create_task(in_queue("came after"))
            await asyncio.sleep(0)  # in the queue behind it
            await until(lambda: bool(caplog.records), "the first in the queue telling")
            queue.release()
            await asyncio.gather(waited_long, came_after)

        assert served == ["waited long", "came after"]

    async def test_an_in_memory_database_gets_foreign_keys(self) -> None:
        engine = create_engine("sqlite+aiosqlite://")
        try:
            async with engine.connect() as connection:
                assert await connection.scalar(text("PRAGMA foreign_keys")) == 1
        finally:
            await engine.dispose()


async def test_the_place_index_finds_every_place_named_in_any_table(
    uow_factory: UowFactory,
) -> None:
    """What a sweep for vanished places starts from: a place with only a summary marker is
    found as well as one with preferences; other platforms and other prefixes are not."""
    channel, marked_only = ChatRef("discord", "channel:1"), ChatRef("discord", "channel:2_%")
    await saved(uow_factory, channel, Preferences(voice="Mia"))
    await saved(uow_factory, ChatRef("discord", "guild:9"), Preferences())
    await saved(uow_factory, ChatRef("telegram", "channel:3"), Preferences())
    async with uow_factory() as uow:
        await uow.summary_states.mark_summarised(marked_only, datetime(2026, 11, 23, tzinfo=UTC))
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.places.named("discord", "channel:") == {"channel:1", "channel:2_%"}
        assert await uow.places.named("discord", "channel:2_") == {"channel:2_%"}
