"""The request of a Telegram command or button, built once as it starts: who asks and whom the
answer is for (`who_asks.for_command`), where (the chat), and the chat's preferences, read once
by the core (`core.app.rules.requests.Request`). The handler is handed it and passes it to its
use case, which reads nothing of the chat again."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bots.telegram.answers.languages import chat_of_update
from bots.telegram.answers.who_asks import asking, for_command
from bots.telegram.answers.who_sees import answer_to
from bots.telegram.messages import text
from core.app.rules.requests import Audiences, Request

__all__ = ["Handler", "RequestHandler", "tell_usage", "with_request"]

RequestHandler = Callable[[Update, Request], Awaitable[None]]
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


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
