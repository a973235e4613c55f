"""The gist of a recording as Telegram shows it: the card, then the timed transcript as a file."""

from __future__ import annotations

import io

from telegram import Message

from bots.telegram.answers.destinations import Destination
from bots.telegram.answers.replies import reply_long
from core.chat.gists import gist_card, timed_transcript
from core.domain.gists import Gist

__all__ = ["send_gist"]


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
