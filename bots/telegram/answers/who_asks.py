"""Who asks, and whom the answer is for, read off a Telegram update and decided in one place
for each kind of update: a command or a button (`for_command`), a recording that arrived
(`for_recording`).

Whom it is for (an `Audience`) sets the answer's language (`languages`; the rules:
`core.chat.languages`): a reply to a person is in their app's language
(`from_user.language_code`, which Telegram sends with every message), else the chat's; what a
group as a whole gets (an automatic transcript, the notices around it, digests) is in the
chat's. Who asked (an `Asker`) is whose rate limits the work counts against (the rules:
`core.app.rules.limits`): the person, or the chat they sent it on behalf of. Whether the person
may change the chat's settings is `can_manage`'s.
"""

from __future__ import annotations

from telegram import ChatMember, Message, MessageEntity, Update
from telegram.constants import ChatType

from bots.telegram.updates import message_of
from core.chat.languages import Audience, resolve_locale
from core.domain.limits import ANYONE, AUTOMATIC, Asker, asked_by, sent_by

__all__ = [
    "asker_of",
    "asking",
    "audience",
    "can_manage",
    "for_command",
    "for_recording",
    "owner_of",
    "person_locale",
]


def for_command(update: Update) -> tuple[Audience, Asker]:
    """A command or a button: answered for the person behind it, who asked."""
    return asking(update), asker_of(update)


def for_recording(update: Update, *, question: bool) -> tuple[Audience, Asker]:
    """A recording that arrived: a question about it (its caption) is asked by its sender and
    answered for them; anything else is transcribed for whoever the chat's answers are for
    (`audience`), counted against its sender (`unasked`)."""
    message = update.effective_message
    if question or message is None:
        return asking(update), asker_of(update)
    return audience(update), unasked(message)


def person_locale(update: Update) -> str | None:
    """The language of the person behind `update`, if we speak it."""
    user = update.effective_user
    return resolve_locale(None if user is None else user.language_code)


def asking(update: Update) -> Audience:
    """The person behind `update`, who asked: answered in their language, else the chat's."""
    return Audience(person=person_locale(update))


def audience(update: Update) -> Audience:
    """Whoever the answer to `update` is for: in a group, a message that is not a command (a
    recording transcribed unasked) is answered for everyone, in the chat's language; anything
    else for the person who sent it (in their language, else the chat's)."""
    message = update.effective_message
    if message is not None and message.chat.type != ChatType.PRIVATE and not _is_command(message):
        return Audience()
    return asking(update)


def _is_command(message: Message) -> bool:
    entities = message.entities or message.caption_entities
    return any(e.type == MessageEntity.BOT_COMMAND and e.offset == 0 for e in entities)


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


async def can_manage(update: Update) -> bool:
    """Private chats manage themselves; in groups only administrators (or anonymous admins) do."""
    chat, message, user = update.effective_chat, message_of(update), update.effective_user
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    if user is None:
        return False
    member = await chat.get_member(user.id)
    return member.status in {ChatMember.ADMINISTRATOR, ChatMember.OWNER}
