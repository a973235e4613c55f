"""A chat's voices and the spoken consent they are cloned under (`core.app.voices.own_voices`,
`core.app.voices.clone_consent`)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from core.domain.shared_values import ChatRef, ChatVoice
from core.domain.voices.clone_consent_rules import CloneChallenge
from core.ports.storage.inline_voice_store_port import InlineVoiceStore
from core.ports.storage.unit_of_work_port import UnitOfWork

__all__ = ["ConsentStore", "VoiceStore", "VoiceUnitOfWork"]


class VoiceStore(Protocol):
    """A chat's own voices (`core.app.voices.own_voices`); names match whatever their case."""

    async def in_chat(self, chat: ChatRef) -> list[ChatVoice]: ...

    async def find(self, chat: ChatRef, name: str) -> ChatVoice | None: ...

    async def add(self, chat: ChatRef, voice: ChatVoice) -> bool: ...

    async def delete(self, chat: ChatRef, name: str) -> bool: ...

    async def translating_voice(self, chat: ChatRef, owner_id: str) -> ChatVoice | None: ...

    async def let_speak_translations(self, chat: ChatRef, owner_id: str, allowed: bool) -> int: ...

    async def reading_voice(self, chat: ChatRef, owner_id: str) -> ChatVoice | None: ...

    async def reads_in(self, chat: ChatRef, owner_id: str, name: str) -> bool: ...

    async def let_read_messages(self, chat: ChatRef, owner_id: str, allowed: bool) -> int: ...

    async def share(self, chat: ChatRef, name: str, owner_id: str, shared: bool) -> str | None: ...

    async def verified_sample(
        self, chat: ChatRef, name: str, owner_id: str, sample: bytes, mime: str
    ) -> bool: ...

    async def delete_chat(self, chat: ChatRef) -> int: ...


class ConsentStore(Protocol):
    """Spoken consent (`core.app.voices.clone_consent`): the sentences asked for, and who first sent
    each recording offered as a reading."""

    async def add(self, challenge: CloneChallenge) -> None: ...

    async def open_on(self, platform: str, now: datetime) -> list[CloneChallenge]:
        """The sentences not expired on `platform`, newest first."""

    async def asked_since(self, platform: str, person_id: str, since: datetime) -> int: ...

    async def close(self, challenge_id: int, at: datetime) -> None:
        """A reading passed: nothing more is taken for this sentence."""

    async def first_sender(self, platform: str, identity: str) -> str | None: ...

    async def note_sender(
        self, platform: str, identity: str, person_id: str, at: datetime
    ) -> None: ...

    async def delete_before(self, cutoff: datetime) -> int: ...


class VoiceUnitOfWork(UnitOfWork, Protocol):
    """What `core.app.voices.own_voices` needs: preferences (the chosen voice) and the chat's
    voices."""

    @property
    def voices(self) -> VoiceStore: ...

    @property
    def inline_voices(self) -> InlineVoiceStore:
        """For `/voice delete`, which deletes the renderings made in that voice too."""
        ...

    @property
    def consents(self) -> ConsentStore: ...
