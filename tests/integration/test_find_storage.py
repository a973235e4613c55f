"""`/find`'s search on real SQLite and PostgreSQL: kept lines found by any part of a word, case
and accents folded, in any script, quotes and all; one chat's lines only, the places asked for
only; a search reads the asker's chat and nothing else, in a transaction that never holds up a
write; and a deleted line (`/forget`, retention, a language changed) is gone from the index at
once, and from every byte of the SQLite file."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import bindparam, event, text
from sqlalchemy.exc import DBAPIError

from core.app.memory.chat_search import MemorySearch, question_words
from core.app.rules.outgoing_check import Leaving
from core.bootstrap import Storage, storage
from core.config import Settings
from core.domain import errors
from core.domain.memory.search_rules import Said, fold, search_words
from core.domain.recordings.transcript_values import TranscriptPart
from core.domain.shared_values import ChatRef
from core.infra.storage import SqlAlchemyUnitOfWork, session_factory, upgrade
from core.infra.storage.database_engines import create_engine, create_reading_engine
from core.infra.storage.tables.declarative_base import UtcDateTime
from tests.db_fixtures import migrated_sqlite_at
from tests.waiting import until

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
GROUP = ChatRef("telegram", "-1001234")
OTHER = ChatRef("telegram", "-1009999")
SERVER = ChatRef("discord", "guild:7")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def keep(
    uows: UowFactory,
    chat: ChatRef,
    recording: str,
    lines: list[str],
    *,
    at: datetime = MONDAY,
    said: Said | None = None,
    speaker: str | None = None,
) -> None:
    async with uows() as uow:
        for number, line in enumerate(lines):
            part = TranscriptPart(number * 10.0, number * 10.0 + 9, line, speaker, None)
            await uow.transcripts.keep_part(
                chat, recording, language="auto", part=part, at=at + timedelta(seconds=number),
                said=said,
            )  # fmt: skip
        await uow.commit()


async def found(
    uows: UowFactory, chat: ChatRef, query: str, places: frozenset[str] | None = None
) -> list[str]:
    async with uows() as uow:
        moments = await uow.transcripts.search(chat, search_words(query), places=places, limit=50)
    return [moment.text for moment in moments]


async def test_lines_are_found_by_any_part_of_a_word_case_and_accents_folded(
    uow_factory: UowFactory,
) -> None:
    said = Said("41", "Ann", MONDAY, None)
    await keep(uow_factory, GROUP, "note-1", [
        "Bob will send the INVOICE on Friday",
        "Le café est fermé à midi",
        "Счёт-фактуру пришлю завтра",
        "发票明天给你",
        "会议改到周三",
    ], said=said)  # fmt: skip

    assert await found(uow_factory, GROUP, "invoice") == ["Bob will send the INVOICE on Friday"]
    assert await found(uow_factory, GROUP, "Invoic frid") == ["Bob will send the INVOICE on Friday"]
    assert await found(uow_factory, GROUP, "cafe FERME") == ["Le café est fermé à midi"]
    assert await found(uow_factory, GROUP, "СЧЁТ") == ["Счёт-фактуру пришлю завтра"]
    assert await found(uow_factory, GROUP, "счет") == ["Счёт-фактуру пришлю завтра"]
    # Two characters: no trigram to look up, found all the same.
    assert await found(uow_factory, GROUP, "发票") == ["发票明天给你"]
    assert await found(uow_factory, GROUP, "发票明天") == ["发票明天给你"]
    assert await found(uow_factory, GROUP, "周") == ["会议改到周三"]
    assert await found(uow_factory, GROUP, "invoice 发票") == []
    assert await found(uow_factory, GROUP, "100%_\\") == []


async def test_a_chat_finds_only_its_own_lines_newest_first(uow_factory: UowFactory) -> None:
    await keep(uow_factory, GROUP, "old", ["the invoice is late"], at=MONDAY)
    await keep(uow_factory, GROUP, "new", ["invoice paid"], at=MONDAY + timedelta(days=2))
    await keep(uow_factory, OTHER, "theirs", ["their invoice"], at=MONDAY + timedelta(days=1))

    assert await found(uow_factory, GROUP, "invoice") == ["invoice paid", "the invoice is late"]
    assert await found(uow_factory, OTHER, "invoice") == ["their invoice"]


async def test_only_the_places_asked_for_are_searched(uow_factory: UowFactory) -> None:
    finance = Said("9", "Ann", MONDAY, "100")
    general = Said("8", "Bob", MONDAY, "200")
    await keep(uow_factory, SERVER, "a1", ["finance invoice numbers"], said=finance)
    await keep(uow_factory, SERVER, "a2", ["general invoice chat"], said=general)
    await keep(uow_factory, SERVER, "call:300:2026", ["invoice said in a call"], speaker="Cy")

    assert await found(uow_factory, SERVER, "invoice", frozenset({"200", "300"})) == [
        "general invoice chat",
        "invoice said in a call",
    ] or await found(uow_factory, SERVER, "invoice", frozenset({"200", "300"})) == [
        "invoice said in a call",
        "general invoice chat",
    ]
    assert await found(uow_factory, SERVER, "invoice", frozenset({"200"})) == [
        "general invoice chat"
    ]
    assert await found(uow_factory, SERVER, "invoice", frozenset()) == []
    async with uow_factory() as uow:
        (moment,) = await uow.transcripts.search(
            SERVER, ("call",), places=frozenset({"300"}), limit=5
        )
    assert (moment.speaker, moment.place, moment.start) == ("Cy", "300", 0.0)


async def test_deleted_lines_leave_the_index_at_once(uow_factory: UowFactory) -> None:
    await keep(uow_factory, GROUP, "forgotten", ["the invoice number is 42"])
    await keep(uow_factory, OTHER, "expired", ["an old invoice"], at=MONDAY - timedelta(days=30))
    await keep(uow_factory, OTHER, "redone", ["invoice in english"])
    await keep(uow_factory, OTHER, "kept", ["invoice that stays"])

    async with uow_factory() as uow:
        await uow.transcripts.delete_chat(GROUP)
        await uow.transcripts.delete_made_before(MONDAY - timedelta(days=7))
        await uow.transcripts.discard(OTHER, "redone")
        await uow.commit()

    assert await found(uow_factory, GROUP, "invoice") == []
    assert await found(uow_factory, OTHER, "invoice") == ["invoice that stays"]
    assert await found(uow_factory, OTHER, "old") == []
    assert await found(uow_factory, OTHER, "english") == []


async def test_nothing_of_a_deleted_message_is_kept_after_its_deletion(
    uow_factory: UowFactory,
) -> None:
    """A message deleted while its recording is heard (here, or in another process): the
    pieces answered after the deletion was noted are not kept, nor is it marked whole; the
    same message id in another channel is another message."""
    said = Said("77", "Ann", MONDAY, "5")
    await keep(uow_factory, SERVER, "early", ["the invoice is 4,200 euros"], said=said)
    async with uow_factory() as uow:
        await uow.transcripts.delete_said(SERVER, ["77"], place="5", at=MONDAY)
        await uow.commit()
    await keep(uow_factory, SERVER, "late", ["invoice to Acme on Friday"], said=said)
    async with uow_factory() as uow:
        await uow.transcripts.complete(
            SERVER, "whole", language="auto", duration=9.0, at=MONDAY, said=said
        )
        await uow.commit()
    elsewhere = Said("77", "Bob", MONDAY, "6")
    await keep(uow_factory, SERVER, "elsewhere", ["an invoice in another channel"], said=elsewhere)

    assert await found(uow_factory, SERVER, "invoice") == ["an invoice in another channel"]
    async with uow_factory() as uow:
        assert await uow.transcripts.find(SERVER, "whole") is None
        assert await uow.transcripts.is_deleted(SERVER, said)
        assert not await uow.transcripts.is_deleted(SERVER, elsewhere)


async def test_a_deletion_while_a_piece_is_being_kept_takes_that_piece_too(
    database_url: str, uow_factory: UowFactory
) -> None:
    """The deletion comes as another process keeps a piece of the message (its transaction
    open): it waits for that one to end, then deletes what it kept."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's write transactions wait in a queue: a deletion waits for any other")
    said = Said("78", "Ann", MONDAY, "5")

    async def deleted() -> None:
        async with uow_factory() as uow:
            await uow.transcripts.delete_said(SERVER, ["78"], place="5", at=MONDAY)
            await uow.commit()

    async with uow_factory() as keeping:
        part = TranscriptPart(0.0, 4.0, "the invoice is 4,200 euros", None, None)
        await keeping.transcripts.keep_part(
            SERVER, "note", language="auto", part=part, at=MONDAY, said=said
        )
        deleting = asyncio.create_task(deleted())
        await until_a_lock_is_waited_for(database_url)
        await keeping.commit()
    await deleting

    assert await found(uow_factory, SERVER, "invoice") == []
    assert await rows_in(database_url, "recording_transcript_parts") == 0  # no piece left over


async def test_nothing_an_import_hears_is_kept_after_a_forget_of_its_chat(
    uow_factory: UowFactory,
) -> None:
    """An import keeps its pieces while its mark stands: after a /forget of the chat (in any
    process), a piece it was still hearing is not kept."""
    async with uow_factory() as uow:
        await uow.transcripts.begin_import(GROUP, "mark1", at=MONDAY)
        await uow.commit()
    said = Said("31", "Ann", MONDAY, None, past=True, during="mark1")
    await keep(uow_factory, GROUP, "past:31", ["the invoice is 4,200 euros"], said=said)
    assert await found(uow_factory, GROUP, "invoice") == ["the invoice is 4,200 euros"]
    async with uow_factory() as uow:
        await uow.transcripts.delete_chat(GROUP)  # /forget
        await uow.commit()
    await keep(uow_factory, GROUP, "past:31", ["the invoice is 4,200 euros"], said=said)

    assert await found(uow_factory, GROUP, "invoice") == []
    async with uow_factory() as uow:
        assert not await uow.transcripts.import_running(GROUP, "mark1")


async def test_a_forget_while_an_import_keeps_a_piece_takes_that_piece_too(
    database_url: str, uow_factory: UowFactory
) -> None:
    """The forget comes as an import in another process keeps a piece (its transaction open):
    it waits for that one to end, then deletes what it kept."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's write transactions wait in a queue: a forget waits for any other")
    async with uow_factory() as uow:
        await uow.transcripts.begin_import(GROUP, "mark2", at=MONDAY)
        await uow.commit()
    said = Said("32", "Ann", MONDAY, None, past=True, during="mark2")

    async def forgotten() -> None:
        async with uow_factory() as uow:
            await uow.transcripts.delete_chat(GROUP)
            await uow.commit()

    async with uow_factory() as keeping:
        part = TranscriptPart(0.0, 4.0, "the invoice is 4,200 euros", None, None)
        await keeping.transcripts.keep_part(
            GROUP, "past:32", language="auto", part=part, at=MONDAY, said=said
        )
        forgetting = asyncio.create_task(forgotten())
        await until_a_lock_is_waited_for(database_url)
        await keeping.commit()
    await forgetting

    assert await found(uow_factory, GROUP, "invoice") == []
    assert await rows_in(database_url, "recording_transcript_parts") == 0  # no piece left over


async def rows_in(database_url: str, table: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return int(await connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
    finally:
        await engine.dispose()


async def until_a_lock_is_waited_for(database_url: str, timeout: float = 10.0) -> None:
    """Wait until a PostgreSQL transaction waits for a lock another one holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    engine = create_engine(database_url)
    try:
        while True:
            async with engine.connect() as connection:
                waiting = await connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database()"
                    )
                )
            if waiting:
                return
            assert asyncio.get_running_loop().time() < deadline, "nothing waits for a lock"
            await asyncio.sleep(0.02)
    finally:
        await engine.dispose()


SECRET = "The salary of ANNA is ninety-one thousand"


@pytest.mark.parametrize("how", ["forget", "retention", "language changed"])
async def test_a_deleted_line_leaves_no_byte_of_itself_in_the_sqlite_file(
    sqlite_uows: tuple[UowFactory, Path], how: str
) -> None:
    uows, path = sqlite_uows
    old = MONDAY - timedelta(days=30) if how == "retention" else MONDAY
    await keep(uows, GROUP, "secret", [SECRET], at=old)
    await keep(uows, OTHER, "other", ["what stays is kept"] * 20)
    assert file_holds_a_form(path, SECRET)

    async with uows() as uow:
        if how == "forget":
            await uow.transcripts.delete_chat(GROUP)
        elif how == "retention":
            await uow.transcripts.delete_made_before(MONDAY - timedelta(days=7))
        else:
            await uow.transcripts.discard(GROUP, "secret")
        await uow.commit()

    assert not file_holds_a_form(path, SECRET)
    assert await found(uows, OTHER, "kept") == ["what stays is kept"] * 20


def file_holds_a_form(path: Path, said: str) -> bool:
    """Whether the SQLite file or its write-ahead log holds `said`, as said or folded."""
    files = [path, path.with_name(path.name + "-wal")]
    data = b"".join(f.read_bytes() for f in files if f.exists())
    return any(form.encode() in data for form in (said, fold(said), said[4:20], "ninety-one"))


@pytest_asyncio.fixture
async def sqlite_uows(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[UowFactory, Path]]:
    """Units of work on a migrated SQLite file, and the file."""
    path = tmp_path / "voicebridge.db"
    await migrated_sqlite_at(path, tmp_path_factory)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    sessions = session_factory(engine)
    yield (lambda: SqlAlchemyUnitOfWork(sessions)), path
    await engine.dispose()


async def test_quotes_and_wildcards_in_words_are_looked_for_as_they_are(
    uow_factory: UowFactory,
) -> None:
    await keep(uow_factory, GROUP, "note", [
        "I don't know where O'Brien went", "50% of the \\share_price", 'he said "yes" twice',
        "dont obrien 50 of the share price he said yes",
    ])  # fmt: skip
    assert await found(uow_factory, GROUP, "don't") == ["I don't know where O'Brien went"]
    assert await found(uow_factory, GROUP, "o'brien") == ["I don't know where O'Brien went"]
    assert await found(uow_factory, GROUP, "'") == ["I don't know where O'Brien went"]
    assert await found(uow_factory, GROUP, "50%") == ["50% of the \\share_price"]
    assert await found(uow_factory, GROUP, "_") == ["50% of the \\share_price"]
    assert await found(uow_factory, GROUP, "\\share") == ["50% of the \\share_price"]
    assert await found(uow_factory, GROUP, '"yes"') == ['he said "yes" twice']
    assert await found(uow_factory, GROUP, "' OR 1=1 --") == []


async def test_a_search_reads_the_askers_chat_and_nothing_else(uow_factory: UowFactory) -> None:
    """What a search reads (rows on PostgreSQL, SQLite's virtual machine's steps) is the same
    whether the bot's other chats hold a few lines or thousands that hold the word."""
    empty, small = ChatRef("telegram", "-1000001"), ChatRef("telegram", "-1000002")
    await keep(uow_factory, small, "note", ["a meeting on monday", "lunch at noon"] * 5)
    await keep(uow_factory, OTHER, "few", ["the meeting moved"] * 3)
    queries = [(empty, "meeting"), (small, "meeting"), (small, "zeppelin"), (small, "会议")]
    quiet = [await search_cost(uow_factory, chat, words) for chat, words in queries]

    for chunk in range(10):
        await keep(uow_factory, ChatRef("telegram", f"-200{chunk}"), "busy",
                   ["the meeting about the zeppelin 会议"] * 300)  # fmt: skip
    busy = [await search_cost(uow_factory, chat, words) for chat, words in queries]

    assert busy == quiet
    assert quiet[0] == (0, quiet[0][1])  # nothing found in the empty chat


async def search_cost(uows: UowFactory, chat: ChatRef, query: str) -> tuple[int, int]:
    """The lines found in `chat` for `query`, and what the search read to find them: on SQLite
    the steps of its virtual machine (counted in thousands by a progress handler), on
    PostgreSQL the rows of the lines' table it fetched (the transaction's own statistics)."""
    async with uows() as uow:
        session = uow._active()
        driver = (await (await session.connection()).get_raw_connection()).driver_connection
        assert driver is not None
        steps = [0]
        sqlite = session.bind.dialect.name == "sqlite"
        if sqlite:

            def count() -> int:
                steps[0] += 1
                return 0

            await driver.set_progress_handler(count, 1000)
        moments = await uow.transcripts.search(chat, search_words(query), places=None, limit=11)
        if sqlite:
            await driver.set_progress_handler(None, 1000)
            return len(moments), steps[0]
        read = await session.execute(text(
            "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)"
            " FROM pg_stat_xact_user_tables WHERE relname = 'recording_transcript_parts'"
        ))  # fmt: skip
        return len(moments), int(read.scalar_one())


async def test_a_search_holds_no_lock_a_write_waits_for(
    sqlite_uows: tuple[UowFactory, Path],
) -> None:
    """SQLite: while a search's transaction is open, a transcript is kept, from the same
    process, at once (each other transaction takes the write lock as it begins)."""
    uows, path = sqlite_uows
    await keep(uows, GROUP, "note", ["the invoice is paid"])
    reading = create_reading_engine(f"sqlite+aiosqlite:///{path}")
    assert reading is not None
    try:
        async with SqlAlchemyUnitOfWork(session_factory(reading)) as search:
            assert await search.transcripts.search(GROUP, ("invoice",), limit=5)
            # Inside the search's transaction: a write from elsewhere neither waits nor fails.
            later = MONDAY + timedelta(hours=1)
            await asyncio.wait_for(keep(uows, GROUP, "later", ["a second invoice"], at=later), 10)
            with pytest.raises(DBAPIError, match=r"readonly|read-only|query_only"):
                await search._active().execute(text("DELETE FROM recording_transcript_parts"))
    finally:
        await reading.dispose()
    assert await found(uows, GROUP, "invoice") == ["a second invoice", "the invoice is paid"]


async def test_lines_kept_before_the_index_are_found_after_the_upgrade(
    empty_database_url: str,
) -> None:
    await upgrade(empty_database_url, "0024")
    engine = create_engine(empty_database_url)
    async with engine.begin() as connection:
        # The moment stored as the models store it (not by the driver's own, deprecated, way).
        at = bindparam("at", MONDAY, type_=UtcDateTime())
        await connection.execute(text(
            "INSERT INTO recording_transcripts (platform, chat_id, recording, language, made_at)"
            " VALUES ('discord', 'guild:7', 'call:55:1', 'auto', :at)"
        ).bindparams(at))  # fmt: skip
        await connection.execute(text(
            "INSERT INTO recording_transcript_parts (platform, chat_id, recording, start_ms,"
            " end_ms, text, made_at, speaker) VALUES ('discord', 'guild:7', 'call:55:1', 0,"
            " 900, 'Die Rechnung für Ämter', :at, 'Ann')"
        ).bindparams(at))  # fmt: skip
    await engine.dispose()

    await upgrade(empty_database_url)

    engine = create_engine(empty_database_url)
    uows = session_factory(engine)
    try:
        async with SqlAlchemyUnitOfWork(uows) as uow:
            moments = await uow.transcripts.search(
                SERVER, search_words("rechnung AMTER"), places=frozenset({"55"}), limit=5
            )
    finally:
        await engine.dispose()
    assert [moment.text for moment in moments] == ["Die Rechnung für Ämter"]


@pytest.mark.parametrize("query", ["", "   "])
def test_no_words_is_no_search(query: str) -> None:
    assert search_words(query) == ()


@pytest_asyncio.fixture
async def bot_storage(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Storage, Path]]:
    """The storage the bot runs on (`core.bootstrap.storage`) over a migrated SQLite file,
    and the file."""
    path = tmp_path / "voicebridge.db"
    await migrated_sqlite_at(path, tmp_path_factory)
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{path}")
    async with storage(settings, migrate=False) as store:
        yield store, path


async def test_a_write_never_waits_for_a_search_even_when_a_deletion_commits_meanwhile(
    bot_storage: tuple[Storage, Path],
) -> None:
    """A deletion (a forget, retention) that commits while a search's transaction is open
    empties the write-ahead log once it can, never keeping the bot's other writes waiting for
    that search meanwhile: a transcript is kept while the search is still open."""
    store, path = bot_storage
    await keep(store.uow, GROUP, "note", ["the invoice is paid"])
    await keep(store.uow, OTHER, "old", [SECRET])
    async with store.reads() as search:
        assert await search.transcripts.search(GROUP, ("invoice",), limit=5)
        forgetting = asyncio.create_task(forget(store.uow, OTHER))
        later = MONDAY + timedelta(hours=1)
        # Inside the search's transaction: the deletion commits, then a write, at once.
        await asyncio.wait_for(forgetting, 10)
        await asyncio.wait_for(keep(store.uow, GROUP, "later", ["a second"], at=later), 10)
    assert await found(store.uow, GROUP, "second") == ["a second"]
    await until(
        lambda: not file_holds_a_form(path, SECRET), "the forgotten line gone from the files"
    )


async def test_forgotten_words_leave_the_files_once_another_process_stops_reading(
    bot_storage: tuple[Storage, Path],
) -> None:
    """A reader in another process (`voicebridge find`, a backup, an `sqlite3` shell) holding
    a read transaction as a forget commits: the forget does not wait for it, and once the
    reader is done the files hold no byte of what was forgotten."""
    store, path = bot_storage
    await keep(store.uow, GROUP, "secret", [SECRET])
    await keep(store.uow, OTHER, "other", ["what stays is kept"])
    other_process = sqlite3.connect(path)
    try:
        other_process.execute("BEGIN")
        other_process.execute("SELECT count(*) FROM recording_transcript_parts").fetchall()
        forgetting = asyncio.create_task(forget(store.uow, GROUP))
        await until(lambda: not found_sync(path, "salary"), "the forget committed")
    finally:
        other_process.rollback()
        other_process.close()
    await asyncio.wait_for(forgetting, 30)
    await until(
        lambda: not file_holds_a_form(path, SECRET), "the forgotten line gone from the files"
    )
    assert await found(store.uow, OTHER, "kept") == ["what stays is kept"]


async def forget(uows: UowFactory, chat: ChatRef) -> None:
    """What `/forget` does to the chat's transcripts."""
    async with uows() as uow:
        await uow.transcripts.delete_chat(chat)
        await uow.commit()


def found_sync(path: Path, word: str) -> bool:
    """Whether a reader opening the file now finds `word` in a kept line."""
    with contextlib.closing(sqlite3.connect(path)) as reader:
        rows = reader.execute(
            "SELECT count(*) FROM recording_transcript_parts WHERE instr(folded, ?) > 0", (word,)
        ).fetchone()
    return bool(rows[0])


async def test_ask_reads_the_chat_once_whatever_its_words(
    bot_storage: tuple[Storage, Path],
) -> None:
    """`/ask` across the chat reads its lines in one search for all the question's words (a
    pass over the chat at most), not one a word: a question of sixteen pairs of characters
    nobody said had read a chat of 100,000 lines sixteen times, 1.4 s holding the searches'
    slot, every other chat's `/find` waiting behind it."""
    store, _ = bot_storage
    big = ChatRef("telegram", "-1002000")
    await keep(store.uow, big, "talk", [f"we should send report {n} before the meeting"
                                        for n in range(200)])  # fmt: skip
    memory = MemorySearch(reads=store.reads, chat_api=SilentChat(), limiter=store.limiter,
                    retention_days=7, max_prompt_chars=30_000,
                    leaving=Leaving(store.reads))  # fmt: skip
    question = "龘靐齉爩鱻麤龗灪吁龖厵滟爨癵籱饢驫"  # sixteen pairs, none said
    assert len(question_words(question)) == 16
    searches: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM recording_transcript_parts" in statement:
            searches.append(statement)

    reading = store.reads()._sessions.kw["bind"].sync_engine
    event.listen(reading, "before_cursor_execute", seen)
    try:
        with pytest.raises(errors.NothingKept):
            await memory.ask(big, question, asker=None)
        with pytest.raises(errors.NothingKept):
            await memory.ask(big, "zeppelin airship dirigible blimp", asker=None)
    finally:
        event.remove(reading, "before_cursor_execute", seen)
    assert len(searches) == 2


class SilentChat:
    """A chat model never asked: `/ask` finds nothing here."""

    async def chat(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("nothing kept holds the question: the model is not asked")
