"""Mandates as stored (`core.domain.memory.write_mandates`): what work under way reads as it begins,
and what each of its writes is checked against (`core.infra.storage.rules.mandates_in_database`)."""

from __future__ import annotations

from typing import Protocol

from core.domain.memory.write_mandates import Mandate
from core.domain.shared_values import ChatRef, Preferences

__all__ = ["MandateStore"]


class MandateStore(Protocol):
    async def read(self, chat: ChatRef, speaker: str | None = None) -> Mandate:
        """The mandate of work beginning now in `chat`, keeping `speaker`'s words if given."""
        ...

    async def read_with_preferences(
        self, chat: ChatRef, channel: ChatRef | None = None
    ) -> tuple[Mandate, Preferences, Preferences | None]:
        """`read` for an event's work, with the chat's preferences (`PreferencesStore.get`)
        and its `channel`'s own (`find`), in one read."""
        ...

    async def noes(self, chat: ChatRef, speaker: str) -> int:
        """How many times `speaker` said no in `chat`."""
        ...

    async def holds(self, mandate: Mandate) -> bool:
        """Whether a write under `mandate` may be made now: neither the chat forgotten nor a
        no of its speaker's since it was read (where a yes is needed, their yes stands)."""
        ...

    async def forgotten(self, chat: ChatRef) -> None:
        """`/forget` in `chat`: first in its transaction."""
        ...
