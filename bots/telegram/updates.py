"""What every Telegram handler reads off an update: its message and chat, the words after a
/command, and who sent it as themselves."""

from __future__ import annotations

from telegram import Message, MessageEntity, Update

from core.domain import errors
from core.domain.values import ChatRef

__all__ = ["chat_of", "command_argument", "message_of", "sender_id"]


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
