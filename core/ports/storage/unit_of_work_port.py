"""The unit of work every use case opens, and the chat's preferences every one of them may read."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from core.domain.shared_values import ChatRef, Preferences
from core.ports.storage.mandate_store_port import MandateStore

__all__ = ["PreferencesStore", "UnitOfWork"]


class PreferencesStore(Protocol):
    """Preferences per chat; a missing chat reads as the defaults."""

    async def get(self, chat: ChatRef) -> Preferences: ...

    async def find(self, chat: ChatRef) -> Preferences | None:
        """The chat's stored preferences, or None when it has no row of its own."""
        ...

    async def save(self, chat: ChatRef, prefs: Preferences) -> None: ...

    async def note_commander_language(self, chat: ChatRef, locale: str) -> None:
        """Store only the last commander's language (a chat without a row gets one with the
        defaults): it is written while the command itself may change other preferences."""
        ...

    async def delete(self, chat: ChatRef) -> None: ...


class UnitOfWork(Protocol):
    # Read-only properties rather than plain attributes, so an implementation may expose a more
    # specific repository type (protocol attributes would have to match exactly).
    @property
    def preferences(self) -> PreferencesStore: ...

    @property
    def mandates(self) -> MandateStore:
        """What work under way writes under: every use case may read it as its work begins."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
