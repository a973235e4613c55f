"""Telegram: `/tldr` as a reply to a recording, answered with its gist and the whole transcript
as a file. Same shape as `bots.telegram.recordings.handlers`: parse, call one use case, render."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bots.telegram.answers.drafts import WorkShown
from bots.telegram.answers.progress_pace import USUAL, Pace
from bots.telegram.messages import text
from bots.telegram.recordings.gist_replies import send_gist
from bots.telegram.recordings.media import recording_in, remote
from bots.telegram.updates import command_argument, message_of
from core.app.recordings.gists import Gists
from core.app.rules.requests import Request

__all__ = ["GistHandlers"]


class GistHandlers:
    def __init__(
        self,
        *,
        gists: Gists,
        auto: Callable[[Update, str, Request], Awaitable[None]],
        local_mode: bool,
        pace: Pace = USUAL,
    ) -> None:
        self.gists = gists
        self.auto = auto  # /tldr auto, a setting (`PreferencesHandlers.gist_auto`)
        self.local_mode = local_mode
        self.pace = pace

    async def tldr(self, update: Update, request: Request) -> None:
        """/tldr as a reply to a recording: its gist, in the asker's language; /tldr auto
        MINUTES|off: recordings at least that long also get theirs (administrators)."""
        message = message_of(update)
        locale = request.locale
        words = command_argument(message).split()
        if words and words[0].casefold() == "auto":
            await self.auto(update, " ".join(words[1:]), request)
            return
        recording = recording_in(message.reply_to_message)
        if recording is None:
            await message.reply_text(text("usage.tldr", locale))
            return
        source = remote(recording, local_mode=self.local_mode, message=message.reply_to_message)
        async with WorkShown(message, self.pace, locale=locale) as work:
            gist = await self.gists.gist(
                request, source, progress=work.progress, waiting=work.waiting
            )
        await send_gist(message, gist, locale)
