"""Whom a Telegram answer is for, and so which language it is in (the rules:
`core.chat.languages`; the decision, once per command: `core.app.rules.requests`, through
`bots.telegram.answers.requests.with_request`).

A reply to a person is in their app's language (`from_user.language_code`, which Telegram
sends with every message), else the chat's; what a group as a whole gets (an automatic
transcript, the notices around it, digests) is in the chat's: the one its administrators chose
with /botlanguage, else that of whoever last ran a command there, else English.
"""

from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType

from core.chat.languages import DEFAULT_LOCALE, Audience, ChatLanguages, resolve_locale
from core.domain import errors
from core.domain.values import ChatRef


def person_locale(update: Update) -> str | None:
    """The language of the person behind `update`, if we speak it."""
    user = update.effective_user
    return resolve_locale(None if user is None else user.language_code)


def stranger_locale(update: Update) -> str:
    """For someone the bot does not serve: their own language, without a look at the chat."""
    return person_locale(update) or DEFAULT_LOCALE


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


async def audience_locale(update: Update, chats: ChatLanguages) -> str:
    """The language of `audience(update)`."""
    found = audience(update)
    return found.person or await chats.chat_locale(chat_of_update(update))


def _is_command(message: Message) -> bool:
    entities = message.entities or message.caption_entities
    return any(e.type == MessageEntity.BOT_COMMAND and e.offset == 0 for e in entities)


def chat_of_update(update: Update) -> ChatRef:
    if update.effective_chat is None:
        raise errors.UserInputError("update without a chat")
    return ChatRef("telegram", str(update.effective_chat.id))
