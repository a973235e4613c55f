"""The gist of a recording: /tldr attachment, the "Gist" button under a long recording's
transcript (/autogist, gists posted unasked: `preferences.py`). Answered with the card (in
the asker's language) and the whole transcript as a file.

There is no "Summarise" message menu: Discord allows an app five, and Transcribe, Read aloud, Ask
about this audio, Clone this voice and Translate take them. The button
(`bots.discord.recordings.gist_replies`) sits where one decides a recording is too long to listen
to.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.answers.acks import PUBLIC, acknowledge_and_claim, answers
from bots.discord.answers.clicks import Answerers
from bots.discord.answers.error_handler import on_app_command_error
from bots.discord.answers.replies import AnyBot, Interaction, followup_of
from bots.discord.answers.who_asks import answer_of
from bots.discord.client import voicebridge
from bots.discord.commands.allowlist import refuse_stranger
from bots.discord.media import RecordingGone, kept_only, remote, require_audio
from bots.discord.places import require_history
from bots.discord.recordings.gist_replies import GistButton, RecordingAt, send_gist
from core.app.recordings.gists import Gists
from core.app.rules.limits import Limiter
from core.ports import RemoteRecording

__all__ = ["GistsCog"]


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
