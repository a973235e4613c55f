"""Who an answer is for, decided once per event.

An adapter says who is asking and where: the chat, and an `Audience` (the person's language as
their app gives it, the one the platform gives the place). `Audiences.answering` reads the
chat's preferences once, in one unit of work, and returns what the adapter renders with: the
answer's language, the language of what the whole chat gets, and the preferences as they stand.
The adapter works nothing out itself (the rules: `core.chat.languages`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from core.chat.languages import Audience, chat_locale
from core.domain.tts import chosen_voice
from core.domain.values import ChatRef, Preferences
from core.ports import UnitOfWork

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answering:
    """An answer in `chat`, as the core decided it once for the event."""

    chat: ChatRef
    locale: str  # the answer's language
    chat_locale: str  # the language of what the whole chat gets (a summary, a post)
    prefs: Preferences  # the chat's choices, read in the same unit of work
    tts_model: str  # the chat's speech model, else the default

    @property
    def voice(self) -> str:
        """The chat's voice, if its speech model has it (or it is its own), else the model's
        default."""
        return chosen_voice(self.prefs.voice, self.tts_model)


class Audiences:
    """The language of an answer and of what a chat gets, from the chat's preferences."""

    def __init__(self, *, uow: Callable[[], UnitOfWork], default_tts_model: str) -> None:
        self._uow = uow
        self._default_tts_model = default_tts_model

    async def answering(
        self,
        chat: ChatRef,
        audience: Audience,
        *,
        commander: bool = False,
        channel: ChatRef | None = None,
    ) -> Answering:
        """The answer to `audience` in `chat` (in `channel` of it, whose own auto-transcribe
        overrides the chat's where it has one). A `commander` (someone who ran a command) is
        noted first, in the same unit of work: what the bot posts to everyone follows the
        language of the last of them, unless the administrators chose one (written only when
        it changes; best effort, the command must not fail for it)."""
        async with self._uow() as uow:
            prefs = await self._prefs(uow, chat, channel)
            noted = audience.person if commander else None
            if noted is not None and prefs.commander_language != noted:
                try:
                    await uow.preferences.note_commander_language(chat, noted)
                    await uow.commit()
                    prefs = replace(prefs, commander_language=noted)
                except Exception:
                    logger.exception("could not note the commander's language in %s", chat)
        return self._answer(chat, audience, prefs)

    async def answering_in(
        self, uow: UnitOfWork, chat: ChatRef, audience: Audience, *, channel: ChatRef | None = None
    ) -> Answering:
        """`answering`, for no commander, in a unit of work the caller has open: a use case that
        reads something else for the same event reads it in the same transaction."""
        return self._answer(chat, audience, await self._prefs(uow, chat, channel))

    async def _prefs(self, uow: UnitOfWork, chat: ChatRef, channel: ChatRef | None) -> Preferences:
        prefs = await uow.preferences.get(chat)
        override = None if channel is None else await uow.preferences.find(channel)
        if override is not None:
            prefs = replace(prefs, auto_transcribe=override.auto_transcribe)
        return prefs

    def _answer(self, chat: ChatRef, audience: Audience, prefs: Preferences) -> Answering:
        posts = chat_locale(prefs, platform=audience.platform)
        model = self.tts_model(prefs)
        locale = audience.person or posts
        return Answering(chat=chat, locale=locale, chat_locale=posts, prefs=prefs, tts_model=model)

    def tts_model(self, prefs: Preferences) -> str:
        """The chat's speech model, else the default."""
        return prefs.tts_model or self._default_tts_model

    async def chat_locale(self, chat: ChatRef, *, platform: str | None = None) -> str:
        """The language of what the bot posts to the whole chat (`ChatLanguages`)."""
        return (await self.answering(chat, Audience(platform=platform))).chat_locale
