"""The channel reader's stored choices (`core.app.channel_reader.reader_choices`): a server's rules
(`reader_settings`) and each member's own (`reader_members`). Missing rows read as the
defaults; writes are upserts, so two replicas saving at once never fail on a key. Listening
consent is stored apart (`core.infra.storage.voice_calls.listening_consents_in_database`)."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.channel_reader.reader_rules import ReaderMember, ReaderRules
from core.domain.shared_values import ChatRef
from core.infra.storage.sql_statements import chat_key, upsert
from core.infra.storage.tables import ReaderMemberRow, ReaderSettingsRow

__all__ = ["ReadingRepository"]


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
        await upsert(self._session, ReaderSettingsRow, chat_key(chat), values, stamp=True)

    async def member(self, chat: ChatRef, member_id: str) -> ReaderMember:
        key = (chat.platform, chat.chat_id, member_id)
        row = await self._session.get(ReaderMemberRow, key, populate_existing=True)
        return ReaderMember() if row is None else ReaderMember(voice=row.voice, read=row.read)

    async def save_member(self, chat: ChatRef, member_id: str, member: ReaderMember) -> None:
        values = {"voice": member.voice, "read": member.read}
        key = {**chat_key(chat), "member_id": member_id}
        await upsert(self._session, ReaderMemberRow, key, values, stamp=True)

    async def chooser_of(self, chat: ChatRef, voice: str) -> str | None:
        query = select(ReaderMemberRow.member_id).where(
            ReaderMemberRow.platform == chat.platform,
            ReaderMemberRow.chat_id == chat.chat_id,
            ReaderMemberRow.voice == voice,
        )
        return (await self._session.execute(query.limit(1))).scalar_one_or_none()

    async def delete_chat(self, chat: ChatRef) -> None:
        """`/forget`: the server's rules and its members' choices, but for a member's no to
        being read (`/read_me allowed:False`), kept with its voice forgotten: it only ever stops
        the bot, as a no to being transcribed outlives a forget."""
        rules, members = ReaderSettingsRow, ReaderMemberRow
        await self._session.execute(
            delete(rules).where(rules.platform == chat.platform, rules.chat_id == chat.chat_id)
        )
        of_chat = (members.platform == chat.platform, members.chat_id == chat.chat_id)
        await self._session.execute(delete(members).where(*of_chat, members.read.is_(True)))
        await self._session.execute(update(members).where(*of_chat).values(voice=None))
