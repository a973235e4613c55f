"""Inline mode's rendered voice notes in the `inline_voices` table
(`core.app.voices.inline_mode`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.shared_values import ChatRef
from core.domain.voices.inline_voice_cache_key import CachedVoice
from core.infra.storage.sql_statements import insert_for
from core.infra.storage.tables import InlineVoiceRow

__all__ = ["InlineVoiceRepository"]


class InlineVoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, key: str) -> CachedVoice | None:
        row = await self._session.get(InlineVoiceRow, key)
        return None if row is None else _voice(row)

    async def save(
        self, key: str, voice: CachedVoice, *, owner: ChatRef, voice_name: str | None, at: datetime
    ) -> None:
        """Kept once: two renderings of the same key at once sound alike, the first one stays."""
        noted = None if voice_name is None else voice_name.casefold()
        statement = (
            insert_for(self._session, InlineVoiceRow)
            .values(
                key=key,
                file_id=voice.file_id,
                seconds=voice.seconds,
                created_at=at,
                owner_platform=owner.platform,
                owner_chat_id=owner.chat_id,
                voice_name=noted,
                kept_in=voice.kept_in,
                message_id=voice.message_id,
            )
            .on_conflict_do_nothing(index_elements=["key"])
        )
        await self._session.execute(statement)

    async def delete_chat(self, chat: ChatRef) -> list[CachedVoice]:
        """`/forget`: every rendering made in the chat's voice; returns them."""
        return await self._deleted(*_owned_by(chat))

    async def delete_voice(self, chat: ChatRef, name: str) -> list[CachedVoice]:
        """`/voice delete`: the renderings made in the chat's voice `name` (in any case)."""
        return await self._deleted(*_owned_by(chat), InlineVoiceRow.voice_name == name.casefold())

    async def delete_made_before(self, cutoff: datetime) -> int:
        """Retention: every rendering made before `cutoff`."""
        statement = delete(InlineVoiceRow).where(InlineVoiceRow.created_at < cutoff)
        result = cast(CursorResult[Any], await self._session.execute(statement))
        return int(result.rowcount or 0)

    async def _deleted(self, *where: Any) -> list[CachedVoice]:
        statement = delete(InlineVoiceRow).where(*where).returning(InlineVoiceRow)
        rows = (await self._session.execute(statement)).scalars().all()
        return [_voice(row) for row in rows]


def _owned_by(chat: ChatRef) -> tuple[Any, ...]:
    return (InlineVoiceRow.owner_platform == chat.platform,
            InlineVoiceRow.owner_chat_id == chat.chat_id)  # fmt: skip


def _voice(row: InlineVoiceRow) -> CachedVoice:
    return CachedVoice(
        file_id=row.file_id, seconds=row.seconds, kept_in=row.kept_in, message_id=row.message_id
    )
