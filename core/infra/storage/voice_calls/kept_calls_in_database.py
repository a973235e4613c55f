"""The calls being listened to as the database keeps them (`live_calls`, one row a server):
saved as a call starts, touched while it runs, deleted as it ends
(`core.app.listening.kept_calls`)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.listening.kept_call_values import KeptCall, KeptReading
from core.domain.shared_values import ChatRef, Platform
from core.infra.storage.sql_statements import chat_key, upsert
from core.infra.storage.tables.listening_tables import LiveCallRow, LiveReadingRow

__all__ = ["LiveCallRepository", "LiveReadingRepository"]


class LiveCallRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, server: ChatRef) -> KeptCall | None:
        row = await self._session.get(LiveCallRow, (server.platform, server.chat_id))
        return None if row is None else _kept(row)

    async def servers(self, platform: str) -> set[ChatRef]:
        return await _servers(self._session, LiveCallRow, platform)

    async def save(self, call: KeptCall) -> None:
        values = {
            "voice_id": call.voice_id, "text_id": call.text_id, "starter": call.starter,
            "locale": call.locale, "recording": call.recording, "translate": call.translate,
            "interpret": call.interpret, "cheaper": call.cheaper,
            "captions_message": call.captions_message,
            "started_at": call.started_at, "alive_at": call.alive_at,
        }  # fmt: skip
        await upsert(self._session, LiveCallRow, chat_key(call.server), values)

    async def alive(self, server: ChatRef, at: datetime, captions_message: str | None) -> None:
        await self._session.execute(
            update(LiveCallRow)
            .where(LiveCallRow.platform == server.platform, LiveCallRow.chat_id == server.chat_id)
            .values(alive_at=at, captions_message=captions_message)
        )

    async def delete(self, server: ChatRef) -> None:
        await self._session.execute(
            delete(LiveCallRow).where(
                LiveCallRow.platform == server.platform, LiveCallRow.chat_id == server.chat_id
            )
        )


async def _servers(
    session: AsyncSession, table: type[LiveCallRow] | type[LiveReadingRow], platform: str
) -> set[ChatRef]:
    query = select(table.chat_id).where(table.platform == platform)
    return {ChatRef(cast(Platform, platform), chat_id) for chat_id in await session.scalars(query)}


def _kept(row: LiveCallRow) -> KeptCall:
    return KeptCall(
        ChatRef(cast(Platform, row.platform), row.chat_id), row.voice_id, row.text_id,
        row.starter, row.locale, row.recording, row.started_at, row.alive_at,
        translate=row.translate, interpret=row.interpret, cheaper=row.cheaper,
        captions_message=row.captions_message,
    )  # fmt: skip


class LiveReadingRepository:
    """The channel readings as the database keeps them (`live_readings`, one row a server):
    saved as a reading starts, its position moved as each message comes up, deleted as it
    ends (`core.app.channel_reader.reading_resumption`)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, server: ChatRef) -> KeptReading | None:
        row = await self._session.get(
            LiveReadingRow, (server.platform, server.chat_id), populate_existing=True
        )
        return None if row is None else _kept_reading(row)

    async def servers(self, platform: str) -> set[ChatRef]:
        return await _servers(self._session, LiveReadingRow, platform)

    async def save(self, reading: KeptReading) -> None:
        values = {
            "voice_id": reading.voice_id, "text_id": reading.text_id,
            "own_chat": reading.own_chat, "starter": reading.starter, "locale": reading.locale,
            "platform_locale": reading.platform_locale, "last_read": reading.last_read,
            "started_at": reading.started_at, "alive_at": reading.alive_at,
        }  # fmt: skip
        await upsert(self._session, LiveReadingRow, chat_key(reading.server), values)

    async def read(self, server: ChatRef, message_id: str, at: datetime) -> None:
        """`message_id` came up to be read, at `at`: the reading's place, kept."""
        await self._update(server, last_read=message_id, alive_at=at)

    async def alive(self, server: ChatRef, at: datetime) -> None:
        await self._update(server, alive_at=at)

    async def delete(self, server: ChatRef) -> None:
        await self._session.execute(
            delete(LiveReadingRow).where(
                LiveReadingRow.platform == server.platform,
                LiveReadingRow.chat_id == server.chat_id,
            )
        )

    async def _update(self, server: ChatRef, **values: object) -> None:
        await self._session.execute(
            update(LiveReadingRow)
            .where(
                LiveReadingRow.platform == server.platform,
                LiveReadingRow.chat_id == server.chat_id,
            )
            .values(**values)
        )


def _kept_reading(row: LiveReadingRow) -> KeptReading:
    return KeptReading(
        ChatRef(cast(Platform, row.platform), row.chat_id), row.voice_id, row.text_id,
        row.own_chat, row.starter, row.locale, row.platform_locale, row.started_at,
        row.alive_at, last_read=row.last_read,
    )  # fmt: skip
