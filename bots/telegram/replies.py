"""How answers reach a Telegram chat: long text split or sent as a file, chat actions while
work runs, and the one error handler."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Message, Update
from telegram.constants import ChatAction, MessageLimit
from telegram.error import Forbidden, RetryAfter
from telegram.ext import ContextTypes

from core import errors
from core.messages import text
from core.text import split_message

logger = logging.getLogger(__name__)

MESSAGE_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096
MAX_MESSAGES_BEFORE_FILE = 3
_ACTION_REFRESH_SECONDS = 4.5  # Telegram shows a chat action for about 5 s


async def reply_long(message: Message, body: str, *, file_caption: str, file_name: str) -> None:
    """Reply with `body`: in one message, a few clean pieces, or a .txt file when very long."""
    pieces = split_message(body, MESSAGE_LIMIT)
    if len(pieces) > MAX_MESSAGES_BEFORE_FILE:
        data = io.BytesIO(body.encode("utf-8"))
        await message.reply_document(
            document=data, filename=file_name, caption=file_caption, do_quote=True
        )
        return
    for piece in pieces:
        await message.reply_text(piece, do_quote=True)


@asynccontextmanager
async def chat_action(message: Message, action: ChatAction) -> AsyncIterator[None]:
    """Show `action` ("typing", "recording voice") in the chat until the block ends."""

    async def keep_showing() -> None:
        while True:
            with contextlib.suppress(RetryAfter, Forbidden):
                await message.get_bot().send_chat_action(message.chat_id, action)
            await asyncio.sleep(_ACTION_REFRESH_SECONDS)

    task = asyncio.create_task(keep_showing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure and answer the chat briefly; the bot carries on with the next update."""
    error = context.error
    if isinstance(error, errors.AlreadyTold):  # a busy group hears a limit once, not per note
        logger.info("refused quietly: %s", error.detail)
        return
    if isinstance(error, errors.VoicebridgeError):
        logger.info("refused %s: %s", type(error).__name__, error.detail or error.key)
        reply = text(error.key, **error.params)
    else:
        logger.error("update failed", exc_info=error)
        reply = text("error.generic")
    message = update.effective_message if isinstance(update, Update) else None
    if message is not None:
        with contextlib.suppress(Exception):  # the chat may be gone; the log already has it
            await message.reply_text(reply, do_quote=True)
