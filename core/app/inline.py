"""Inline mode: `@bot some text` in any chat offers that text as a voice note in the asker's own
voice and style (`VoiceService.inline_voice`).

A rendering is kept under the key of its text, voice and style (`core.domain.inline`): the
platform stores the voice note once (`store`: Telegram keeps it in the chat named by
TELEGRAM_INLINE_CACHE_CHAT and gives a file id), and every later request for the same key,
from anyone, is answered with that file id without asking MiMo again (so without touching
anyone's quota). Only a rendering counts against the asker's limits.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from core.domain.inline import CachedVoice
from core.domain.values import VoiceNote
from core.ports import InlineUnitOfWork

logger = logging.getLogger(__name__)

Render = Callable[[], Awaitable[VoiceNote]]
Store = Callable[[VoiceNote], Awaitable[CachedVoice]]


class InlineVoices:
    """The rendered voices, by key (see the module docstring)."""

    def __init__(self, *, uow: Callable[[], InlineUnitOfWork]) -> None:
        self._uow = uow

    async def voice(self, key: str, *, render: Render, store: Store) -> CachedVoice:
        """The voice note kept under `key`; rendered and stored first when there is none."""
        async with self._uow() as uow:
            cached = await uow.inline_voices.get(key)
        if cached is not None:
            return cached
        stored = await store(await render())
        async with self._uow() as uow:
            await uow.inline_voices.save(key, stored)
            await uow.commit()
        return stored
