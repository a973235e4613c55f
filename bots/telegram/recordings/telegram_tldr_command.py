"""Telegram: `/tldr` as a reply to a recording, answered with its gist as Telegram shows it: the
card, then the whole transcript, timed, as a file. Same shape as
`bots.telegram.recordings.telegram_transcribe_commands`: parse, call one use case, render."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable

from telegram import Message, Update

from bots.telegram.answers.destinations import Destination
from bots.telegram.answers.message_drafts import WorkShown
from bots.telegram.answers.telegram_asker import command_argument, message_of
from bots.telegram.answers.telegram_progress_pace import USUAL, Pace
from bots.telegram.answers.telegram_replies import reply_long
from bots.telegram.recordings.media_files import recording_in, remote
from bots.telegram.telegram_wording import text
from core.app.recordings.gists import Gists
from core.app.rules.request_audience import Request
from core.chat.summary_wording import gist_card, timed_transcript
from core.domain.recordings.gist_format import Gist

__all__ = ["GistHandlers", "send_gist"]


async def send_gist(
    message: Message, gist: Gist, locale: str, *, answer: Destination | None = None
) -> None:
    """The gist as a reply to `message`, or through `answer` (one member's, in a group)."""
    card, transcript = gist_card(gist, locale), timed_transcript(gist, locale)
    if answer is not None:
        await answer.long(card, file_caption="", file_name="gist.txt")
        await answer.document(transcript.data, filename=transcript.name, caption=transcript.caption)
        return
    await reply_long(message, card, file_caption="", file_name="gist.txt")
    await message.reply_document(
        document=io.BytesIO(transcript.data),
        filename=transcript.name,
        caption=transcript.caption,
        do_quote=True,
    )


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
