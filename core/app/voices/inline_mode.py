"""Inline mode: `@bot some text` in any chat offers that text as a voice note in the asker's own
voice and style (`InlineVoices.voice_for`).

A rendering is kept under the key of its text, voice and style
(`core.domain.voices.inline_voice_cache_key`): the platform stores the voice note once (`store`:
Telegram keeps it in the chat named by TELEGRAM_INLINE_CACHE_CHAT and gives a file id), and every
later request for the same key, from anyone, is answered with that file id without asking MiMo again
(so without touching anyone's quota). Only a rendering counts against the asker's limits.

Each rendering is noted with the chat whose voice it was made in (the asker's own chat with the
bot) and that voice's name: `/forget` there and `/voice delete` take it and its stored message
(`core.app.memory.forgetting`, `core.app.voices.own_voices`), and it expires with
SUMMARY_RETENTION_DAYS (`core.app.memory.retention_jobs`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from core.app.rules.request_audience import Request
from core.app.voices.text_to_speech import TextToSpeech
from core.domain.mimo.account_minute_rules import Urgency, asking
from core.domain.shared_values import ChatRef, VoiceNote
from core.domain.voices.inline_voice_cache_key import CachedVoice, inline_voice_key
from core.ports import Clock, InlineUnitOfWork

logger = logging.getLogger(__name__)

__all__ = ["InlineVoices"]

Render = Callable[[], Awaitable[VoiceNote]]
Store = Callable[[VoiceNote], Awaitable[CachedVoice]]


class InlineVoices:
    """The rendered voices, by key (see the module docstring)."""

    def __init__(
        self,
        *,
        uow: Callable[[], InlineUnitOfWork],
        speech: TextToSpeech,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._speech = speech
        self._clock = clock

    async def voice_for(self, request: Request, text: str, *, store: Store) -> CachedVoice:
        """`text` as a voice note in the voice and style of the request's chat (the asker's own
        chat with the bot, as `request` read its preferences), rendered (against the asker's
        limits) and handed to `store` only when no identical one was stored before."""
        with asking(Urgency.PERSON, request.chat):  # who asked waits
            chat, prefs, asker = request.chat, request.prefs, request.asker
            author = None if asker is None else asker.user_id
            # The asker's own words: their own cloned voice speaks them, shared or not.
            speaker = await self._speech.speaker(chat, prefs, author=author)
            key = inline_voice_key(
                text=text.strip(), model=speaker.model, voice=speaker.voice,
                description=speaker.description, style=prefs.style,
            )  # fmt: skip
            return await self.voice(
                key,
                render=lambda: self._speech.say_as(
                    chat, text, prefs=prefs, speaker=speaker, asker=asker
                ),
                store=store,
                owner=chat,
                voice_name=prefs.voice,
            )

    async def voice(
        self, key: str, *, render: Render, store: Store, owner: ChatRef, voice_name: str | None
    ) -> CachedVoice:
        """The voice note kept under `key`; rendered and stored first when there is none, noted
        as made in `owner`'s voice `voice_name`."""
        async with self._uow() as uow:
            cached = await uow.inline_voices.get(key)
        if cached is not None:
            return cached
        stored = await store(await render())
        async with self._uow() as uow:
            await uow.inline_voices.save(
                key, stored, owner=owner, voice_name=voice_name, at=self._clock.now()
            )
            await uow.commit()
        return stored
