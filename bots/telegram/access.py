"""Who the Telegram bot serves (the allowlist), and who asked for a piece of work (the rate
limits). The rules are `core.app.rules.limits`'; this module only reads them off Telegram
updates."""

from __future__ import annotations

import contextlib
import logging

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes, filters

from bots.telegram.answers import answer_to
from bots.telegram.audiences import stranger_locale
from bots.telegram.ephemeral import incoming_id
from bots.telegram.guest import article
from bots.telegram.media import recording_in
from bots.telegram.messages import text
from core.app.rules.limits import Limiter
from core.domain import errors
from core.domain.limits import ANYONE, AUTOMATIC, Asker, asked_by, sent_by

logger = logging.getLogger(__name__)


def admitted(limiter: Limiter, update: Update) -> bool:
    if (
        update.business_message
        or update.edited_business_message
        or update.deleted_business_messages
    ):
        # Names only the owner's contact: the owner is checked
        # (`core.app.recordings.business.route`).
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
    """Stops a stranger's update before any handler sees it (register `turn_away` in the first
    handler group), so nothing of it is processed or stored. Commands, and recordings sent to
    the bot in a private chat, get one short sentence; anything else, silence."""

    def __init__(self, limiter: Limiter) -> None:
        self.limiter = limiter
        self.allowed = Allowlisted(limiter)  # for the work claims, which come even earlier

    async def turn_away(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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
        logger.debug("turned away an update: chat and user not on the allowlist")
        raise ApplicationHandlerStop


def _asks(message: Message) -> bool:
    if (message.text or "").startswith("/"):
        return True
    return message.chat.type == ChatType.PRIVATE and recording_in(message) is not None


def owner_of(update: Update) -> str | None:
    """In a private chat, the person: what their Business connection kept is theirs to find
    and to forget there."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != ChatType.PRIVATE:
        return None
    return str(user.id)


def asker_of(update: Update) -> Asker:
    """Who sent the command: the person, or the chat they sent it on behalf of (`on_behalf`)."""
    message = update.effective_message
    chat = None if message is None else on_behalf(message)
    if chat is not None:
        return asked_by(chat)
    user = update.effective_user
    return ANYONE if user is None else asked_by(user.id)


def unasked(message: Message) -> Asker:
    """Who a recording is transcribed for because its chat transcribes every one: in a private
    chat the sender, who asked by sending it; in a group nobody, counted against the sender
    (the chat sent on behalf of, for an anonymous administrator or a channel)."""
    chat, user = on_behalf(message), message.from_user
    if chat is not None:
        return sent_by(chat)
    if user is None:
        return AUTOMATIC
    if message.chat.type == ChatType.PRIVATE:
        return asked_by(user.id)
    return sent_by(user.id)


def on_behalf(message: Message) -> int | None:
    """The chat `message` was sent on behalf of, which is its sender for the rate limits and
    caps: a group's anonymous administrators (all of them arrive as one bot user,
    GroupAnonymousBot, in every group) are their group, a channel posting is the channel.
    None for a person sending as themselves. Chat ids are negative, user ids positive: the two
    never meet."""
    sender = message.sender_chat
    return None if sender is None else sender.id
