"""Telegram Business connections in the `business_connections` table
(`core.app.recordings.business_chats`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.recordings.business_choices import DESTINATIONS, BusinessConnection, Destination
from core.infra.storage.sql_statements import upsert
from core.infra.storage.tables import BusinessConnectionRow

__all__ = ["BusinessConnectionRepository"]


class BusinessConnectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, connection_id: str) -> BusinessConnection | None:
        row = await self._session.get(BusinessConnectionRow, connection_id, populate_existing=True)
        return None if row is None else _to_connection(row)

    async def of_owner(self, owner_user_id: str) -> BusinessConnection | None:
        """The owner's connection (a Telegram account connects one bot once); the newest, should
        an old one linger."""
        rows = await self._session.scalars(
            select(BusinessConnectionRow)
            .where(BusinessConnectionRow.owner_user_id == owner_user_id)
            .order_by(BusinessConnectionRow.connected_at.desc())
            .limit(1)
        )
        row = rows.first()
        return None if row is None else _to_connection(row)

    async def save(self, connection: BusinessConnection) -> None:
        """Insert or replace, in one statement (two replicas may see the same update)."""
        key = {"connection_id": connection.connection_id}
        await upsert(self._session, BusinessConnectionRow, key, _to_columns(connection))

    async def delete(self, connection_id: str) -> None:
        await self._session.execute(
            delete(BusinessConnectionRow).where(
                BusinessConnectionRow.connection_id == connection_id
            )
        )


def _to_columns(connection: BusinessConnection) -> dict[str, Any]:
    return {
        "owner_user_id": connection.owner_user_id,
        "owner_chat_id": connection.owner_chat_id,
        "can_reply": connection.can_reply,
        "transcripts": connection.transcripts,
        "destination": connection.destination,
        "skipped_chats": " ".join(sorted(connection.skipped_chats)),
    }


def _to_connection(row: BusinessConnectionRow) -> BusinessConnection:
    destination: Destination = next((d for d in DESTINATIONS if d == row.destination), "owner")
    return BusinessConnection(
        connection_id=row.connection_id,
        owner_user_id=row.owner_user_id,
        owner_chat_id=row.owner_chat_id,
        can_reply=row.can_reply,
        transcripts=row.transcripts,
        destination=destination,
        skipped_chats=frozenset(row.skipped_chats.split()),
    )
