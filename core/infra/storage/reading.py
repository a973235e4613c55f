"""The channel reader's stored choices (`core.app.reader_choices`): a server's rules
(`reader_settings`) and each member's own (`reader_members`); and for listening
(`core.app.listening`), each member's consent to being transcribed (`listen_consents`). Missing
rows read as the defaults; writes are upserts, so two replicas saving at once never fail on a
key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.reading import ReaderMember, ReaderRules
from core.domain.values import ChatRef
from core.infra.storage.models import ListenConsentRow, ReaderMemberRow, ReaderSettingsRow
from core.infra.storage.repositories import insert_for


class ReadingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def rules(self, chat: ChatRef) -> ReaderRules:
        row = await self._session.get(
            ReaderSettingsRow, (chat.platform, chat.chat_id), populate_existing=True
        )
        if row is None:
            return ReaderRules()
        return ReaderRules(bots=row.bots, webhooks=row.webhooks, commands=row.commands)

    async def save_rules(self, chat: ChatRef, rules: ReaderRules) -> None:
        values = {"bots": rules.bots, "webhooks": rules.webhooks, "commands": rules.commands}
        await self._upsert(ReaderSettingsRow, _key(chat), values)

    async def member(self, chat: ChatRef, member_id: str) -> ReaderMember:
        key = (chat.platform, chat.chat_id, member_id)
        row = await self._session.get(ReaderMemberRow, key, populate_existing=True)
        return ReaderMember() if row is None else ReaderMember(voice=row.voice, read=row.read)

    async def save_member(self, chat: ChatRef, member_id: str, member: ReaderMember) -> None:
        values = {"voice": member.voice, "read": member.read}
        await self._upsert(ReaderMemberRow, {**_key(chat), "member_id": member_id}, values)

    async def chooser_of(self, chat: ChatRef, voice: str) -> str | None:
        query = select(ReaderMemberRow.member_id).where(
            ReaderMemberRow.platform == chat.platform,
            ReaderMemberRow.chat_id == chat.chat_id,
            ReaderMemberRow.voice == voice,
        )
        return (await self._session.execute(query.limit(1))).scalar_one_or_none()

    async def consenting(self, chat: ChatRef) -> set[str]:
        """The members of `chat` who said yes to being transcribed."""
        query = select(ListenConsentRow.member_id).where(
            ListenConsentRow.platform == chat.platform,
            ListenConsentRow.chat_id == chat.chat_id,
            ListenConsentRow.consents.is_(True),
        )
        return set((await self._session.execute(query)).scalars())

    async def refusing(self, chat: ChatRef) -> set[str]:
        """The members of `chat` who said no to being transcribed (an import leaves them out)."""
        query = select(ListenConsentRow.member_id).where(
            ListenConsentRow.platform == chat.platform,
            ListenConsentRow.chat_id == chat.chat_id,
            ListenConsentRow.consents.is_(False),
        )
        return set((await self._session.execute(query)).scalars())

    async def save_consent(self, chat: ChatRef, member_id: str, consents: bool) -> None:
        key = {**_key(chat), "member_id": member_id}
        await self._upsert(ListenConsentRow, key, {"consents": consents})

    async def delete_chat(self, chat: ChatRef) -> None:
        """`/forget`: the server's rules and its members' choices and consents."""
        for table in (ReaderSettingsRow, ReaderMemberRow, ListenConsentRow):
            await self._session.execute(
                delete(table).where(table.platform == chat.platform, table.chat_id == chat.chat_id)
            )

    async def _upsert(
        self,
        table: type[ReaderSettingsRow | ReaderMemberRow | ListenConsentRow],
        key: dict[str, str],
        values: dict[str, Any],
    ) -> None:
        statement = (
            insert_for(self._session, table)
            .values(**key, **values)
            .on_conflict_do_update(
                index_elements=list(key), set_={**values, "updated_at": func.now()}
            )
        )
        await self._session.execute(statement)


def _key(chat: ChatRef) -> dict[str, str]:
    return {"platform": chat.platform, "chat_id": chat.chat_id}
