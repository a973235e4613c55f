"""Telegram handlers for summaries, digests and privacy, and the chat-log listener.

Same shape as `bots.telegram.handlers`: parse, call one core method, render.
"""

from __future__ import annotations

from telegram import Bot, Update
from telegram.constants import ChatAction, ChatType
from telegram.ext import ContextTypes

from bots.telegram.chatlog import log_entry
from bots.telegram.gate import asker_of
from bots.telegram.handlers import can_manage, chat_of, command_argument, message_of
from bots.telegram.messages import text
from bots.telegram.replies import MESSAGE_LIMIT, chat_action, reply_long
from core.app.scheduler import DigestSender
from core.app.summaries.digests import DigestService
from core.app.summaries.service import SummaryService
from core.chat.summaries import schedule_text, summary_text
from core.domain.summaries import DigestPost, LoggingChoice
from core.domain.summary_windows import parse_summary_args
from core.domain.text import split_message

SUMMARY_COMMANDS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary of this group's recent messages: /summary 2h, 3d, 200, voice"),
    ("digest", "Daily summary at a set time: /digest 18:00 Europe/Berlin, off"),
    ("forget", "Delete everything stored for this chat (administrators)"),
)


class SummaryHandlers:
    def __init__(self, summaries: SummaryService, digests: DigestService) -> None:
        self.summaries = summaries
        self.digests = digests

    async def log_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A text or a caption in a group: keep it for /summary (when the chat logs)."""
        message = message_of(update)
        if message.text:
            entry = log_entry(message, message.text, "text")
        else:
            entry = log_entry(message, message.caption or "", "caption")
        if entry is not None:
            await self.summaries.record(entry)

    async def summary(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/summary [window] [voice], or /summary on|off."""
        message, chat = message_of(update), chat_of(update)
        if message.chat.type == ChatType.PRIVATE:
            await message.reply_text(text("summary.private_chat"))
            return
        request = parse_summary_args(command_argument(message))
        if isinstance(request, LoggingChoice):
            allowed = await can_manage(update)
            await self.summaries.set_logging(chat, request.enabled, can_manage=allowed)
            key = "summary.logging_on" if request.enabled else "summary.logging_off"
            await message.reply_text(text(key, days=self.summaries.limits.retention_days))
            return
        async with chat_action(message, ChatAction.TYPING):
            summary = await self.summaries.summarise(chat, request, asker=asker_of(update))
        caption = text("summary.file_caption")
        await reply_long(
            message, summary_text(summary), file_caption=caption, file_name="summary.txt"
        )
        if summary.voice is not None:
            await message.reply_voice(
                voice=summary.voice.data,
                duration=round(summary.voice.duration),
                filename="summary.ogg",
                do_quote=True,
            )

    async def digest(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/digest [HH:MM [time zone] | off]: show or change the daily digest."""
        message = message_of(update)
        if message.chat.type == ChatType.PRIVATE:
            await message.reply_text(text("summary.private_chat"))
            return
        state = await self.digests.set_digest(
            chat_of(update), command_argument(message), can_manage=await can_manage(update)
        )
        await message.reply_text(schedule_text(state))

    async def forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/forget: delete everything stored for this chat (administrators)."""
        message = message_of(update)
        count = await self.summaries.forget(chat_of(update), can_manage=await can_manage(update))
        reply = text("forget.done", count=count)
        if message.chat.type != ChatType.PRIVATE:
            reply += "\n\n" + text("forget.logging_continues")
        await message.reply_text(reply)


def digest_sender(bot: Bot) -> DigestSender:
    """How the scheduler posts a digest to a Telegram chat: plain messages, split to fit."""

    async def send(post: DigestPost) -> None:
        for piece in split_message(post.text, MESSAGE_LIMIT):
            await bot.send_message(chat_id=int(post.chat.chat_id), text=piece)

    return send
