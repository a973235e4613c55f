"""The handlers of the bot's voice: /say, /voice (choose, design, clone after spoken consent,
delete, share) and /style. Parse the update, call one use case, render what comes back."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import ContextTypes

from bots.telegram.answers.group_visibility import answer_to
from bots.telegram.answers.telegram_asker import (
    asker_of,
    can_manage,
    chat_of,
    command_argument,
    for_command,
    message_of,
    sender_id,
    tell_usage,
)
from bots.telegram.answers.telegram_progress_pace import USUAL, Pace
from bots.telegram.answers.telegram_replies import chat_action
from bots.telegram.telegram_wording import CATALOGUE, text
from bots.telegram.voices.inline_queries import discarding
from core.app.rules.chat_settings import ChatPreferences
from core.app.rules.request_audience import Audiences, Request
from core.app.voices.clone_consent import ConsentAsk, VoiceConsents
from core.app.voices.own_voices import VoiceStudio
from core.app.voices.text_to_speech import SayAsked, TextToSpeech
from core.chat.settings_wording import (
    catalogue_text,
    consent_sentence_text,
    style_set_text,
    style_text,
)
from core.domain import errors
from core.domain.quantities import Duration

__all__ = ["VoiceHandlers"]


class VoiceHandlers:
    """/say, /voice and /style, with the use cases they call."""

    def __init__(
        self,
        *,
        audiences: Audiences,
        preferences: ChatPreferences,
        speech: TextToSpeech,
        studio: VoiceStudio,
        consents: VoiceConsents,
        pace: Pace = USUAL,
    ) -> None:
        self.audiences = audiences
        self.preferences = preferences  # the speaking style's
        self.speech = speech
        self.studio = studio
        self.consents = consents
        self.pace = pace

    async def say(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/say TEXT, or /say as a reply to a message: answer with a voice note. Who asks goes
        into the request: the use case reads the chat's preferences once (`SayAsked`)."""
        message = message_of(update)
        asked = say_asked(update)
        if asked is None:
            await tell_usage(self.audiences, update, "usage.say")
            return
        async with chat_action(message, ChatAction.RECORD_VOICE, self.pace):
            said = await self.speech.say_notes(asked)
        for note in said.notes:
            await message.reply_voice(
                voice=note.data, duration=round(note.duration), filename="voice.ogg", do_quote=True
            )

    async def voice(self, update: Update, request: Request) -> None:
        """/voice [NAME]: show or choose the voice; /voice design|clone|delete|share|unshare
        NAME ...: the chat's own voices."""
        message, chat, studio = message_of(update), chat_of(update), self.studio
        answer = await answer_to(update, locale=request.locale)
        choice = command_argument(message)
        words = choice.split(maxsplit=2)
        action = words[0].casefold() if words else ""
        actions = {"design": self._voice_design, "clone": self._voice_clone,
                   "delete": self._voice_delete, "share": self._voice_share,
                   "unshare": self._voice_unshare}  # fmt: skip
        if action in actions:
            await actions[action](update, words[1:], request.locale)
        elif choice:
            chosen = await studio.choose(
                chat, choice, can_manage=await can_manage(update), chooser=sender_id(message)
            )
            await answer.text(text("voice.set", request.locale, voice=chosen), quote=None)
        else:
            catalogue = await studio.catalogue(request)
            await answer.lines(catalogue_text(catalogue, request.locale, wording=CATALOGUE))

    async def _voice_design(self, update: Update, words: list[str], locale: str) -> None:
        """/voice design NAME DESCRIPTION: store the voice, answer with a sample of it."""
        message, answer = message_of(update), await answer_to(update, locale=locale)
        if len(words) < 2:
            await answer.text(text("usage.voice_design", locale), quote=None)
            return
        # "recording voice…" is for the whole group to see: not for a sample one member gets.
        shows = chat_action(message, ChatAction.RECORD_VOICE, self.pace) if answer.here else None
        async with shows or contextlib.nullcontext():
            note = await self.studio.design(
                chat_of(update), words[0], words[1], can_manage=await can_manage(update),
                designer=sender_id(message), locale=locale, asker=asker_of(update),
            )  # fmt: skip
        caption = text("voices.designed", locale, name=words[0])
        await answer.voice(note.data, duration=note.duration, caption=caption)

    async def _voice_clone(self, update: Update, words: list[str], locale: str) -> None:
        """/voice clone NAME: the sentence to read aloud, as a new voice note, for consent."""
        message, answer = message_of(update), await answer_to(update, locale=locale)
        person, user = sender_id(message), update.effective_user
        if person is None or user is None:
            raise errors.AnonymousCaller("only a person's own voice is cloned")
        if not words:
            await answer.text(text("usage.voice_clone", locale), quote=None)
            return
        asked = ConsentAsk(
            chat=chat_of(update), name=words[0], person=person, person_name=user.first_name,
            asked_in=str(message.chat_id), private_chat=person, locale=locale,
            asker=asker_of(update),
        )  # fmt: skip
        asked_to = await self.consents.ask(asked)
        lifetime = Duration(int(self.consents.lifetime.total_seconds()))
        shown = consent_sentence_text(
            asked_to.sentence, asked_to.english, locale, wait=lifetime, wording=CATALOGUE
        )
        await answer.text(shown)

    async def _voice_delete(self, update: Update, words: list[str], locale: str) -> None:
        """/voice delete NAME: the voice and its sample."""
        message, answer = message_of(update), await answer_to(update, locale=locale)
        if not words:
            await answer.text(text("usage.voice_delete", locale), quote=None)
            return
        name = await self.studio.delete(
            chat_of(update), words[0], can_manage=await can_manage(update),
            requested_by=sender_id(message), discard=discarding(message.get_bot()),
        )  # fmt: skip
        await answer.text(text("voices.deleted", locale, name=name), quote=None)

    async def _voice_unshare(self, update: Update, words: list[str], locale: str) -> None:
        await self._voice_share(update, words, locale, shared=False)

    async def _voice_share(
        self, update: Update, words: list[str], locale: str, *, shared: bool = True
    ) -> None:
        """/voice share NAME, /voice unshare NAME: the owner of a cloned voice lets it speak for
        the chat, or takes that back."""
        message, answer = message_of(update), await answer_to(update, locale=locale)
        if not words:
            await answer.text(text("usage.voice_share", locale), quote=None)
            return
        name = await self.studio.share(
            chat_of(update), words[0], owner=sender_id(message), shared=shared
        )
        key = "voices.shared" if shared else "voices.unshared"
        await answer.text(text(key, locale, name=name), quote=None)

    async def style(self, update: Update, request: Request) -> None:
        """/style [TEXT|off]: show or set the speaking style."""
        message, chat, locale = message_of(update), chat_of(update), request.locale
        choice = command_argument(message)
        if not choice:
            await message.reply_text(style_text(request.prefs, locale, wording=CATALOGUE))
            return
        style = await self.preferences.set_style(chat, choice, can_manage=await can_manage(update))
        await message.reply_text(style_set_text(style, locale))


def say_asked(update: Update) -> SayAsked | None:
    """/say's request: the words typed, else those of the message replied to; whose words they
    are (the sender's, typed or their own message replied to). None without words."""
    message = message_of(update)
    replied = message.reply_to_message
    typed = command_argument(message)
    words = typed or (replied and (replied.text or replied.caption)) or ""
    if not words.strip():
        return None
    author = sender_id(message)
    if not typed and replied is not None and sender_id(replied) != author:
        author = None
    audience, asker = for_command(update)
    return SayAsked(
        chat=chat_of(update), text=words, audience=audience, asker=asker, author=author,
        commander=True,
    )  # fmt: skip
