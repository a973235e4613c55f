"""The handlers of a chat's settings and of what the bot says about itself: /start, /help,
/settings, /usage, /language, /botlanguage, /autotranscribe, /autotranslate, /tldr auto.
Administrators change a group's settings. A command the bot does not have is the menu's
(`bots.telegram.commands.menu.UnknownCommands`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Update

from bots.telegram.answers.group_visibility import answer_to
from bots.telegram.answers.telegram_asker import (
    asker_of,
    asking,
    can_manage,
    chat_of,
    command_argument,
    message_of,
)
from bots.telegram.telegram_wording import CATALOGUE, help_text, text
from core.app.rules.chat_settings import ChatPreferences, shown_or_set
from core.app.rules.limits import Limiter
from core.app.rules.request_audience import Audiences, Request
from core.app.voices.clone_consent import VoiceConsents
from core.app.voices.own_voices import VoiceStudio
from core.chat.settings_wording import (
    auto_gist_text,
    autotranslate_text,
    bot_language_text,
    on_off,
    settings_text,
    transcript_language,
)
from core.chat.usage_wording import clone_attempts_line, usage_text

__all__ = ["PreferencesHandlers"]

T = TypeVar("T")


class PreferencesHandlers:
    """The chat's settings and the bot's own help, with the use cases they call."""

    def __init__(
        self,
        *,
        audiences: Audiences,
        preferences: ChatPreferences,
        studio: VoiceStudio,
        consents: VoiceConsents,
        limiter: Limiter,
    ) -> None:
        self.audiences = audiences
        self.preferences = preferences  # the settings commands' use case
        self.studio = studio
        self.consents = consents
        self.limiter = limiter

    async def start(self, update: Update, request: Request) -> None:
        """Greet and explain."""
        answer = await answer_to(update, locale=request.locale)
        await answer.text(text("start", request.locale), quote=None)

    async def help(self, update: Update, request: Request) -> None:
        """List the commands (`telegram_wording.help_text`)."""
        locale = request.locale
        await (await answer_to(update, locale=locale)).lines(help_text(locale))

    async def settings(self, update: Update, request: Request) -> None:
        """Show the chat's preferences."""
        prefs = request.prefs
        own = (await self.studio.catalogue(request)).own
        voice, model = request.voice, request.tts_model
        overview = settings_text(
            prefs, request.locale, chat_language=request.chat_locale, voice=voice, tts_model=model,
            own=own,
        )  # fmt: skip
        # One person's business where they may not change what it shows.
        answer = await answer_to(
            update, locale=request.locale, private=not await can_manage(update)
        )
        await answer.lines(overview)

    async def usage(self, update: Update, request: Request) -> None:
        """/usage: what this chat used today, and what is left."""
        report = await self.limiter.today(chat_of(update), asker_of(update))
        user = update.effective_user
        cloning = "" if user is None else "\n" + clone_attempts_line(
            await self.consents.attempts_today("telegram", str(user.id)),
            self.consents.attempts_per_day, request.locale,
        )  # fmt: skip
        answer = await answer_to(update, locale=request.locale)
        await answer.lines(usage_text(report, request.locale) + cloning)

    async def language(self, update: Update, request: Request) -> None:
        """/language [auto|zh|en]: show or set the transcript language."""
        message, locale = message_of(update), request.locale
        choice = command_argument(message)
        language = await self._shown_or_set(
            update, choice, request.prefs.language, self.preferences.set_language
        )
        key = "language.set" if choice else "language.current"
        await message.reply_text(text(key, locale, language=transcript_language(language, locale)))

    async def botlanguage(self, update: Update, request: Request) -> None:
        """/botlanguage [LANGUAGE|auto]: show or set the language of what the chat gets as a
        whole."""
        message, chat, locale = message_of(update), chat_of(update), request.locale
        choice = command_argument(message)
        now = request
        if choice:
            await self.preferences.set_interface_language(
                chat, choice, can_manage=await can_manage(update)
            )
            now = await self.audiences.request(chat, asking(update))
        reply = bot_language_text(
            now.prefs, locale, chat_language=now.chat_locale, wording=CATALOGUE,
            changed=bool(choice),
        )  # fmt: skip
        await message.reply_text(reply)

    async def autotranscribe(self, update: Update, request: Request) -> None:
        """/autotranscribe [on|off]."""
        message, locale = message_of(update), request.locale
        choice = command_argument(message)
        enabled = await self._shown_or_set(
            update, choice, request.prefs.auto_transcribe, self.preferences.set_auto_transcribe
        )
        key = "autotranscribe.set" if choice else "autotranscribe.current"
        await message.reply_text(text(key, locale, state=on_off(enabled, locale)))

    async def autotranslate(self, update: Update, request: Request) -> None:
        """/autotranslate [LANGUAGE|off]: every transcript here also gets its translation."""
        message, locale = message_of(update), request.locale
        language = await self._shown_or_set(
            update, command_argument(message), request.prefs.autotranslate,
            self.preferences.set_autotranslate,
        )  # fmt: skip
        await message.reply_text(autotranslate_text(language, locale, wording=CATALOGUE))

    async def gist_auto(self, update: Update, choice: str, request: Request) -> None:
        """/tldr auto [MINUTES|off]: recordings at least that long also get their gist."""
        message, locale = message_of(update), request.locale
        minutes = await self._shown_or_set(
            update, choice, request.prefs.gist_minutes, self.preferences.set_gist_minutes
        )
        await message.reply_text(auto_gist_text(minutes, locale, wording=CATALOGUE))

    async def _shown_or_set(
        self, update: Update, choice: str, shown: T, change: Callable[..., Awaitable[T]]
    ) -> T:
        """A setting's command (`shown_or_set`): administrators change it in groups."""
        return await shown_or_set(
            chat_of(update), choice, shown=shown, change=change,
            allowed=lambda: can_manage(update),
        )  # fmt: skip
