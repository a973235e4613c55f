"""What of a Telegram message goes into the chat log: group messages from people, by name.

Which messages: `LOGGED`, texts and captions said in a group, never commands (transcripts are
logged by the transcribing handler, once it has them). The application adds what this layer cannot
see (`bots.telegram.application.update_filters`): never a member's ephemeral message
(`_SAID_IN_GROUP`), never an edit (`_NEW`). Whose: `log_entry`, people only, never a bot (the bot
itself included). The same rules elsewhere: `SummaryService.record`
(`core.app.summaries.chat_summaries`) stores no command whatever the platform, and an imported
Telegram Desktop export logs no private chat (`bots.cli.memory.telegram_export`, `NOT_LOGGED`).
"""

from __future__ import annotations

from telegram import Message
from telegram.constants import ChatType
from telegram.ext import filters

from core.domain.shared_values import ChatRef
from core.domain.summaries.summary_values import ChatMessage, MessageKind

__all__ = ["LOGGED", "log_entry"]

# What the chat log keeps of a group: texts and captions, never commands.
LOGGED = filters.ChatType.GROUPS & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND


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
