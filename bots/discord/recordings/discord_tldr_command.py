"""The gist of a recording on Discord: /tldr attachment, and the "Gist" button under a long
recording's transcript, which asks for it (/autogist, gists posted unasked, is a setting:
`bots.discord.settings.discord_settings_commands`). Answered with the card (in the asker's
language), then the whole transcript, timed, as a file.

Why a button and not an Apps menu ("Summarise"): Discord allows an app five message menus, and
Transcribe, Read aloud, Ask about this audio, Clone this voice and Translate take them. The button
sits where one decides a recording is too long to listen to: under its transcript.

Which transcripts get the button (a minute or more of words) is their reply's
(`bots.discord.recordings.discord_transcript_reply.offers_gist`).

The button must work for as long as the transcript is in the channel, restarts included, so it
holds no state in this process: its `custom_id` names the recording (`RecordingAt`), and
discord.py hands every click on any such button to `GistButton` (a
`persistent_buttons.ClickButton`), which `GistsCog` registers bound to its own methods.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Self

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.answers.client_fields import voicebridge
from bots.discord.answers.discord_asker import answer_of
from bots.discord.answers.discord_replies import AnyBot, Interaction, Send, followup_of, send_long
from bots.discord.answers.error_handler import on_app_command_error
from bots.discord.answers.interaction_acks import PUBLIC, acknowledge_and_claim, answers
from bots.discord.answers.persistent_buttons import Answerers, ClickButton, view_of
from bots.discord.commands.discord_allowlist import refuse_stranger
from bots.discord.discord_wording import text
from bots.discord.place_access import require_history
from bots.discord.recording_attachments import RecordingGone, kept_only, remote, require_audio
from core.app.recordings.gists import Gists
from core.app.rules.limits import Limiter
from core.chat.summary_wording import gist_card, timed_transcript
from core.domain.recordings.gist_format import Gist
from core.ports import RemoteRecording

__all__ = ["GistButton", "GistsCog", "RecordingAt", "gist_view", "send_gist"]


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


async def send_gist(send: Send, gist: Gist, locale: str) -> None:
    """The card (a few messages at most, else a file), then the whole transcript, timed."""
    await send_long(send, gist_card(gist, locale), file_caption="", file_name="gist.txt")
    transcript = timed_transcript(gist, locale)
    document = discord.File(io.BytesIO(transcript.data), filename=transcript.name)
    await send(content=transcript.caption, file=document)


def gist_view(at: RecordingAt, *, locale: str) -> discord.ui.View:
    """The button, labelled in `locale` (the transcript's reader's language)."""
    return view_of(GistButton(at, label=text("discord.gist.button", locale)))


class GistsCog(commands.Cog):
    """/tldr, the Gist button's clicks, and /autogist."""

    def __init__(
        self,
        bot: AnyBot,
        *,
        gists: Gists,
        limiter: Limiter,
        clicks: Answerers,
    ) -> None:
        self.bot = bot
        self.gists = gists
        self.limiter = limiter
        self.clicks = clicks

    async def cog_load(self) -> None:
        # Every Gist button ever posted, restarts included: the click names its recording.
        self.clicks.register(GistButton, take=self.take_click, answer=self.gist_clicked)
        self.bot.add_dynamic_items(GistButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(GistButton)

    @app_commands.command(
        description="The gist of a recording: points, decisions, action items, with times",
        extras=answers(PUBLIC),
    )
    @app_commands.describe(attachment="A voice message, audio or video file")
    async def tldr(self, interaction: Interaction, attachment: discord.Attachment) -> None:
        """/tldr attachment."""
        await self.answer(interaction, remote(require_audio(attachment)))

    async def take_click(self, interaction: Interaction) -> bool:
        """A click on a Gist button, acknowledged with a "thinking…" for the channel."""
        if await refuse_stranger(self.limiter, interaction):
            return False
        return await acknowledge_and_claim(interaction, PUBLIC)

    async def gist_clicked(self, interaction: Interaction, at: RecordingAt) -> None:
        """The Gist button: the gist of the recording, fetched again from its message, for
        whoever clicked (in their language, against their limits); failures as a command's."""
        try:
            await self.answer(interaction, await self._recording(interaction, at))
        except Exception as error:  # a button has no command tree to report to
            await on_app_command_error(interaction, error)
        finally:
            await voicebridge(interaction).work.finish_claimed(interaction)

    async def answer(self, interaction: Interaction, recording: RemoteRecording) -> None:
        request = answer_of(interaction)
        gist = await self.gists.gist(request, recording)
        await send_gist(followup_of(interaction), gist, request.locale)

    async def _recording(self, interaction: Interaction, at: RecordingAt) -> RemoteRecording:
        """The recording a button is about, as its message holds it now."""
        if at.channel_id != interaction.channel_id:  # a button answers for its own channel
            raise RecordingGone(f"a button of channel {at.channel_id} clicked elsewhere")
        # What the channel holds, as only those who may read its history see it (the kept
        # transcript of an uploaded file included): the button's channel is the interaction's.
        require_history(interaction)
        if not at.message_id:
            return kept_only(at.attachment_id)
        channel = self.bot.get_partial_messageable(at.channel_id)
        try:
            message = await channel.fetch_message(at.message_id)
        except (discord.NotFound, discord.Forbidden) as exc:
            raise RecordingGone(f"message {at.message_id} is gone") from exc
        found = next((a for a in message.attachments if a.id == at.attachment_id), None)
        if found is None:
            raise RecordingGone(f"message {at.message_id} lost its recording")
        return remote(found, message=message)
