"""`/find`'s search index on real SQLite and PostgreSQL: kept lines found by any part of a word,
case and accents folded, in any script; one chat's lines only, the places asked for only; and
gone from the index the moment they are deleted (`/forget`, retention, a language changed)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from core.domain.memory import Said, search_words
from core.domain.transcripts import TranscriptPart
from core.domain.values import ChatRef
from core.infra.storage import SqlAlchemyUnitOfWork, upgrade
from core.infra.storage.database import create_engine

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
            await uow.transcripts.add_part(
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
    assert await index_rows(uow_factory) == (1, 1)  # the line kept, and its index row


async def index_rows(uows: UowFactory) -> tuple[int, int]:
    """Lines kept, and rows in the index: SQLite's FTS table, or on PostgreSQL the lines' own
    table, whose trigram index is part of it."""
    async with uows() as uow:
        session = uow._active()
        lines = int(
            (await session.execute(text("SELECT count(*) FROM recording_transcript_parts")))
            .scalar_one()
        )  # fmt: skip
        if session.bind.dialect.name != "sqlite":
            return lines, lines
        indexed = (
            await session.execute(text("SELECT count(*) FROM transcript_search"))
        ).scalar_one()
        return lines, int(indexed)


async def test_lines_kept_before_the_index_are_found_after_the_upgrade(
    empty_database_url: str,
) -> None:
    await upgrade(empty_database_url, "0024")
    engine = create_engine(empty_database_url)
    async with engine.begin() as connection:
        await connection.execute(text(
            "INSERT INTO recording_transcripts (platform, chat_id, recording, language, made_at)"
            " VALUES ('discord', 'guild:7', 'call:55:1', 'auto', :at)"
        ), {"at": MONDAY})  # fmt: skip
        await connection.execute(text(
            "INSERT INTO recording_transcript_parts (platform, chat_id, recording, start_ms,"
            " end_ms, text, made_at, speaker) VALUES ('discord', 'guild:7', 'call:55:1', 0,"
            " 900, 'Die Rechnung für Ämter', :at, 'Ann')"
        ), {"at": MONDAY})  # fmt: skip
    await engine.dispose()

    await upgrade(empty_database_url)

    engine = create_engine(empty_database_url)
    from core.infra.storage import session_factory

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
