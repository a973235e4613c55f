"""Inline mode's rendered voice notes in the `inline_voices` table (`core.app.inline`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.inline import CachedVoice
from core.infra.storage.models import InlineVoiceRow
from core.infra.storage.repositories import insert_for


class InlineVoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, key: str) -> CachedVoice | None:
        row = await self._session.get(InlineVoiceRow, key)
        return None if row is None else CachedVoice(file_id=row.file_id, seconds=row.seconds)

    async def save(self, key: str, voice: CachedVoice) -> None:
        """Kept once: two renderings of the same key at once sound alike, the first one stays."""
        statement = (
            insert_for(self._session, InlineVoiceRow)
            .values(key=key, file_id=voice.file_id, seconds=voice.seconds)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        await self._session.execute(statement)
