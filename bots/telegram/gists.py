"""Telegram: `/tldr` as a reply to a recording, answered with its gist and the whole transcript
as a file. Same shape as `bots.telegram.handlers`: parse, call one core method, render."""

from __future__ import annotations

import io

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import ContextTypes

from bots.telegram.gate import asker_of
from bots.telegram.handlers import chat_of, message_of
from bots.telegram.locales import reply_locale
from bots.telegram.media import recording_in, remote
from bots.telegram.messages import text
from bots.telegram.replies import chat_action, reply_long
from core.app.service import VoiceService
from core.chat.gists import gist_card, timed_transcript

GIST_COMMANDS: tuple[str, ...] = ("tldr",)


class GistHandlers:
    def __init__(self, service: VoiceService, *, local_mode: bool) -> None:
        self.service = service
        self.local_mode = local_mode

    async def tldr(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/tldr as a reply to a recording: its gist, in the asker's language."""
        message = message_of(update)
        locale = await reply_locale(update, self.service)
        recording = recording_in(message.reply_to_message)
        if recording is None:
            await message.reply_text(text("usage.tldr", locale))
            return
        source = remote(recording, local_mode=self.local_mode)
        async with chat_action(message, ChatAction.TYPING):
            gist = await self.service.gist(
                chat_of(update), source, language=locale, asker=asker_of(update)
            )
        card, transcript = gist_card(gist, locale), timed_transcript(gist, locale)
        await reply_long(message, card, file_caption="", file_name="gist.txt")
        await message.reply_document(
            document=io.BytesIO(transcript.data),
            filename=transcript.name,
            caption=transcript.caption,
            do_quote=True,
        )
