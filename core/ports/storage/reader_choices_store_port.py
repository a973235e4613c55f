"""The channel reader's choices (`core.app.channel_reader.reader_choices`); the unit of work of the
call's use cases (the reader, listening, interpreting)."""

from __future__ import annotations

from typing import Protocol

from core.domain.channel_reader.reader_rules import ReaderMember, ReaderRules
from core.domain.shared_values import ChatRef
from core.ports.storage.kept_transcript_store_port import TranscriptStore
from core.ports.storage.listening_store_port import (
    ListeningConsentStore,
    LiveCallStore,
    LiveReadingStore,
)
from core.ports.storage.own_voice_store_port import VoiceStore
from core.ports.storage.unit_of_work_port import UnitOfWork

__all__ = ["ReadingStore", "ReadingUnitOfWork"]


class ReadingStore(Protocol):
    """The channel reader's choices (`core.app.channel_reader.reader_choices`): a server's rules and
    its members' own; missing ones read as the defaults."""

    async def rules(self, chat: ChatRef) -> ReaderRules: ...

    async def save_rules(self, chat: ChatRef, rules: ReaderRules) -> None: ...

    async def member(self, chat: ChatRef, member_id: str) -> ReaderMember: ...

    async def save_member(self, chat: ChatRef, member_id: str, member: ReaderMember) -> None: ...

    async def chooser_of(self, chat: ChatRef, voice: str) -> str | None:
        """The member of `chat` who chose `voice` for their messages, if one did."""
        ...

    async def delete_chat(self, chat: ChatRef) -> None: ...


class ReadingUnitOfWork(UnitOfWork, Protocol):
    """What the channel reader (`core.app.channel_reader.reader_choices`,
    `core.app.channel_reader.message_speech`) and listening
    (`core.app.listening.live_transcription`) need: preferences (voice model, style), the reader's
    choices, listening consent, the calls being listened to and the readings (kept while they last),
    the calls' transcripts, and the chat's voices (a member's own, where they allowed it)."""

    @property
    def reading(self) -> ReadingStore: ...

    @property
    def listening_consents(self) -> ListeningConsentStore: ...

    @property
    def live_calls(self) -> LiveCallStore: ...

    @property
    def live_readings(self) -> LiveReadingStore: ...

    @property
    def transcripts(self) -> TranscriptStore: ...

    @property
    def voices(self) -> VoiceStore: ...
