"""Which language a Telegram answer is in: that of whom it is for (`who_asks`), else the
chat's: the one its administrators chose with /botlanguage, else that of whoever last ran a
command there, else English (the rules: `core.chat.languages`; the decision, once per command:
`core.app.rules.requests`, through `requests.with_request`)."""

from __future__ import annotations

from telegram import Update

from bots.telegram.answers.who_asks import audience, person_locale
from core.chat.languages import DEFAULT_LOCALE, ChatLanguages
from core.domain import errors
from core.domain.values import ChatRef

__all__ = ["audience_locale", "chat_of_update", "stranger_locale"]


def stranger_locale(update: Update) -> str:
    """For someone the bot does not serve: their own language, without a look at the chat."""
    return person_locale(update) or DEFAULT_LOCALE


async def audience_locale(update: Update, chats: ChatLanguages) -> str:
    """The language of `who_asks.audience(update)`."""
    found = audience(update)
    return found.person or await chats.chat_locale(chat_of_update(update))


def chat_of_update(update: Update) -> ChatRef:
    if update.effective_chat is None:
        raise errors.UserInputError("update without a chat")
    return ChatRef("telegram", str(update.effective_chat.id))
