"""Preferences held in this process only: the storage of a runtime without a database.

The command line (`core.bootstrap.standalone`) sets its options (voice, style, language) through
the same preference use cases a chat uses, so they are checked the same way; nothing outlives
the process. A unit of work sees its own changes, and others see them only once it commits,
as with the database.
"""

from __future__ import annotations

from dataclasses import replace
from types import TracebackType
from typing import Self

from core.domain.memory.write_mandates import Mandate
from core.domain.shared_values import ChatRef, Preferences

__all__ = ["LocalUnitOfWork", "MemoryPreferences"]


class MemoryPreferences:
    """`PreferencesStore` over a dict; a missing chat reads as the defaults."""

    def __init__(self, rows: dict[ChatRef, Preferences]) -> None:
        self.rows = rows

    async def get(self, chat: ChatRef) -> Preferences:
        return self.rows.get(chat, Preferences())

    async def find(self, chat: ChatRef) -> Preferences | None:
        return self.rows.get(chat)

    async def save(self, chat: ChatRef, prefs: Preferences) -> None:
        self.rows[chat] = prefs

    async def note_commander_language(self, chat: ChatRef, locale: str) -> None:
        self.rows[chat] = replace(self.rows.get(chat, Preferences()), commander_language=locale)

    async def delete(self, chat: ChatRef) -> None:
        self.rows.pop(chat, None)


class LocalMandates:
    """`MandateStore` where nothing is stored: nothing is forgotten, nobody says no."""

    def __init__(self, preferences: MemoryPreferences) -> None:
        self._preferences = preferences

    async def read(self, chat: ChatRef, speaker: str | None = None) -> Mandate:
        return Mandate(chat, speaker=speaker)

    async def read_with_preferences(
        self, chat: ChatRef, channel: ChatRef | None = None
    ) -> tuple[Mandate, Preferences, Preferences | None]:
        own = None if channel is None else await self._preferences.find(channel)
        return Mandate(chat), await self._preferences.get(chat), own

    async def noes(self, chat: ChatRef, speaker: str) -> int:
        return 0

    async def holds(self, mandate: Mandate) -> bool:
        return True

    async def forgotten(self, chat: ChatRef) -> None:
        return None


class LocalUnitOfWork:
    """A `UnitOfWork` on `committed`: each block works on a copy, published by `commit()`."""

    def __init__(self, committed: dict[ChatRef, Preferences]) -> None:
        self._committed = committed
        self._preferences = MemoryPreferences(dict(committed))

    @property
    def preferences(self) -> MemoryPreferences:
        return self._preferences

    @property
    def mandates(self) -> LocalMandates:
        return LocalMandates(self._preferences)

    async def __aenter__(self) -> Self:
        self._preferences = MemoryPreferences(dict(self._committed))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        self._committed.clear()
        self._committed.update(self._preferences.rows)
