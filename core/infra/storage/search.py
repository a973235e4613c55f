"""`/find`'s search over kept transcript lines (`core.domain.memory`), on either database.

    SQLite      the FTS5 table `transcript_search` (trigram tokenizer) holds every line's folded
                text, its row named by the line's `search_id`; triggers of migration 0025 keep it
                in step with every insert, update and delete of a line, whoever makes them
                (`/forget`, retention, `db purge`). A word of three characters or more is looked
                up there (`MATCH`), and the lines come in the index's order, newest first; a
                shorter one (`发票`, two characters, has no trigram) is looked for in the chat's
                own lines (`instr`), after the index narrowed them where another word allows
    PostgreSQL  `LIKE` over `folded`, which pg_trgm's GIN index answers for a word of three
                characters or more; a shorter one is looked for in the chat's own lines
                (`strpos`), newest first

Every query names the chat, and the places (Discord channels) it may read when the caller
limits them; lines come newest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Integer, and_, column, func, or_, select, table, text
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.memory import Moment, Said, call_channel
from core.domain.values import ChatRef, Platform
from core.infra.storage.models import RecordingTranscriptPartRow as Part
from core.infra.storage.models import RecordingTranscriptRow as Header

SEARCH_TABLE = "transcript_search"  # SQLite's FTS5 table, and its shadow tables' prefix
PG_SEARCH_INDEX = "ix_recording_transcript_parts_folded_trgm"
TRIGRAM = 3  # characters: shorter words have no trigram to look up
SEARCH = table(SEARCH_TABLE, column("rowid", Integer))


def include_object(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    """For Alembic's comparisons: the search index is made by migration 0025 in each database's
    own way, not by the models."""
    if kind == "table" and name is not None and name.startswith(SEARCH_TABLE):
        return False
    return not (kind == "index" and name == PG_SEARCH_INDEX)


async def search(
    session: AsyncSession,
    chats: Sequence[ChatRef],
    words: tuple[str, ...],
    *,
    places: frozenset[str] | None,
    offset: int,
    limit: int,
) -> list[Moment]:
    """The lines of `chats` (one chat, and a Business owner's connection beside their own)
    holding every one of `words` (folded), newest first."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    long = [word for word in words if len(word) >= TRIGRAM] if sqlite else []
    query = select(Part, Header)
    if long:
        # Driven by the index, in the order its rows were made (newest first, as `search_id`
        # grows with each line kept), so a page stops once it holds its lines: a rare word
        # reads a few index rows, not the chat's every line.
        query = query.select_from(SEARCH).join(Part, Part.search_id == SEARCH.c.rowid)
    query = query.join(Header, and_(
        Header.platform == Part.platform,
        Header.chat_id == Part.chat_id,
        Header.recording == Part.recording,
    ))  # fmt: skip
    of_chats = [and_(Part.platform == c.platform, Part.chat_id == c.chat_id) for c in chats]
    query = query.where(of_chats[0] if len(of_chats) == 1 else or_(*of_chats))
    if long:
        matched = text(f"{SEARCH_TABLE} MATCH :phrases").bindparams(phrases=_phrases(long))
        query = query.where(matched).order_by(SEARCH.c.rowid.desc())
    else:
        query = query.order_by(Part.made_at.desc(), Part.start_ms.desc())
    for word in (w for w in words if w not in long):
        query = query.where(_holds(word, sqlite=sqlite))
    if places is not None:
        query = query.where(Header.place.in_(sorted(places)))
    rows = (await session.execute(query.offset(offset).limit(limit))).all()
    return [_moment(part, header) for part, header in rows]


def _holds(word: str, *, sqlite: bool) -> ColumnElement[bool]:
    """A line's folded text holds `word`. On PostgreSQL a word of three characters or more is
    a LIKE that pg_trgm's index answers; a shorter one, which has no trigram, is looked for
    with `strpos`, whose selectivity the planner does not guess from the word, so it reads the
    chat's lines newest first and stops at a page (a LIKE on two Chinese characters made it
    guess "hardly any" and read every chat's lines). SQLite's `instr` does the same there."""
    if sqlite:
        return func.instr(Part.folded, word) > 0
    if len(word) < TRIGRAM:
        return func.strpos(Part.folded, word) > 0
    return Part.folded.like(f"%{_escaped(word)}%", escape="\\")


def _phrases(words: list[str]) -> str:
    """An FTS5 query holding each word as a phrase (substrings, with the trigram tokenizer)."""
    return " AND ".join('"' + word.replace('"', '""') + '"' for word in words)


def _escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _moment(part: Part, header: Header) -> Moment:
    said = None
    if header.message_id is not None and header.sent_at is not None:
        said = Said(header.message_id, header.author or "", header.sent_at, header.place)
    return Moment(
        recording=part.recording,
        start=part.start_ms / 1000,
        text=part.text,
        made_at=part.made_at,
        speaker=part.speaker,
        said=said,
        call_channel=call_channel(part.recording),
        chat=ChatRef(cast(Platform, part.platform), part.chat_id),
    )
