"""The allowlist: who the Telegram bot serves, checked before any handler sees an update. The
rules are `core.app.rules.limits`'; this module only reads them off Telegram updates."""

from __future__ import annotations

import contextlib
import logging

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes, filters

from bots.telegram.answers.ephemeral_api import incoming_id
from bots.telegram.answers.group_visibility import answer_to
from bots.telegram.answers.telegram_asker import stranger_locale
from bots.telegram.business_and_guest_mode.guest_answers import article
from bots.telegram.recordings.media_files import recording_in
from bots.telegram.telegram_wording import text
from core.app.rules.limits import Limiter
from core.domain import errors

logger = logging.getLogger(__name__)

__all__ = ["Access"]


def admitted(limiter: Limiter, update: Update) -> bool:
    if (
        update.business_message
        or update.edited_business_message
        or update.deleted_business_messages
    ):
        # Names only the owner's contact: the owner is checked
        # (`core.app.recordings.business_chats.BusinessChats.route`).
        return True
    guest = update.guest_message
    if guest is not None:  # the caller's own entry: the chat is not the bot's
        caller = guest.from_user
        return limiter.admits("telegram", chats=[], user=None if caller is None else caller.id)
    chat, user = update.effective_chat, update.effective_user
    return limiter.admits(
        "telegram", chats=[] if chat is None else [chat.id], user=None if user is None else user.id
    )


class Allowlisted(filters.UpdateFilter):
    """Messages from a chat or a user on the allowlist (every message while it is open)."""

    def __init__(self, limiter: Limiter) -> None:
        super().__init__(name="Allowlisted")
        self.limiter = limiter

    def filter(self, update: Update) -> bool:
        return admitted(self.limiter, update)


class Access:
    """Stops a stranger's update before any handler sees it (register `refuse_stranger` in the first
    handler group), so nothing of it is processed or stored. Commands, and recordings sent to
    the bot in a private chat, get one short sentence; anything else, silence."""

    def __init__(self, limiter: Limiter) -> None:
        self.limiter = limiter
        self.allowed = Allowlisted(limiter)  # for the work claims, which come even earlier

    async def refuse_stranger(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Let an update from the allowlist through; stop any other."""
        if admitted(self.limiter, update):
            return
        guest = update.guest_message
        if guest is not None and guest.guest_query_id:  # answered in place, never by chat id
            with contextlib.suppress(TelegramError):
                refusal = text(errors.PrivateBot.key, stranger_locale(update))
                await guest.answer_guest_query(article(refusal))
        message = update.message
        if message is not None and _asks(message):
            with contextlib.suppress(TelegramError):  # the stranger may have blocked the bot
                refusal = text(errors.PrivateBot.key, stranger_locale(update))
                if incoming_id(message) is not None:  # asked privately: answered so
                    await (await answer_to(update, locale=stranger_locale(update))).text(refusal)
                else:
                    await message.reply_text(refusal, do_quote=True)
        logger.debug("refused an update: chat and user not on the allowlist")
        raise ApplicationHandlerStop


def _asks(message: Message) -> bool:
    if (message.text or "").startswith("/"):
        return True
    return message.chat.type == ChatType.PRIVATE and recording_in(message) is not None
