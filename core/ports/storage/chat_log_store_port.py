"""A group's chat log, its summaries' state and the index of places (`core.app.summaries`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from core.domain.shared_values import ChatRef, Platform
from core.domain.summaries.summary_values import ChatMessage, SummaryState
from core.ports.storage.claim_store_port import ClaimStore
from core.ports.storage.inline_voice_store_port import InlineVoiceStore
from core.ports.storage.kept_transcript_store_port import TranscriptStore
from core.ports.storage.listening_store_port import (
    ListeningConsentStore,
    LiveCallStore,
    LiveReadingStore,
)
from core.ports.storage.own_voice_store_port import VoiceStore
from core.ports.storage.reader_choices_store_port import ReadingStore
from core.ports.storage.unit_of_work_port import UnitOfWork
from core.ports.storage.usage_store_port import UsageStore

__all__ = [
    "ChatLogStore",
    "ChatLogUnitOfWork",
    "PlaceIndex",
    "SummaryStateStore",
    "SummaryUnitOfWork",
]


class ChatLogStore(Protocol):
    """Stored messages for summaries; every call is scoped to one chat except retention."""

    async def add(self, message: ChatMessage) -> None: ...

    async def recent(
        self, chat: ChatRef, *, after: datetime | None = None, limit: int
    ) -> list[ChatMessage]: ...

    async def count(self, chat: ChatRef) -> int: ...

    async def delete_chat(self, chat: ChatRef) -> int: ...

    async def delete_sent_before(self, cutoff: datetime) -> int: ...


class SummaryStateStore(Protocol):
    async def get(self, chat: ChatRef) -> SummaryState: ...

    async def save(self, chat: ChatRef, state: SummaryState) -> None: ...

    async def mark_summarised(self, chat: ChatRef, at: datetime) -> None: ...

    async def delete(self, chat: ChatRef) -> None: ...

    async def due(
        self, platforms: Iterable[Platform], now: datetime, *, limit: int
    ) -> list[tuple[ChatRef, datetime]]:
        """Chats on `platforms` whose digest was due at or before `now`, oldest first; at most
        `limit` of them."""
        ...

    async def claim_digest(
        self, chat: ChatRef, due: datetime, next_at: datetime | None
    ) -> bool: ...


class PlaceIndex(Protocol):
    async def named(self, platform: str, prefix: str) -> set[str]:
        """The chat ids of `platform` beginning with `prefix` that anything is stored under."""
        ...


class SummaryUnitOfWork(UnitOfWork, Protocol):
    """What the summary use cases need: preferences plus the chat log and summary state."""

    @property
    def chat_log(self) -> ChatLogStore: ...

    @property
    def summary_states(self) -> SummaryStateStore: ...

    @property
    def usage(self) -> UsageStore:
        """For `/forget`, which deletes the chat's usage of earlier days too."""
        ...

    @property
    def voices(self) -> VoiceStore:
        """For `/forget`, which deletes the chat's own voices and samples too."""
        ...

    @property
    def claims(self) -> ClaimStore:
        """For `/forget`, which deletes the claims on the chat's messages too."""
        ...

    @property
    def places(self) -> PlaceIndex:
        """For finding places that vanished while no process watched (a deleted channel)."""
        ...

    @property
    def transcripts(self) -> TranscriptStore:
        """For `/forget`, which deletes the chat's kept transcripts too; and for the messages
        deleted, which a summary is checked against as it leaves
        (`core.app.rules.outgoing_check`)."""
        ...

    @property
    def inline_voices(self) -> InlineVoiceStore:
        """For `/forget`, which deletes the renderings made in the chat's voice too."""
        ...

    @property
    def reading(self) -> ReadingStore:
        """For `/forget`, which deletes the channel reader's rules and members' choices too."""
        ...

    @property
    def listening_consents(self) -> ListeningConsentStore:
        """For `/forget`, which deletes the members' yes to being transcribed too (a no stays)."""
        ...

    @property
    def live_calls(self) -> LiveCallStore:
        """For `/forget`, which deletes a call kept for the next start to take up too."""
        ...

    @property
    def live_readings(self) -> LiveReadingStore:
        """For `/forget`, which deletes a channel reading kept for the next start too."""
        ...


class ChatLogUnitOfWork(UnitOfWork, Protocol):
    """What the chat log's retention purge (`core.app.memory.retention_jobs`) needs."""

    @property
    def chat_log(self) -> ChatLogStore: ...
