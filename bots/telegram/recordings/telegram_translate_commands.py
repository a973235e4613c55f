"""Telegram: `/translate [LANGUAGE]` as a reply to a recording or a text, answered with the
translation (by default into the asker's language). Same shape as
`bots.telegram.recordings.telegram_transcribe_commands`: parse, call one use case, render."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction

from bots.telegram.answers.telegram_asker import chat_of, command_argument, message_of, sender_id
from bots.telegram.answers.telegram_progress_pace import USUAL, Pace
from bots.telegram.answers.telegram_replies import chat_action, reply_long
from bots.telegram.recordings.media_files import recording_in, remote
from bots.telegram.telegram_wording import text
from core.app.recordings.translations import Translations
from core.app.rules.request_audience import Request
from core.app.voices.own_voices import VoiceStudio
from core.app.voices.text_to_speech import TextToSpeech
from core.chat.answer_languages import translation_target

__all__ = ["TranslationHandlers"]


class TranslationHandlers:
    def __init__(
        self,
        *,
        translations: Translations,
        speech: TextToSpeech,
        studio: VoiceStudio,
        local_mode: bool,
        pace: Pace = USUAL,
    ) -> None:
        self.translations = translations
        self.speech = speech
        self.studio = studio
        self.local_mode = local_mode
        self.pace = pace

    async def translate(self, update: Update, request: Request) -> None:
        """/translate [LANGUAGE] as a reply to a recording or a text."""
        message = message_of(update)
        locale = request.locale
        target = message.reply_to_message
        recording = recording_in(target)
        words = (target.text or target.caption or "") if target is not None else ""
        if target is None or (recording is None and not words.strip()):
            await message.reply_text(text("usage.translate", locale))
            return
        typed = command_argument(message).split()
        spoken = any(word.casefold() == "voice" for word in typed)
        named = [word for word in typed if word.casefold() != "voice"]
        language = translation_target(named[0] if named else "", reader=locale)
        async with chat_action(message, ChatAction.TYPING, self.pace):
            if recording is None:
                translated = await self.translations.text(request, words, target=language)
            else:
                source = remote(recording, local_mode=self.local_mode)
                translated = await self.translations.recording(request, source, target=language)
        if spoken:  # in the words' speaker's own voice, where they allowed it
            async with chat_action(message, ChatAction.RECORD_VOICE, self.pace):
                note = await self.speech.spoken_translation(
                    request, translated, language=language, speaker_id=sender_id(target)
                )
            if note is not None:
                await message.reply_voice(
                    voice=note.data, duration=round(note.duration), filename="voice.ogg",
                    do_quote=True,
                )  # fmt: skip
                return
            translated = f"{text('translate.not_spoken', locale)}\n\n{translated}"
        await reply_long(message, translated, file_caption="", file_name="translation.txt")

    async def voicetranslations(self, update: Update, request: Request) -> None:
        """/voicetranslations on|off: whether your own cloned voice here speaks translations of
        your words (/translate LANGUAGE voice)."""
        message, locale = message_of(update), request.locale
        choice = command_argument(message).strip().casefold()
        if choice not in ("on", "off"):
            await message.reply_text(text("usage.voicetranslations", locale))
            return
        await self.studio.let_speak_translations(
            chat_of(update), person=sender_id(message), allowed=choice == "on"
        )
        key = "voices.translations_on" if choice == "on" else "voices.translations_off"
        await message.reply_text(text(key, locale))
