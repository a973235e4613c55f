"""Telegram: `/translate [LANGUAGE]` as a reply to a recording or a text, answered with the
translation (by default into the asker's language). Same shape as `bots.telegram.handlers`:
parse, call one core method, render."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import ContextTypes

from bots.telegram.gate import asker_of
from bots.telegram.handlers import can_manage, chat_of, command_argument, message_of
from bots.telegram.locales import reply_locale
from bots.telegram.media import recording_in, remote
from bots.telegram.messages import text
from bots.telegram.replies import chat_action, reply_long
from core.app.service import VoiceService
from core.chat.languages import translation_target
from core.ports import Recording

TRANSLATION_COMMANDS: tuple[str, ...] = ("translate", "autotranslate")


class TranslationHandlers:
    def __init__(self, service: VoiceService, *, local_mode: bool) -> None:
        self.service = service
        self.local_mode = local_mode

    async def translate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/translate [LANGUAGE] as a reply to a recording or a text."""
        message = message_of(update)
        locale = await reply_locale(update, self.service)
        target = message.reply_to_message
        recording = recording_in(target)
        words = (target.text or target.caption or "") if target is not None else ""
        if target is None or (recording is None and not words.strip()):
            await message.reply_text(text("usage.translate", locale))
            return
        language = translation_target(command_argument(message).split(" ")[0], reader=locale)
        source: Recording | str = words
        if recording is not None:
            source = remote(recording, local_mode=self.local_mode)
        async with chat_action(message, ChatAction.TYPING):
            translated = await self.service.translate(
                chat_of(update), source, target=language, asker=asker_of(update)
            )
        await reply_long(message, translated, file_caption="", file_name="translation.txt")

    async def autotranslate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/autotranslate [LANGUAGE|off]: every transcript here also gets its translation."""
        message, chat = message_of(update), chat_of(update)
        locale = await reply_locale(update, self.service)
        choice = command_argument(message)
        if choice:
            allowed = await can_manage(update)
            language = await self.service.set_autotranslate(chat, choice, can_manage=allowed)
        else:
            language = (await self.service.preferences(chat)).autotranslate
        if language is None:
            await message.reply_text(text("autotranslate.is_off", locale))
            return
        await message.reply_text(text("autotranslate.is_on", locale, language=language))
