"""Who asks, where, and for whom the answer is: one request value, built once per event.

An adapter says who is asking and where: the chat, who asks (`Asker`, whose limits the work
counts against), and an `Audience` (the person's language as their app gives it, the one the
platform gives the place). `Audiences.request` reads the chat's preferences once, in one unit
of work, and returns the `Request`: the answer's language, the language of what the whole chat
gets, the preferences as they stand, and who asks. The adapter hands that one value to the use
case, which takes everything it needs of the chat from it and never reads the preferences
again (python-telegram-bot's `CallbackContext` is the model: one value per update). The
adapter works nothing out itself (the rules: `core.chat.answer_languages`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from core.app.rules.chat_settings import auto_transcribes
from core.chat.answer_languages import Audience, chat_locale
from core.domain.memory.write_mandates import Mandate
from core.domain.rules.quotas_rules import ANYONE, Asker
from core.domain.shared_values import ChatRef, Preferences
from core.domain.voices.preset_voices import chosen_voice
from core.ports import UnitOfWork

logger = logging.getLogger(__name__)

__all__ = ["Audiences", "Request"]


@dataclass(frozen=True)
class Request:
    """One command, click or event in `chat`, as the core read it once for the adapter: what
    every use case it calls takes instead of reading the chat's preferences again."""

    chat: ChatRef
    locale: str  # the answer's language
    chat_locale: str  # the language of what the whole chat gets (a summary, a post)
    prefs: Preferences  # the chat's choices, read in the same unit of work
    tts_model: str  # the chat's speech model, else the default
    asker: Asker | None = ANYONE  # whose limits the work counts against; None: nobody's (a digest)
    # The auto-transcribe of the channel the event came from, where it has its own (a Discord
    # channel's override), read with the chat's preferences; None: it follows the chat.
    channel_auto_transcribe: bool | None = None
    # What work begun for it writes under (`core.domain.memory.write_mandates`): a /forget of the
    # chat from now on, in any process, ends what it keeps. Read with the preferences.
    mandate: Mandate | None = None

    @property
    def voice(self) -> str:
        """The chat's voice, if its speech model has it (or it is its own), else the model's
        default."""
        return chosen_voice(self.prefs.voice, self.tts_model)

    @property
    def auto_transcribe(self) -> bool:
        """Whether recordings that arrive here are transcribed unasked
        (`chat_settings.auto_transcribes`: a channel's own choice wins over its chat's)."""
        return auto_transcribes(self.prefs, self.channel_auto_transcribe)


class Audiences:
    """Each event's request, from the chat's preferences read once: who asks, the language of
    the answer and of what the chat gets."""

    def __init__(self, *, uow: Callable[[], UnitOfWork], default_tts_model: str) -> None:
        self._uow = uow
        self._default_tts_model = default_tts_model

    async def request(
        self,
        chat: ChatRef,
        audience: Audience,
        *,
        asker: Asker | None = ANYONE,
        commander: bool = False,
        channel: ChatRef | None = None,
    ) -> Request:
        """The request of `asker` in `chat`, answered for `audience` (in `channel` of it, whose
        own auto-transcribe is read with the chat's preferences). A `commander` (someone who
        ran a command) is noted first, in the same unit of work: what the bot posts to everyone
        follows the language of the last of them, unless the administrators chose one (written
        only when it changes; best effort, the command must not fail for it)."""
        async with self._uow() as uow:
            prefs, own, mandate = await self._prefs(uow, chat, channel)
            noted = audience.person if commander else None
            if noted is not None and prefs.commander_language != noted:
                try:
                    await uow.preferences.note_commander_language(chat, noted)
                    await uow.commit()
                    prefs = replace(prefs, commander_language=noted)
                except Exception:
                    logger.exception("could not note the commander's language in %s", chat)
        return self._request(chat, audience, asker, prefs, own, mandate)

    async def request_in(
        self,
        uow: UnitOfWork,
        chat: ChatRef,
        audience: Audience,
        *,
        asker: Asker | None = ANYONE,
        channel: ChatRef | None = None,
    ) -> Request:
        """`request`, for no commander, in a unit of work the caller has open: a use case that
        reads something else for the same event reads it in the same transaction."""
        prefs, own, mandate = await self._prefs(uow, chat, channel)
        return self._request(chat, audience, asker, prefs, own, mandate)

    async def _prefs(
        self, uow: UnitOfWork, chat: ChatRef, channel: ChatRef | None
    ) -> tuple[Preferences, bool | None, Mandate]:
        """The chat's preferences, its channel's own auto-transcribe where it has one, and the
        mandate of the work the request begins: one statement on SQL."""
        mandate, prefs, override = await uow.mandates.read_with_preferences(chat, channel)
        return prefs, None if override is None else override.auto_transcribe, mandate

    def _request(
        self,
        chat: ChatRef,
        audience: Audience,
        asker: Asker | None,
        prefs: Preferences,
        own: bool | None,
        mandate: Mandate,
    ) -> Request:
        posts = chat_locale(prefs, platform=audience.platform)
        return Request(
            chat=chat, locale=audience.person or posts, chat_locale=posts, prefs=prefs,
            tts_model=self.tts_model(prefs), asker=asker, channel_auto_transcribe=own,
            mandate=mandate,
        )  # fmt: skip

    def tts_model(self, prefs: Preferences) -> str:
        """The chat's speech model, else the default."""
        return prefs.tts_model or self._default_tts_model

    async def chat_locale(self, chat: ChatRef, *, platform: str | None = None) -> str:
        """The language of what the bot posts to the whole chat (`ChatLanguages`)."""
        return (await self.request(chat, Audience(platform=platform))).chat_locale
