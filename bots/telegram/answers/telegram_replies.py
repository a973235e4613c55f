"""How answers reach a Telegram chat: long text split or sent as a file, chat actions while
work runs, and the one error handler. A message's limit and when a long text becomes a file are
`bots.telegram.answers.destinations`'s `MESSAGE_LIMIT` and `core.domain.message_splitting`'s
`MAX_MESSAGES_BEFORE_FILE`; a list or an overview (/settings, /usage, /help, /voice), cut only
between its lines, goes through its destination (`destinations.Destination.lines`)."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Self

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bots.telegram.answers.destinations import MESSAGE_LIMIT
from bots.telegram.answers.group_visibility import answer_to
from bots.telegram.answers.telegram_asker import audience, audience_locale, stranger_locale
from bots.telegram.answers.telegram_progress_pace import Pace
from bots.telegram.telegram_wording import text
from core.chat.answer_languages import ChatLanguages
from core.domain import errors
from core.domain.message_splitting import (
    MAX_MESSAGES_BEFORE_FILE,
    split_message,
    utf16_units,
)
from core.ports import background_tasks

logger = logging.getLogger(__name__)

__all__ = [
    "ChatActionIndicator",
    "chat_action",
    "error_handler",
    "error_text",
    "reply_long",
    "telegram_messages",
]


def telegram_messages(body: str) -> list[str]:
    """`body` in messages Telegram takes: at most 4,096 UTF-16 code units each."""
    return split_message(body, MESSAGE_LIMIT, measure=utf16_units)


async def reply_long(message: Message, body: str, *, file_caption: str, file_name: str) -> None:
    """Reply with `body`: in one message, a few clean messages, or a .txt file when very long."""
    messages = telegram_messages(body)
    if len(messages) > MAX_MESSAGES_BEFORE_FILE:
        data = io.BytesIO(body.encode("utf-8"))
        await message.reply_document(
            document=data, filename=file_name, caption=file_caption, do_quote=True
        )
        return
    for one in messages:
        await message.reply_text(one, do_quote=True)


class ChatActionIndicator:
    """Shows `action` ("typing", "recording voice") in the chat while work runs: at once (or
    after `delay` seconds), then again before Telegram clears it (`pace`), until `stop` or the
    end of the `async with` block.

    Telegram also clears the action when the bot sends a message, so whoever sends the answer
    (or a status message that stands in for the action) stops it first: an action sent after
    the answer would say the bot is still at work."""

    def __init__(
        self, message: Message, action: ChatAction, pace: Pace, *, delay: float = 0.0
    ) -> None:
        self._message = message
        self._action = action
        self._every = pace.action_seconds
        self._delay = delay
        self._beat: background_tasks.Beat | None = None

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def start(self) -> None:
        if self._beat is None:
            self._beat = background_tasks.every(
                self._every, self._show_once, name="chat action", delay=self._delay,
                interruptible=True,  # one waiting for the rate limiter is moot once stopped
            )  # fmt: skip

    async def stop(self) -> None:
        """No more actions; one still waiting for the rate limiter is never sent."""
        beat, self._beat = self._beat, None
        if beat is not None:
            await beat.stopped()

    async def _show_once(self) -> None:
        try:
            await self._message.get_bot().send_chat_action(self._message.chat_id, self._action)
        except TelegramError as exc:  # flood control, a chat gone: the work goes on regardless
            logger.debug("chat action not shown: %s", type(exc).__name__)


def chat_action(
    message: Message, action: ChatAction, pace: Pace, *, delay: float = 0.0
) -> ChatActionIndicator:
    """`async with chat_action(message, ChatAction.TYPING, pace):` shows the action while the
    block runs (from `delay` seconds into it)."""
    return ChatActionIndicator(message, action, pace, delay=delay)


ErrorHandler = Callable[[object, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def error_handler(chats: ChatLanguages) -> ErrorHandler:
    """The one error handler: it logs the failure and answers the chat briefly, in the
    language of whoever the answer is for (`telegram_asker.audience_locale`), for them alone where
    it is a person's (`answers.answer_to`); the bot carries on."""

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        if isinstance(error, errors.AlreadyTold):  # a busy group hears a limit once, not per note
            logger.info("refused quietly: %s", error.detail)
            return
        if isinstance(error, errors.MimoModelRefused):  # the owner's to fix: one line, loud
            logger.error("%s", error.detail)
        elif isinstance(error, errors.VoicebridgeError):
            logger.info("refused %s: %s", type(error).__name__, error.detail or error.key)
        else:
            logger.error("update failed", exc_info=error)
        if not isinstance(update, Update) or update.effective_message is None:
            return
        if update.business_message is not None:
            # A reply there would speak for the owner: `business_and_guest_mode.business_handlers`
            # tells them.
            return
        if update.guest_message is not None:
            # Not the bot's chat: `bots.telegram.business_and_guest_mode.guest_answers` says it in
            # its answer.
            return
        try:
            locale = await audience_locale(update, chats)
        except Exception:  # the database may be what failed: the person's own language will do
            locale = stranger_locale(update)
        # A refusal is the business of whoever asked (`answers`); a recording's, the chat's.
        private = update.callback_query is not None or audience(update).person is not None
        with contextlib.suppress(Exception):  # the chat may be gone; the log already has it
            answer = await answer_to(update, locale=locale, private=private)
            await answer.text(error_text(error, locale))

    return on_error


def error_text(error: BaseException | None, locale: str) -> str:
    if isinstance(error, errors.VoicebridgeError):
        return text(error.key, locale, **error.params)
    return text("error.generic", locale)
