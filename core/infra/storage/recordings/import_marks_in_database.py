"""An import's mark and the past messages it claims (`running_imports`, `import_claims`): which
imports of a chat's past run (`core.app.memory.import_run`), in whichever process, and which of
the chat's past messages each one hears now, so that two imports never hear one message twice.

`/forget` deletes the chat's marks (`_end_imports`) before its kept pieces, and the keeping of
an import's piece holds its mark till it commits (`_mark_held`), so that an import stops keeping
once the chat is forgotten (`core.infra.storage.recordings.kept_transcripts_in_database`, whose
repository these belong to).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.memory.search_rules import Said
from core.domain.shared_values import ChatRef
from core.infra.storage.sql_statements import chat_key, insert_for, table_of
from core.infra.storage.tables import ImportClaimRow, RunningImportRow

__all__ = ["ImportMarks"]

Running = RunningImportRow
Claimed = ImportClaimRow


class ImportMarks:
    """The imports' marks and claims, as `TranscriptRepository` holds them (module docstring)."""

    _session: AsyncSession

    async def begin_import(self, chat: ChatRef, import_id: str, *, at: datetime) -> None:
        """Mark an import of the chat's past as running (`import_running`)."""
        await self._session.execute(
            insert_for(self._session, table_of(Running)).values(
                **chat_key(chat), import_id=import_id, started_at=at, seen_at=at
            )
        )

    async def import_seen(self, chat: ChatRef, import_id: str, *, at: datetime) -> None:
        """The import's process is alive at `at`: its claims hold (`claim_past`)."""
        await self._session.execute(
            update(Running)
            .where(*_in(Running, chat), Running.import_id == import_id)
            .values(seen_at=at)
        )

    async def import_running(self, chat: ChatRef, import_id: str) -> bool:
        """Whether the import's mark is still there: `/forget` deletes it."""
        found = select(Running.import_id).where(*_in(Running, chat), Running.import_id == import_id)
        return (await self._session.scalars(found)).first() is not None

    async def end_import(self, chat: ChatRef, import_id: str) -> None:
        await self._session.execute(
            delete(Running).where(*_in(Running, chat), Running.import_id == import_id)
        )
        await self._session.execute(
            delete(Claimed).where(*_in(Claimed, chat), Claimed.import_id == import_id)
        )

    async def claim_past(
        self, chat: ChatRef, said: Said, import_id: str, *, at: datetime, stale_before: datetime
    ) -> bool:
        """Whether the import `import_id` may hear the past message `said` now: True once it
        holds the message's claim, False while another import running holds it. A claim whose
        import was not seen alive since `stale_before` (its process killed), or is gone, is
        taken over. Two imports taking one at once: the primary key lets one INSERT through."""
        key = _claimed(chat, said)
        holder = (
            select(Claimed.import_id, func.coalesce(Running.seen_at, Running.started_at))
            .outerjoin(
                Running,
                and_(
                    Running.platform == Claimed.platform,
                    Running.chat_id == Claimed.chat_id,
                    Running.import_id == Claimed.import_id,
                ),
            )
            .where(*key)
        )
        found = (await self._session.execute(holder)).first()
        if found is not None:
            other, seen = found
            if other == import_id:
                return True
            if seen is not None and seen >= stale_before:
                return False
            await self._session.execute(delete(Claimed).where(*key, Claimed.import_id == other))
        row = {**chat_key(chat), "place": said.place or "", "message_id": said.message_id}
        claiming = (
            insert_for(self._session, table_of(Claimed))
            .values(**row, import_id=import_id, claimed_at=at)
            .on_conflict_do_nothing(index_elements=list(row))
            .returning(table_of(Claimed).c.import_id)
        )
        return (await self._session.execute(claiming)).first() is not None

    async def release_past(self, chat: ChatRef, said: Said, import_id: str) -> None:
        """The import `import_id` is done with the past message `said` (heard, or given back)."""
        await self._session.execute(
            delete(Claimed).where(*_claimed(chat, said), Claimed.import_id == import_id)
        )

    async def _mark_held(self, chat: ChatRef, import_id: str) -> bool:
        """Whether the import's mark is still there, held (FOR SHARE) till the transaction ends:
        a forget meanwhile waits for the piece being kept, then deletes it too."""
        mark = select(Running.import_id).where(*_in(Running, chat), Running.import_id == import_id)
        return (await self._session.scalars(mark.with_for_update(read=True))).first() is not None

    async def _end_imports(self, chat: ChatRef) -> None:
        """`/forget`: the marks of the chat's imports, and their claims (each import stops,
        wherever it runs)."""
        await self._session.execute(delete(Running).where(*_in(Running, chat)))
        await self._session.execute(delete(Claimed).where(*_in(Claimed, chat)))


def _claimed(chat: ChatRef, said: Said) -> list[Any]:
    return [*_in(Claimed, chat), Claimed.place == (said.place or ""),
            Claimed.message_id == said.message_id]  # fmt: skip


def _in(table: type[Running] | type[Claimed], chat: ChatRef) -> tuple[Any, ...]:
    return (table.platform == chat.platform, table.chat_id == chat.chat_id)
