"""Repositories of the chat log (messages kept for summaries) and of per-chat summary state.

Every query names the chat: one chat's messages can only ever be read, counted or deleted
together with that chat's platform and id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.shared_values import ChatRef, Platform
from core.domain.summaries.summary_values import (
    MESSAGE_KINDS,
    ChatMessage,
    MessageKind,
    SummaryState,
)
from core.infra.storage.sql_statements import chat_key, insert_for, upsert
from core.infra.storage.tables import ChatMessageRow, ChatSummaryStateRow

__all__ = ["ChatLogRepository", "SummaryStateRepository"]


class ChatLogRepository:
    """Messages, captions and transcripts in `chat_messages`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, message: ChatMessage) -> None:
        """Store `message`; the same message (id and kind) stored again is ignored."""
        statement = (
            insert_for(self._session, ChatMessageRow)
            .values(
                platform=message.chat.platform,
                chat_id=message.chat.chat_id,
                message_id=message.message_id,
                kind=message.kind,
                author=message.author[:256],
                sent_at=message.sent_at,
                text=message.text,
            )
            .on_conflict_do_nothing(index_elements=["platform", "chat_id", "message_id", "kind"])
        )
        await self._session.execute(statement)

    async def recent(
        self, chat: ChatRef, *, after: datetime | None = None, limit: int
    ) -> list[ChatMessage]:
        """The newest `limit` messages of `chat` sent after `after`, oldest first."""
        query = select(ChatMessageRow).where(*_of(chat))
        if after is not None:
            query = query.where(ChatMessageRow.sent_at > after)
        query = query.order_by(ChatMessageRow.sent_at.desc(), ChatMessageRow.id.desc())
        rows = (await self._session.scalars(query.limit(limit))).all()
        return [_to_message(chat, row) for row in reversed(rows)]

    async def count(self, chat: ChatRef) -> int:
        query = select(func.count()).select_from(ChatMessageRow).where(*_of(chat))
        return int(await self._session.scalar(query) or 0)

    async def delete_chat(self, chat: ChatRef) -> int:
        """Delete every stored message of `chat`; returns how many there were."""
        return await _affected(self._session, delete(ChatMessageRow).where(*_of(chat)))

    async def delete_sent_before(self, cutoff: datetime) -> int:
        """Retention: delete every chat's messages sent before `cutoff`."""
        statement = delete(ChatMessageRow).where(ChatMessageRow.sent_at < cutoff)
        return await _affected(self._session, statement)


class SummaryStateRepository:
    """Per-chat logging switch, last-summary marker and digest schedule."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, chat: ChatRef) -> SummaryState:
        row = await self._session.get(
            ChatSummaryStateRow, (chat.platform, chat.chat_id), populate_existing=True
        )
        return SummaryState() if row is None else _to_state(row)

    async def save(self, chat: ChatRef, state: SummaryState) -> None:
        """Insert or replace the whole state in one statement (safe against a racing replica)."""
        await self._upsert(chat, _to_columns(state))

    async def mark_summarised(self, chat: ChatRef, at: datetime) -> None:
        """Move only the last-summary marker, leaving settings changed meanwhile alone."""
        await self._upsert(chat, {"last_summary_at": at})

    async def delete(self, chat: ChatRef) -> None:
        await self._session.execute(
            delete(ChatSummaryStateRow).where(
                ChatSummaryStateRow.platform == chat.platform,
                ChatSummaryStateRow.chat_id == chat.chat_id,
            )
        )

    async def due(
        self, platforms: Iterable[Platform], now: datetime, *, limit: int
    ) -> list[tuple[ChatRef, datetime]]:
        """Chats on `platforms` whose digest was due at or before `now`, with that due time,
        oldest first; at most `limit` (`core.app.summaries.daily_digests` says how many)."""
        # The stored platform (a str) back to its Platform value.
        wanted: dict[str, Platform] = {platform: platform for platform in platforms}
        query = (
            select(
                ChatSummaryStateRow.platform,
                ChatSummaryStateRow.chat_id,
                ChatSummaryStateRow.next_digest_at,
            )
            .where(
                ChatSummaryStateRow.platform.in_(list(wanted)),
                ChatSummaryStateRow.next_digest_at <= now,
            )
            .order_by(ChatSummaryStateRow.next_digest_at)
            .limit(limit)
        )
        rows = (await self._session.execute(query)).all()
        return [(ChatRef(wanted[p], c), due) for p, c, due in rows if due is not None]

    async def claim_digest(self, chat: ChatRef, due: datetime, next_at: datetime | None) -> bool:
        """Move the chat's digest from `due` to `next_at` (None: no next one), if no one else
        did it first.

        A compare-and-set: of several replicas claiming the same digest, exactly one sees its
        UPDATE change a row (PostgreSQL re-checks the WHERE after a concurrent update commits;
        SQLite runs writers one at a time), so each digest is posted once.
        """
        statement = (
            update(ChatSummaryStateRow)
            .where(
                ChatSummaryStateRow.platform == chat.platform,
                ChatSummaryStateRow.chat_id == chat.chat_id,
                ChatSummaryStateRow.next_digest_at == due,
            )
            .values(next_digest_at=next_at, updated_at=func.now())
        )
        return await _affected(self._session, statement) == 1

    async def _upsert(self, chat: ChatRef, values: dict[str, Any]) -> None:
        await upsert(self._session, ChatSummaryStateRow, chat_key(chat), values, stamp=True)


def _of(chat: ChatRef) -> tuple[Any, ...]:
    return (ChatMessageRow.platform == chat.platform, ChatMessageRow.chat_id == chat.chat_id)


async def _affected(session: AsyncSession, statement: Any) -> int:
    """Rows a DELETE or UPDATE touched."""
    result = cast(CursorResult[Any], await session.execute(statement))
    return int(result.rowcount or 0)


def _to_message(chat: ChatRef, row: ChatMessageRow) -> ChatMessage:
    kind: MessageKind = next((k for k in MESSAGE_KINDS if k == row.kind), "text")
    return ChatMessage(
        chat=chat,
        message_id=row.message_id,
        author=row.author,
        sent_at=row.sent_at,
        text=row.text,
        kind=kind,
    )


def _to_columns(state: SummaryState) -> dict[str, Any]:
    return {
        "logging_enabled": state.logging_enabled,
        "last_summary_at": state.last_summary_at,
        "digest_time": state.digest_time,
        "time_zone": state.time_zone,
        "next_digest_at": state.next_digest_at,
    }


def _to_state(row: ChatSummaryStateRow) -> SummaryState:
    return SummaryState(
        logging_enabled=row.logging_enabled,
        last_summary_at=row.last_summary_at,
        digest_time=row.digest_time,
        time_zone=row.time_zone,
        next_digest_at=row.next_digest_at,
    )
