"""The repository of kept transcripts (`recording_transcripts` and their parts): what MiMo heard
of each recording, piece by piece, so that nothing is sent to it twice
(`core.app.recordings.kept_transcripts`).

Every query but retention's names the chat, so a chat never reads another's transcripts, even of
a file forwarded to both (Telegram's `file_unique_id` is the same in every chat).

A deleted message is noted (`deleted_messages`) in the transaction that deletes what was kept
of it, and a piece of a recording it carried is kept only where no such note is; a piece an
import heard is kept only while the import's mark (`running_imports`, which `/forget` deletes)
stands. Neither crosses what it is checked against: SQLite's write transactions run one
at a time (`sqlite_setup.begin_immediate`); on PostgreSQL the keeping and the deletion take a lock
of the message's own for their transaction (`_message_lock`), and the keeping holds the import's
mark (FOR SHARE) until it commits, which a forget deletes before the chat's pieces, so that
whichever comes second sees what the first wrote. The import's mark and the past messages it
claims are `core.infra.storage.recordings.import_marks_in_database`'.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.memory.search_rules import Moment, Said, call_channel, fold
from core.domain.memory.write_mandates import Mandate
from core.domain.recordings.transcript_values import KeptTranscript, TranscriptPart
from core.domain.shared_values import ChatRef
from core.infra.storage.recordings.import_marks_in_database import ImportMarks
from core.infra.storage.recordings.search_in_database import search
from core.infra.storage.rules.mandates_in_database import MandateRepository, Unless, with_forgets
from core.infra.storage.sql_statements import chat_key, dialect_of, insert_for, table_of
from core.infra.storage.tables import (
    DeletedMessageRow,
    RecordingTranscriptPartRow,
    RecordingTranscriptRow,
)

__all__ = ["TranscriptRepository"]

Header = RecordingTranscriptRow
Part = RecordingTranscriptPartRow
Deleted = DeletedMessageRow
KEY = ["platform", "chat_id", "recording"]

# Whether a message was deleted (its row's key: platform, chat_id, place, message_id), read
# before a Discord voice message's piece is sent and as it is kept: built once on the table.
_DELETED = table_of(Deleted)
_IS_DELETED = select(_DELETED.c.message_id).where(
    *(column == bindparam(column.key) for column in _DELETED.primary_key)
)
# As a Discord voice message is kept: the chat's count of forgets and whether the message was
# deleted, in one statement (its `platform` and `chat_id` are the chat's).
_FORGETS_AND_DELETED = with_forgets(exists(_IS_DELETED))
# A recording's kept transcript looked for (as each voice note's work begins): built once, bound
# by name (its chat's key and `recording`).
_HEADER = select(Header).where(*(c == bindparam(c.key) for c in (
    Header.platform, Header.chat_id, Header.recording)))  # fmt: skip
_PARTS = (
    select(Part)
    .where(*(c == bindparam(c.key) for c in (Part.platform, Part.chat_id, Part.recording)))
    .order_by(Part.start_ms)
)


class TranscriptRepository(ImportMarks):
    """Kept transcripts (the module docstring); an import's mark and claims, which the keeping
    of its pieces checks, are `ImportMarks`'."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, chat: ChatRef, recording: str) -> KeptTranscript | None:
        key = {**chat_key(chat), "recording": recording}
        header = (await self._session.scalars(_HEADER, key)).first()
        if header is None:
            return None
        parts = tuple(
            TranscriptPart(
                row.start_ms / 1000, row.end_ms / 1000, row.text, row.speaker, row.speaker_id
            )
            for row in await self._session.scalars(_PARTS, key)
        )
        return KeptTranscript(language=header.language, parts=parts, duration=header.duration)

    async def keep_part(
        self,
        chat: ChatRef,
        recording: str,
        *,
        language: str,
        part: TranscriptPart,
        at: datetime,
        whole: float | None = None,
        said: Said | None = None,
        mandate: Mandate | None = None,
        replace: bool = False,
    ) -> bool:
        if not await self._still_kept(chat, said, mandate):
            return False
        key = {"platform": chat.platform, "chat_id": chat.chat_id, "recording": recording}
        # Rows written with SQLAlchemy's Core alone (`table_of`): once for each piece heard.
        await self._header(key, language=language, at=at, said=said, whole=whole)
        words = {"end_ms": round(part.end * 1000), "text": part.text or "",
                 "folded": fold(part.text or "")}  # fmt: skip
        row = insert_for(self._session, table_of(Part)).values(
            **key, start_ms=round(part.start * 1000), **words, made_at=at,
            speaker_id=part.speaker_id, speaker=part.speaker,
        )  # fmt: skip
        index = [*KEY, "start_ms"]
        await self._session.execute(
            row.on_conflict_do_update(index_elements=index, set_=words)
            if replace
            else row.on_conflict_do_nothing(index_elements=index)
        )
        return True

    async def newest(self, chat: ChatRef, prefix: str) -> str | None:
        """The chat's most recently begun recording whose key starts with `prefix` (a call's)."""
        query = (
            select(Header.recording)
            .where(*_of(Header, chat), Header.recording.startswith(prefix, autoescape=True))
            .order_by(Header.made_at.desc(), Header.recording.desc())
            .limit(1)
        )
        return (await self._session.scalars(query)).first()

    async def complete(
        self,
        chat: ChatRef,
        recording: str,
        *,
        language: str,
        duration: float,
        at: datetime,
        said: Said | None = None,
        mandate: Mandate | None = None,
    ) -> bool:
        if not await self._still_kept(chat, said, mandate):
            return False
        key = {"platform": chat.platform, "chat_id": chat.chat_id, "recording": recording}
        # A recording of no speech at all has no part, hence no row yet.
        await self._header(key, language=language, at=at, said=said, whole=duration)
        return True

    async def _header(
        self,
        key: dict[str, str],
        *,
        language: str,
        at: datetime,
        said: Said | None,
        whole: float | None,
    ) -> None:
        """The recording's header written where it is missing; with `whole` (its length), marked
        whole in the same statement, whether it was missing or there already (parts kept
        before): one statement, where an INSERT and an UPDATE of it were two, at every voice
        note kept. Written with SQLAlchemy's Core alone (`table_of`)."""
        values = {**key, "language": language, "made_at": at, **_where(key["recording"], said)}
        header = insert_for(self._session, table_of(Header))
        if whole is None:
            written = header.values(values).on_conflict_do_nothing(index_elements=KEY)
        else:
            header = header.values({**values, "duration": whole})
            written = header.on_conflict_do_update(
                index_elements=KEY, set_={"duration": header.excluded.duration}
            )
        await self._session.execute(written)

    async def search(
        self,
        chat: ChatRef,
        words: tuple[str, ...],
        *,
        places: frozenset[str] | None = None,
        offset: int = 0,
        limit: int,
        also: Sequence[ChatRef] = (),
        any_word: bool = False,
    ) -> list[Moment]:
        """`/find`: the chat's lines holding every one of `words` (folded; with `any_word`, one
        of them at least), newest first; only those said in `places` (Discord channels) when
        given; those of `also` too."""
        return await search(
            self._session, [chat, *also], words, places=places, offset=offset, limit=limit,
            any_word=any_word,
        )  # fmt: skip

    async def withdraw_part(self, chat: ChatRef, recording: str, *, start: float) -> None:
        """The line kept at `start` of `recording` (a call's turn its speaker withdrew)."""
        await self._session.execute(
            delete(Part).where(*_of(Part, chat, recording), Part.start_ms == round(start * 1000))
        )

    async def discard(self, chat: ChatRef, recording: str) -> None:
        """Forget one recording's transcript (heard in another language than now asked for)."""
        await self._session.execute(delete(Part).where(*_of(Part, chat, recording)))
        await self._session.execute(delete(Header).where(*_of(Header, chat, recording)))

    async def whole_of(self, chat: ChatRef, message_ids: Sequence[str]) -> set[str]:
        """Which of the chat's messages `message_ids` carried a recording kept whole: an import
        skips them, whatever was run before (the bot live, or an import interrupted)."""
        found: set[str] = set()
        ids = list(dict.fromkeys(message_ids))
        for start in range(0, len(ids), 500):  # within every database's bound parameters
            query = select(Header.message_id).where(
                *_of(Header, chat), Header.message_id.in_(ids[start : start + 500]),
                Header.duration.is_not(None),
            )  # fmt: skip
            found.update(str(m) for m in await self._session.scalars(query))
        return found

    async def delete_said(
        self, chat: ChatRef, message_ids: Sequence[str], *, place: str | None, at: datetime
    ) -> int:
        """What was kept of the recordings the chat's messages `message_ids` carried (said in
        `place`, where given): the message was deleted, as noted here (`at`), so that nothing
        of it is kept after. Returns how many recordings."""
        for message_id in sorted(set(message_ids)):  # locks in one order: no deadlock
            await self._message_lock(chat, message_id, place)
            note = insert_for(self._session, table_of(Deleted)).values(
                **chat_key(chat), place=place or "", message_id=message_id, deleted_at=at
            )
            await self._session.execute(note.on_conflict_do_nothing())
        said = _said(chat, message_ids, place)
        recordings = select(Header.recording).where(*said)
        await self._session.execute(
            delete(Part).where(*_of(Part, chat), Part.recording.in_(recordings))
        )
        return await _affected(self._session, delete(Header).where(*said))

    async def delete_place(self, chat: ChatRef, place: str) -> int:
        """What was kept of what was said in `place` of the chat (a Discord channel or thread,
        its calls' lines included): the place was deleted. Returns how many recordings."""
        in_place = [*_of(Header, chat), Header.place == place]
        recordings = select(Header.recording).where(*in_place)
        await self._session.execute(
            delete(Part).where(*_of(Part, chat), Part.recording.in_(recordings))
        )
        return await _affected(self._session, delete(Header).where(*in_place))

    async def is_deleted(self, chat: ChatRef, said: Said) -> bool:
        """Whether the message that carried a recording was deleted on its platform."""
        key = {**chat_key(chat), "place": said.place or "", "message_id": said.message_id}
        return (await self._session.execute(_IS_DELETED, key)).first() is not None

    async def delete_chat(self, chat: ChatRef) -> int:
        """`/forget`: every kept transcript of the chat, and the marks of its imports running
        (each stops, wherever it runs); returns how many recordings."""
        # The marks first: an import keeping a piece holds its mark until it commits, so the
        # parts are deleted only once that piece is in (`_still_kept`).
        await self._end_imports(chat)
        await _affected(self._session, delete(Part).where(*_of(Part, chat)))
        return await _affected(self._session, delete(Header).where(*_of(Header, chat)))

    async def delete_made_before(self, cutoff: datetime) -> int:
        """Retention: every chat's transcripts (and pieces, and deletions noted) made before
        `cutoff`."""
        await _affected(self._session, delete(Part).where(Part.made_at < cutoff))
        await self._session.execute(delete(Deleted).where(Deleted.deleted_at < cutoff))
        return await _affected(self._session, delete(Header).where(Header.made_at < cutoff))

    async def _still_kept(self, chat: ChatRef, said: Said | None, mandate: Mandate | None) -> bool:
        """Whether a piece of the recording `said` may be kept now: the work's `mandate` holds
        (no /forget of the chat, no no of its speaker's since it began: first, its locks
        before any other), its message not deleted, and, heard by an import, the import's mark
        still there. What is looked at stays locked till the transaction ends, so that a
        deletion or a forget coming meanwhile waits for this piece, then deletes it too. Under
        a mandate, a deletion is read in the statement that reads the count of forgets."""
        if mandate is not None:
            unless = self._deleted(chat, said) if said is not None and said.deletable else None
            if not await MandateRepository(self._session).holds(mandate, unless=unless):
                return False
        if said is None:
            return True
        if said.deletable and mandate is None:
            await self._message_lock(chat, said.message_id, said.place)
            if await self.is_deleted(chat, said):
                return False
        if said.during is None:
            return True
        return await self._mark_held(chat, said.during)

    def _deleted(self, chat: ChatRef, said: Said) -> Unless:
        """The look for `said`'s deletion, read with the count of forgets (`_still_kept`)."""
        return Unless(
            _FORGETS_AND_DELETED,
            {"place": said.place or "", "message_id": said.message_id},
            partial(self._message_lock, chat, said.message_id, said.place),
        )

    async def _message_lock(self, chat: ChatRef, message_id: str, place: str | None) -> None:
        """PostgreSQL: a lock on one message for the rest of the transaction, taken by the
        keeping of a piece and by the deletion alike (SQLite's transactions run one at a time)."""
        if dialect_of(self._session) == "postgresql":
            key = f"deleted:{chat.platform}:{chat.chat_id}:{place or ''}:{message_id}"
            await self._session.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))


def _where(recording: str, said: Said | None) -> dict[str, Any]:
    """Where a recording was said, as its header keeps it; a call's voice channel."""
    if said is None:
        return {"place": call_channel(recording)}
    return {"message_id": said.message_id, "author": said.author[:256], "sent_at": said.sent_at,
            "place": said.place}  # fmt: skip


def _said(chat: ChatRef, message_ids: Sequence[str], place: str | None) -> list[Any]:
    """The chat's recordings carried by its messages `message_ids` (in `place`, where given)."""
    said = [*_of(Header, chat), Header.message_id.in_(list(message_ids))]
    return said if place is None else [*said, Header.place == place]


def _of(
    table: type[Header] | type[Part], chat: ChatRef, recording: str | None = None
) -> tuple[Any, ...]:
    where = [table.platform == chat.platform, table.chat_id == chat.chat_id]
    if recording is not None:
        where.append(table.recording == recording)
    return tuple(where)


async def _affected(session: AsyncSession, statement: Any) -> int:
    result = cast(CursorResult[Any], await session.execute(statement))
    return int(result.rowcount or 0)
