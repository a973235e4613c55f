"""What every Telegram handler reads off an update, and the request it is handed.

Off an update: its message and chat, the words after a /command, and who sent it as themselves.
Who asks, and whom the answer is for, are decided in one place for each kind of update: a
command or a button (`for_command`), a recording that arrived (`for_recording`).

Whom it is for (an `Audience`) sets the answer's language (the rules:
`core.chat.answer_languages`): a reply to a person is in their app's language
(`from_user.language_code`, which Telegram sends with every message), else the chat's; what a
group as a whole gets (an automatic transcript, the notices around it, digests) is in the
chat's. The chat's is the one its administrators chose with /botlanguage, else that of whoever
last ran a command there, else English (decided once per command by
`core.app.rules.request_audience`, through `with_request`). Who asked (an `Asker`) is whose rate
limits the work counts against (the rules: `core.app.rules.limits`): the person, or the chat they
sent it on behalf of. Whether the person may change the chat's settings is `can_manage`'s.

The request of a Telegram command or button is built once as it starts (`with_request`): who
asks and whom the answer is for (`for_command`), where (the chat), and the chat's preferences,
read once by the core (`core.app.rules.request_audience.Request`). The handler is handed it and
passes it to its use case, which reads nothing of the chat again.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import ChatMember, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bots.telegram.answers.group_visibility import answer_to
from bots.telegram.telegram_wording import text
from core.app.rules.request_audience import Audiences, Request
from core.chat.answer_languages import DEFAULT_LOCALE, Audience, ChatLanguages, resolve_locale
from core.domain import errors
from core.domain.rules.quotas_rules import ANYONE, AUTOMATIC, Asker, asked_by, sent_by
from core.domain.shared_values import ChatRef

__all__ = [
    "Handler",
    "RequestHandler",
    "asker_of",
    "asking",
    "audience",
    "audience_locale",
    "can_manage",
    "chat_of",
    "chat_of_update",
    "command_argument",
    "for_command",
    "for_recording",
    "message_of",
    "owner_of",
    "person_locale",
    "sender_id",
    "stranger_locale",
    "tell_usage",
    "with_request",
]

RequestHandler = Callable[[Update, Request], Awaitable[None]]
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def command_argument(message: Message) -> str:
    """Everything after the leading /command, line breaks kept."""
    body = message.text or message.caption or ""
    for entity in message.entities or message.caption_entities:
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            return body[entity.length :].strip()
    return body.strip()


def sender_id(message: Message) -> str | None:
    """Who sent `message` as themselves: not a forward of someone else's message, not on behalf
    of a chat (an anonymous administrator, a channel). None when that cannot be told."""
    if message.forward_origin is not None or message.sender_chat is not None:
        return None
    return None if message.from_user is None else str(message.from_user.id)


def message_of(update: Update) -> Message:
    if update.effective_message is None:
        raise errors.UserInputError("update without a message")
    return update.effective_message


def chat_of(update: Update) -> ChatRef:
    return ChatRef("telegram", str(message_of(update).chat_id))


def chat_of_update(update: Update) -> ChatRef:
    if update.effective_chat is None:
        raise errors.UserInputError("update without a chat")
    return ChatRef("telegram", str(update.effective_chat.id))


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


def stranger_locale(update: Update) -> str:
    """For someone the bot does not serve: their own language, without a look at the chat."""
    return person_locale(update) or DEFAULT_LOCALE


async def audience_locale(update: Update, chats: ChatLanguages) -> str:
    """The language of `audience(update)`."""
    found = audience(update)
    return found.person or await chats.chat_locale(chat_of_update(update))


def with_request(audiences: Audiences, handler: RequestHandler, *, noted: bool = True) -> Handler:
    """`handler` as python-telegram-bot calls it, handed the request of the update as the core
    read it once (`Audiences.request`): answered in the person's language, else the chat's.
    `noted`: the chat's posts follow the language of whoever ran the command (all but
    /forget, which leaves nothing of the chat behind)."""

    @functools.wraps(handler)
    async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        audience, asker = for_command(update)
        request = await audiences.request(
            chat_of_update(update), audience, asker=asker, commander=noted
        )
        await handler(update, request)

    return callback


async def tell_usage(audiences: Audiences, update: Update, key: str) -> None:
    """How a command is used (the catalogue's `key`), for a command its use case would have
    answered (`SayAsked`, `RecordingEvent`): in the language decided for the person."""
    request = await audiences.request(chat_of_update(update), asking(update), commander=True)
    answer = await answer_to(update, locale=request.locale)
    await answer.text(text(key, request.locale), quote=None)
