"""Listening consent as the database keeps it (`listen_consents`): each member's yes or no to
being transcribed when the bot listens in a server's voice channels (`core.app.
listening.listening_consents` decides). A missing row reads as no; a save is an upsert, so two
replicas saving at once never fail on a key."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.shared_values import ChatRef
from core.infra.storage.rules.mandates_in_database import said_no
from core.infra.storage.sql_statements import chat_key, upsert
from core.infra.storage.tables import ListeningConsentRow

__all__ = ["ListeningConsentRepository"]


class ListeningConsentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def consenting(self, chat: ChatRef) -> set[str]:
        """The members of `chat` who said yes to being transcribed."""
        query = select(ListeningConsentRow.member_id).where(
            ListeningConsentRow.platform == chat.platform,
            ListeningConsentRow.chat_id == chat.chat_id,
            ListeningConsentRow.consents.is_(True),
        )
        return set((await self._session.execute(query)).scalars())

    async def refusing(self, chat: ChatRef) -> set[str]:
        """The members of `chat` who said no to being transcribed (an import leaves them out)."""
        query = select(ListeningConsentRow.member_id).where(
            ListeningConsentRow.platform == chat.platform,
            ListeningConsentRow.chat_id == chat.chat_id,
            ListeningConsentRow.consents.is_(False),
        )
        return set((await self._session.execute(query)).scalars())

    async def save(self, chat: ChatRef, member_id: str, consents: bool) -> None:
        """A yes, or a no, which also moves the member's count of no's: work under way on
        their words stops at it, in any process
        (`core.infra.storage.rules.mandates_in_database`)."""
        if not consents:
            await said_no(self._session, chat, member_id)
            return
        key = {**chat_key(chat), "member_id": member_id}
        await upsert(self._session, ListeningConsentRow, key, {"consents": consents}, stamp=True)

    async def delete_yeses(self, chat: ChatRef) -> None:
        """Every member's yes in the server, their no's left (`/forget`: why, in
        `core.app.memory.forgetting`)."""
        await self._session.execute(
            delete(ListeningConsentRow).where(
                ListeningConsentRow.platform == chat.platform,
                ListeningConsentRow.chat_id == chat.chat_id,
                ListeningConsentRow.consents.is_(True),
            )
        )
