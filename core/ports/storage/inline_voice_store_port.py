"""Voice notes cached for inline answers (`core.app.voices.inline_mode`)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from core.domain.shared_values import ChatRef
from core.domain.voices.inline_voice_cache_key import CachedVoice
from core.ports.storage.unit_of_work_port import UnitOfWork

__all__ = ["InlineUnitOfWork", "InlineVoiceStore"]


class InlineVoiceStore(Protocol):
    """Inline mode's rendered voice notes, by the key of their text, voice and style; each
    noted with the chat whose voice it was rendered in (its asker's own chat) and that voice's
    name, so `/forget` and `/voice delete` take it."""

    async def get(self, key: str) -> CachedVoice | None: ...

    async def save(
        self, key: str, voice: CachedVoice, *, owner: ChatRef, voice_name: str | None, at: datetime
    ) -> None: ...

    async def delete_chat(self, chat: ChatRef) -> list[CachedVoice]:
        """`/forget`: every rendering made in the chat's voice; returns them."""
        ...

    async def delete_voice(self, chat: ChatRef, name: str) -> list[CachedVoice]:
        """`/voice delete`: the renderings made in the chat's voice `name` (in any case)."""
        ...

    async def delete_made_before(self, cutoff: datetime) -> int: ...


class InlineUnitOfWork(UnitOfWork, Protocol):
    """What `core.app.voices.inline_mode` needs: the rendered voices (and the preferences, for the
    voice)."""

    @property
    def inline_voices(self) -> InlineVoiceStore: ...
