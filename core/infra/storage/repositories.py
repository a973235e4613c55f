"""Repositories: domain values in, domain values out, SQL in between.

Each repository works inside the session its unit of work gives it and never commits, so one
`async with uow:` block is one transaction whatever it touches. Later tables (stored messages,
claims, usage) get their own repository class here and an attribute on the unit of
work.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from sqlalchemy import Table, delete, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.values import LANGUAGES, ChatRef, Language, Preferences
from core.infra.storage.models import Base, ChatPreferencesRow

logger = logging.getLogger(__name__)

__all__ = [
    "PreferencesRepository",
    "chat_key",
    "dialect_of",
    "insert_for",
    "inserting",
    "table_of",
    "to_preferences",
    "upsert",
]


class PreferencesRepository:
    """Per-chat preferences in the `chat_preferences` table."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, chat: ChatRef) -> Preferences:
        """The chat's preferences, or the defaults when it never changed any."""
        return await self.find(chat) or Preferences()

    async def find(self, chat: ChatRef) -> Preferences | None:
        """The chat's stored preferences, or None when it has no row of its own."""
        # populate_existing: an upsert earlier in this session bypasses the identity map, so a
        # cached row could be stale.
        row = await self._session.get(
            ChatPreferencesRow, (chat.platform, chat.chat_id), populate_existing=True
        )
        return None if row is None else to_preferences(row)

    async def save(self, chat: ChatRef, prefs: Preferences) -> None:
        """Insert or replace the chat's preferences in one statement.

        An upsert rather than read-then-write: two replicas saving the same chat at once must not
        fail on the primary key.
        """
        values = _to_columns(prefs)
        await upsert(self._session, ChatPreferencesRow, chat_key(chat), values, stamp=True)

    async def note_commander_language(self, chat: ChatRef, locale: str) -> None:
        """Only `commander_language`, in one statement: a command that runs meanwhile may save
        the chat's other preferences, and neither write may undo the other."""
        values = {"commander_language": locale}
        await upsert(self._session, ChatPreferencesRow, chat_key(chat), values, stamp=True)

    async def delete(self, chat: ChatRef) -> None:
        """Forget the chat's preferences; the defaults apply again."""
        await self._session.execute(
            delete(ChatPreferencesRow).where(
                ChatPreferencesRow.platform == chat.platform,
                ChatPreferencesRow.chat_id == chat.chat_id,
            )
        )


async def upsert(
    session: AsyncSession,
    table: type[Base] | Table,
    key: dict[str, Any],
    values: dict[str, Any],
    *,
    stamp: bool = False,
) -> None:
    """Insert the row of `key` with `values`, or set `values` on the one already there, in one
    statement: two replicas writing the same row at once must not fail on its key. `stamp` also
    sets the row's `updated_at` on an update."""
    changed = {**values, "updated_at": func.now()} if stamp else values
    statement = (
        insert_for(session, table)
        .values(**key, **values)
        .on_conflict_do_update(index_elements=list(key), set_=changed)
    )
    await session.execute(statement)


def insert_for(
    session: AsyncSession, table: type[Base] | Table
) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT, which is where ON CONFLICT lives."""
    return inserting(dialect_of(session), table)


def chat_key(chat: ChatRef) -> dict[str, str]:
    """The columns that name a chat: the key of most tables."""
    return {"platform": chat.platform, "chat_id": chat.chat_id}


def table_of(row: type[Base]) -> Table:
    """The table of a mapped class, for statements run with SQLAlchemy's Core alone: a statement
    a request runs on rows it never loads as objects (an INSERT of counts or of a claim) skips
    the ORM's steps around it, which cost a third of a millisecond or more a run."""
    return cast(Table, row.__table__)


def dialect_of(session: AsyncSession) -> str:
    """The name of the database's dialect: "sqlite" or "postgresql"."""
    return session.get_bind().dialect.name


def inserting(dialect: str, table: type[Base] | Table) -> postgresql.Insert | sqlite.Insert:
    """The INSERT of the dialect named `dialect` ("sqlite", "postgresql"), into a mapped class or
    a table."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"voicebridge supports SQLite and PostgreSQL, not {dialect}")


def _to_columns(prefs: Preferences) -> dict[str, Any]:
    return {
        "voice": prefs.voice,
        "style": prefs.style,
        "language": prefs.language,
        "auto_transcribe": prefs.auto_transcribe,
        "tts_model": prefs.tts_model,
        "interface_language": prefs.interface_language,
        "commander_language": prefs.commander_language,
        "autotranslate": prefs.autotranslate,
        "gist_minutes": prefs.gist_minutes,
    }


def to_preferences(row: Any) -> Preferences:
    """A chat's preferences from its row: loaded as a `ChatPreferencesRow`, or read with the
    Core alone (`mandates.read_with_preferences`), whose columns it reads by the same names."""
    return Preferences(
        voice=row.voice,
        style=row.style,
        language=_language(row.language),
        auto_transcribe=row.auto_transcribe,
        tts_model=row.tts_model,
        interface_language=row.interface_language,
        commander_language=row.commander_language,
        autotranslate=row.autotranslate,
        gist_minutes=row.gist_minutes,
    )


def _language(value: str) -> Language:
    """A stored language the code no longer knows falls back to auto rather than break the chat."""
    for language in LANGUAGES:
        if value == language:
            return language
    logger.warning("Unknown stored language %r; using auto", value)
    return "auto"
