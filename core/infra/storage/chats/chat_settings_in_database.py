"""A chat's preferences, in the `chat_preferences` table (`tables/chat_settings_table.py`): domain
values in, domain values out, SQL in between.

The repository works inside the session its unit of work gives it and never commits, as every
repository of this package does, so one `async with uow:` block is one transaction whatever it
touches. The statements it shares with the other repositories are `sql_statements.py`'s.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.shared_values import LANGUAGES, ChatRef, Language, Preferences
from core.infra.storage.sql_statements import chat_key, upsert
from core.infra.storage.tables import ChatPreferencesRow

logger = logging.getLogger(__name__)

__all__ = ["PreferencesRepository", "to_preferences"]


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
    Core alone (`mandates_in_database.read_with_preferences`), whose columns it reads by the same
    names."""
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
