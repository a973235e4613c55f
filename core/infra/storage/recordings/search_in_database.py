"""`/find`'s search over kept transcript lines (`core.domain.memory.search_rules`), within the
asker's chat.

A search reads the lines of the chats it names only (one chat, and a Business owner's
connection beside their own), newest first, and stops once it holds the page asked for: what it
costs grows with what those chats hold, never with what the bot holds. Each database has an
index of its own for it, made by migration 0026:

    SQLite      `ix_recording_transcript_parts_chat_search`, a B-tree over each chat's lines
                newest first that carries their folded text: a line is tested (`instr`) in the
                index before its row is read, and a word nobody said reads the chat's lines and
                nothing else (about 0.4 µs a line)
    PostgreSQL  `ix_recording_transcript_parts_chat_trgm`, a GIN index of each line's chat
                beside pg_trgm's trigrams of its folded text (`btree_gin`), which answers a word
                of three characters or more (LIKE) among the chat's lines; a shorter word (`发票`
                has no trigram) is found among the chat's lines through
                `ix_recording_transcript_parts_chat_pairs`, a GIN index of each line's chat
                beside its pairs of Chinese, Japanese and Korean characters; a word of one
                character, or of two in another script, is looked for (`strpos`) in the chat's
                lines newest first, through `ix_recording_transcript_parts_chat_lines`

Searches run in read-only transactions
(`core.infra.storage.database_engines.create_reading_engine`): on SQLite a search never holds the
write lock, so no transcript waits while one reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from typing import cast as typed

from sqlalchemy import ColumnElement, Text, and_, cast, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.memory.search_rules import Moment, Said, call_channel
from core.domain.shared_values import ChatRef, Platform
from core.infra.storage.tables import RecordingTranscriptPartRow as Part
from core.infra.storage.tables import RecordingTranscriptRow as Header

__all__ = ["include_object", "search"]

# Each database's own (migration 0026), not the models': left out of Alembic's comparisons.
SEARCH_INDEXES = frozenset({
    "ix_recording_transcript_parts_chat_search",  # SQLite
    "ix_recording_transcript_parts_chat_trgm",  # PostgreSQL
    "ix_recording_transcript_parts_chat_lines",  # PostgreSQL
    "ix_recording_transcript_parts_chat_pairs",  # PostgreSQL
})  # fmt: skip
TRIGRAM = 3  # characters: shorter words have no trigram to look up
# Chinese, Japanese (kana) and Korean (hangul): what `voicebridge_cjk_pairs` (0026) keeps pairs of.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def include_object(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    """For Alembic's comparisons: the search indexes are made by migration 0026 in each
    database's own way, not by the models."""
    return not (kind == "index" and name in SEARCH_INDEXES)


async def search(
    session: AsyncSession,
    chats: Sequence[ChatRef],
    words: tuple[str, ...],
    *,
    places: frozenset[str] | None,
    offset: int,
    limit: int,
    any_word: bool = False,
) -> list[Moment]:
    """The lines of `chats` holding every one of `words` (folded; with `any_word`, one of them
    at least), newest first; only those said in `places` (Discord channels) when given."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    of_chats = [and_(Part.platform == c.platform, Part.chat_id == c.chat_id) for c in chats]
    recording = and_(
        Header.platform == Part.platform,
        Header.chat_id == Part.chat_id,
        Header.recording == Part.recording,
    )
    query = (
        select(Part, Header)
        .join(Header, recording)
        .where(of_chats[0] if len(of_chats) == 1 else or_(*of_chats))
        .where((or_ if any_word else and_)(*(_holds(word, sqlite=sqlite) for word in words)))
        .order_by(Part.made_at.desc(), Part.start_ms.desc())
    )
    if places is not None:
        query = query.where(Header.place.in_(sorted(places)))
    rows = (await session.execute(query.offset(offset).limit(limit))).all()
    return [_moment(part, header) for part, header in rows]


def _holds(word: str, *, sqlite: bool) -> ColumnElement[bool]:
    """A line's folded text holds `word`, bound as a value (never spliced into the query). On
    PostgreSQL a word of three characters or more is a LIKE that the chat's trigram index
    answers; two Chinese, Japanese or Korean characters, which have no trigram, are a pair the
    chat's pairs index holds; any other shorter word is looked for with `strpos` in the chat's
    lines newest first, stopping at a page (a LIKE without a trigram made the planner read the
    whole trigram index: 0.4 s at a million lines). SQLite's `instr` is tested in the chat's
    index."""
    if sqlite:
        return func.instr(Part.folded, word) > 0
    if len(word) == 2 and CJK.search(word):
        # `strpos` first, cheaper: where the planner reads the chat's lines newest first
        # instead, the pairs are made only of the lines that hold the word.
        pairs = func.voicebridge_cjk_pairs(Part.folded, type_=ARRAY(Text))
        pair = cast(array([word]), ARRAY(Text))
        return and_(func.strpos(Part.folded, word) > 0, pairs.contains(pair))
    if len(word) < TRIGRAM:
        return func.strpos(Part.folded, word) > 0
    return Part.folded.like(f"%{_escaped(word)}%", escape="\\")


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
        chat=ChatRef(typed(Platform, part.platform), part.chat_id),
        speaker_id=part.speaker_id,
    )
