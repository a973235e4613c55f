"""Who asked for a piece of work (whose rate limits it counts against), read off Telegram
updates. The rules are `core.app.rules.limits`'."""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatType

from core.domain.limits import ANYONE, AUTOMATIC, Asker, asked_by, sent_by


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
