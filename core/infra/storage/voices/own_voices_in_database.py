"""The repository of a chat's own voices (`chat_voices`): designed and cloned ones.

Names are unique per chat whatever their case (`name_key`); every query names the chat, so one
chat can never read, use or delete another's voice or sample.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from core.domain.shared_values import ChatRef, ChatVoice, VoiceKind
from core.infra.storage.sql_statements import insert_for
from core.infra.storage.tables import ChatVoiceRow

__all__ = ["VoiceRepository"]


def name_key(name: str) -> str:
    return name.casefold()


class VoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def in_chat(self, chat: ChatRef) -> list[ChatVoice]:
        """The chat's voices, oldest first, without their samples."""
        query = select(ChatVoiceRow).where(*_of(chat)).order_by(ChatVoiceRow.id)
        return [_to_voice(row, sample=False) for row in await self._session.scalars(query)]

    async def find(self, chat: ChatRef, name: str) -> ChatVoice | None:
        """The chat's voice called `name` (any case), sample included."""
        query = (
            select(ChatVoiceRow)
            .where(*_of(chat), ChatVoiceRow.name_key == name_key(name))
            .options(undefer(ChatVoiceRow.sample))
        )
        row = (await self._session.scalars(query)).first()
        return None if row is None else _to_voice(row, sample=True)

    async def add(self, chat: ChatRef, voice: ChatVoice) -> bool:
        """Store `voice`; False (and nothing stored) when the chat has one of that name."""
        statement = (
            insert_for(self._session, ChatVoiceRow)
            .values(platform=chat.platform, chat_id=chat.chat_id, **_to_columns(voice))
            .on_conflict_do_nothing(index_elements=["platform", "chat_id", "name_key"])
        )
        return await _affected(self._session, statement) == 1

    async def delete(self, chat: ChatRef, name: str) -> bool:
        """Delete the chat's voice called `name` and its sample; False when there is none."""
        statement = delete(ChatVoiceRow).where(*_of(chat), ChatVoiceRow.name_key == name_key(name))
        return await _affected(self._session, statement) == 1

    async def translating_voice(self, chat: ChatRef, owner_id: str) -> ChatVoice | None:
        """`owner_id`'s own cloned voice in the chat that they let speak translations of their
        words, sample included (the oldest, if several)."""
        return await self._consented(chat, owner_id, ChatVoiceRow.speaks_translations)

    async def let_speak_translations(self, chat: ChatRef, owner_id: str, allowed: bool) -> int:
        """Allow or forbid `owner_id`'s cloned voices in the chat to speak translations of
        their words; returns how many voices they have there."""
        return await self._consent(chat, owner_id, speaks_translations=allowed)

    async def reading_voice(self, chat: ChatRef, owner_id: str) -> ChatVoice | None:
        """`owner_id`'s own cloned voice in the chat that they let read their messages aloud,
        sample included (the oldest, if several)."""
        return await self._consented(chat, owner_id, ChatVoiceRow.reads_messages)

    async def reads_in(self, chat: ChatRef, owner_id: str, name: str) -> bool:
        """Whether `owner_id`'s own cloned voice `name` is still in the chat and they still let
        it read their messages aloud: the row's existence, its sample left unread."""
        query = select(ChatVoiceRow.id).where(
            *_owned(chat, owner_id),
            ChatVoiceRow.name_key == name_key(name),
            ChatVoiceRow.reads_messages.is_(True),
        )
        return (await self._session.scalars(query.limit(1))).first() is not None

    async def let_read_messages(self, chat: ChatRef, owner_id: str, allowed: bool) -> int:
        """Allow or forbid `owner_id`'s cloned voices in the chat to read their messages
        aloud; returns how many voices they have there."""
        return await self._consent(chat, owner_id, reads_messages=allowed)

    async def _consented(self, chat: ChatRef, owner_id: str, consent: Any) -> ChatVoice | None:
        query = (
            select(ChatVoiceRow)
            .where(*_owned(chat, owner_id), consent.is_(True))
            .order_by(ChatVoiceRow.id)
            .options(undefer(ChatVoiceRow.sample))
        )
        row = (await self._session.scalars(query)).first()
        return None if row is None else _to_voice(row, sample=True)

    async def _consent(self, chat: ChatRef, owner_id: str, **consent: bool) -> int:
        statement = update(ChatVoiceRow).where(*_owned(chat, owner_id)).values(**consent)
        return await _affected(self._session, statement)

    async def share(self, chat: ChatRef, name: str, owner_id: str, shared: bool) -> str | None:
        """Share (or stop sharing) `owner_id`'s cloned voice `name` with the chat; its name as
        stored, or None when they have no cloned voice of that name there."""
        statement = (
            update(ChatVoiceRow)
            .where(
                *_of(chat),
                ChatVoiceRow.name_key == name_key(name),
                ChatVoiceRow.owner_id == owner_id,
                ChatVoiceRow.kind == "cloned",
            )
            .values(shared=shared)
            .returning(ChatVoiceRow.name)
        )
        return (await self._session.execute(statement)).scalar_one_or_none()

    async def verified_sample(
        self, chat: ChatRef, name: str, owner_id: str, sample: bytes, mime: str
    ) -> bool:
        """`owner_id`'s cloned voice `name` speaks from `sample` now, verified by their reading
        of the consent sentence; False when they have no cloned voice of that name there."""
        statement = (
            update(ChatVoiceRow)
            .where(*_owned(chat, owner_id), ChatVoiceRow.name_key == name_key(name))
            .values(sample=sample, sample_mime=mime, verified=True)
        )
        return await _affected(self._session, statement) == 1

    async def delete_chat(self, chat: ChatRef) -> int:
        """`/forget`: every voice and sample of the chat; returns how many there were."""
        return await _affected(self._session, delete(ChatVoiceRow).where(*_of(chat)))


def _of(chat: ChatRef) -> tuple[Any, ...]:
    return (ChatVoiceRow.platform == chat.platform, ChatVoiceRow.chat_id == chat.chat_id)


def _owned(chat: ChatRef, owner_id: str) -> tuple[Any, ...]:
    """`owner_id`'s cloned voices in the chat: a person's consent covers only their own."""
    return (*_of(chat), ChatVoiceRow.owner_id == owner_id, ChatVoiceRow.kind == "cloned")


async def _affected(session: AsyncSession, statement: Any) -> int:
    result = cast(CursorResult[Any], await session.execute(statement))
    return int(result.rowcount or 0)


def _to_columns(voice: ChatVoice) -> dict[str, Any]:
    return {
        "name": voice.name,
        "name_key": name_key(voice.name),
        "kind": voice.kind,
        "description": voice.description,
        "sample": voice.sample or None,
        "sample_mime": voice.sample_mime,
        "owner_id": voice.owner_id,
        "shared": voice.shared,
        "verified": voice.verified,
    }


def _to_voice(row: ChatVoiceRow, *, sample: bool) -> ChatVoice:
    kind: VoiceKind = "cloned" if row.kind == "cloned" else "designed"
    return ChatVoice(
        name=row.name,
        kind=kind,
        description=row.description,
        sample=(row.sample or b"") if sample else b"",
        sample_mime=row.sample_mime,
        owner_id=row.owner_id,
        shared=row.shared,
        verified=row.verified,
    )
