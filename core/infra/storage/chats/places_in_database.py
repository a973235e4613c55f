"""Which places the database holds anything of: every table that names a place (a platform and a
chat id) is asked, so a table added later is covered without a change here."""

from __future__ import annotations

from sqlalchemy import Select, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from core.infra.storage.tables import Base

__all__ = ["PlaceRepository"]


class PlaceRepository:
    """`PlaceIndex` over every table with `platform` and `chat_id` columns."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def named(self, platform: str, prefix: str) -> set[str]:
        """The chat ids of `platform` starting with `prefix` that any table holds."""
        selects: list[Select[tuple[str]]] = [
            select(table.c.chat_id).where(
                table.c.platform == platform, table.c.chat_id.startswith(prefix, autoescape=True)
            )
            for table in Base.metadata.sorted_tables
            if {"platform", "chat_id"} <= set(table.c.keys())
        ]
        rows = await self._session.execute(union(*selects))
        return {str(chat_id) for (chat_id,) in rows}
