"""The gist of a recording as Discord shows it: the card, then the timed transcript as a file; and
the "Gist" button under a long recording's transcript, which asks for it.

Why a button and not an Apps menu: Discord allows an app five message menus, and Transcribe,
Read aloud, Ask about this audio, Clone this voice and Translate take them. The button sits
where one decides a recording is too long to listen to: under its transcript.

The button must work for as long as the transcript is in the channel, restarts included, so it
holds no state in this process: its `custom_id` names the recording (`RecordingAt`), and
discord.py hands every click on any such button to `GistButton` (a `clicks.ClickButton`), which
the gists cog registers bound to its own methods.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Self

import discord

from bots.discord.answers.clicks import ClickButton, view_of
from bots.discord.answers.replies import Send, send_long
from bots.discord.messages import text
from core.chat.gists import gist_card, timed_transcript
from core.domain.gists import Gist
from core.domain.transcripts import LongTranscript

__all__ = ["GistButton", "RecordingAt", "gist_view", "offers_gist", "send_gist"]

GIST_SECONDS = 60.0
"""A recording at least this long gets the button under its transcript."""


async def send_gist(send: Send, gist: Gist, locale: str) -> None:
    """The card (a few messages at most, else a file), then the whole transcript, timed."""
    await send_long(send, gist_card(gist, locale), file_caption="", file_name="gist.txt")
    transcript = timed_transcript(gist, locale)
    document = discord.File(io.BytesIO(transcript.data), filename=transcript.name)
    await send(content=transcript.caption, file=document)


@dataclass(frozen=True)
class RecordingAt:
    """Where the recording a transcript is about is: its channel, its message (0 for a file
    uploaded to /transcribe, which is in no message) and the attachment itself."""

    channel_id: int
    message_id: int
    attachment_id: int

    PATTERN = re.compile(r"gist:(?P<channel>[0-9]+):(?P<message>[0-9]+):(?P<attachment>[0-9]+)")

    @classmethod
    def of(cls, message: discord.Message, attachment: discord.Attachment) -> Self:
        return cls(message.channel.id, message.id, attachment.id)

    @classmethod
    def uploaded(cls, channel_id: int, attachment: discord.Attachment) -> Self:
        return cls(channel_id, 0, attachment.id)

    @property
    def custom_id(self) -> str:
        """At most 64 characters: Discord allows 100."""
        return f"gist:{self.channel_id}:{self.message_id}:{self.attachment_id}"


class GistButton(ClickButton[RecordingAt], template=RecordingAt.PATTERN):
    """The "Gist" button; rebuilt by discord.py from the `custom_id` of each click."""

    default_label = "Gist"

    @classmethod
    def about(cls, match: re.Match[str]) -> RecordingAt:
        return RecordingAt(int(match["channel"]), int(match["message"]), int(match["attachment"]))


def offers_gist(result: LongTranscript) -> bool:
    """Whether a transcript gets the button: there are words, and enough of them to skim."""
    return bool(result.text.strip()) and result.duration >= GIST_SECONDS


def gist_view(at: RecordingAt, *, locale: str) -> discord.ui.View:
    """The button, labelled in `locale` (the transcript's reader's language)."""
    return view_of(GistButton(at, label=text("discord.gist.button", locale)))
