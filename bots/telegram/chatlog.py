"""What of a Telegram message goes into the chat log: group messages from people, by name."""

from __future__ import annotations

from telegram import Message
from telegram.constants import ChatType

from core.domain.summaries import ChatMessage, MessageKind
from core.domain.values import ChatRef

__all__ = ["log_entry"]


def log_entry(message: Message, text: str, kind: MessageKind) -> ChatMessage | None:
    """The chat-log entry for `text` said in `message`, or None when it is never logged:
    private chats (summaries are for groups) and bots (the bot itself included)."""
    if message.chat.type == ChatType.PRIVATE:
        return None
    user = message.from_user
    if user is not None and user.is_bot:
        return None
    # Anonymous administrators and linked channels post as a chat, not as a user.
    sender = message.sender_chat
    author = sender.effective_name if sender is not None else user.full_name if user else None
    return ChatMessage(
        chat=ChatRef("telegram", str(message.chat_id)),
        message_id=str(message.message_id),
        author=author or "someone",
        sent_at=message.date,
        text=text,
        kind=kind,
    )
