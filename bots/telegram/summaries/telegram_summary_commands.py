"""Telegram handlers for summaries and digests, and the chat-log listener (/forget is the
memory's: `bots.telegram.memory.telegram_memory_commands`). What of a group is logged for /summary,
and what is left out (what bots say, commands, private chats), is decided in
`bots.telegram.chat_log_entry` (`LOGGED`, `log_entry`); edits and a member's ephemeral
messages are left out by the application's filters (`bots.telegram.application.update_filters`).

Same shape as `bots.telegram.recordings.telegram_transcribe_commands`: parse, call one core method,
render.
"""

from __future__ import annotations

from telegram import Bot, Update
from telegram.constants import ChatAction, ChatType
from telegram.ext import ContextTypes

from bots.telegram.answers.telegram_asker import can_manage, chat_of, command_argument, message_of
from bots.telegram.answers.telegram_progress_pace import USUAL, Pace
from bots.telegram.answers.telegram_replies import chat_action, reply_long, telegram_messages
from bots.telegram.chat_log_entry import log_entry
from bots.telegram.telegram_wording import text
from core.app.rules.request_audience import Request
from core.app.scheduler import DigestSender
from core.app.summaries.chat_summaries import SummaryService
from core.app.summaries.daily_digests import DigestService
from core.chat.locale_formats import moment, time_of_day
from core.chat.summary_wording import summary_text
from core.domain.summaries.summary_values import DigestPost, SummaryState
from core.domain.summaries.summary_windows import LoggingChoice, parse_summary_args

__all__ = ["SummaryHandlers", "digest_sender"]


class SummaryHandlers:
    def __init__(
        self,
        summaries: SummaryService,
        digests: DigestService,
        *,
        pace: Pace = USUAL,
    ) -> None:
        self.summaries = summaries
        self.digests = digests
        self.pace = pace

    async def log_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A text or a caption in a group: keep it for /summary (when the chat logs), unless
        `log_entry` leaves it out (a bot's)."""
        message = message_of(update)
        if message.text:
            entry = log_entry(message, message.text, "text")
        else:
            entry = log_entry(message, message.caption or "", "caption")
        if entry is not None:
            await self.summaries.record(entry)

    async def summary(self, update: Update, request: Request) -> None:
        """/summary [window] [voice], or /summary on|off. The summary's heading is in the
        chat's language, like its text: the group reads it together."""
        message, chat = message_of(update), request.chat
        locale = request.locale
        if message.chat.type == ChatType.PRIVATE:
            await message.reply_text(text("summary.private_chat", locale))
            return
        asked = parse_summary_args(command_argument(message))
        if isinstance(asked, LoggingChoice):
            allowed = await can_manage(update)
            await self.summaries.set_logging(chat, asked.enabled, can_manage=allowed)
            key = "summary.logging_on" if asked.enabled else "summary.logging_off"
            days = self.summaries.limits.retention_days
            await message.reply_text(text(key, locale, days=days))
            return
        async with chat_action(message, ChatAction.TYPING, self.pace):
            summary = await self.summaries.summarise(request, asked)
        posts = request.chat_locale
        caption = text("summary.file_caption", posts)
        await reply_long(
            message, summary_text(summary, posts), file_caption=caption, file_name="summary.txt"
        )
        if summary.voice is not None:
            await message.reply_voice(
                voice=summary.voice.data,
                duration=round(summary.voice.duration),
                filename="summary.ogg",
                do_quote=True,
            )

    async def digest(self, update: Update, request: Request) -> None:
        """/digest [HH:MM [time zone] | off]: show or change the daily digest."""
        message, locale = message_of(update), request.locale
        if message.chat.type == ChatType.PRIVATE:
            await message.reply_text(text("summary.private_chat", locale))
            return
        state = await self.digests.set_digest(
            chat_of(update), command_argument(message), can_manage=await can_manage(update)
        )
        await message.reply_text(schedule_text(state, locale))


def schedule_text(state: SummaryState, locale: str) -> str:
    """`/digest` without arguments, and the answer to changing it (a sentence only Telegram
    says: Discord has no digests)."""
    if state.digest_time is None or state.next_digest_at is None:
        return text("digest.off", locale)
    return text(
        "digest.on",
        locale,
        time=time_of_day(state.digest_time, locale),
        zone=state.time_zone,
        next=moment(state.next_digest_at, state.time_zone, locale),
    )


def digest_sender(bot: Bot) -> DigestSender:
    """How the scheduler posts a digest to a Telegram chat: plain messages, split to fit."""

    async def send(post: DigestPost) -> None:
        for one in telegram_messages(post.text):
            await bot.send_message(chat_id=int(post.chat.chat_id), text=one)

    return send
