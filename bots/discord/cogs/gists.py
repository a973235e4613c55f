"""The gist of a recording: /tldr attachment, and the message menu "Summarise" on any message
with audio or video. Answered with the card (in the asker's language) and the whole transcript
as a file."""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.acks import PUBLIC, answers
from bots.discord.gate import asker_of
from bots.discord.locales import reply_locale
from bots.discord.media import recording_in, remote, require_audio
from bots.discord.places import for_interaction
from bots.discord.replies import AnyBot, Interaction, followup_of, send_long
from bots.discord.translator import translatable
from core.app.service import VoiceService
from core.chat.gists import gist_card, timed_transcript
from core.domain import errors


class NothingToCondense(errors.UserInputError):
    key = "discord.nothing_to_condense"


class GistsCog(commands.Cog):
    """/tldr, and "Summarise" on any message with a recording."""

    def __init__(self, bot: AnyBot, service: VoiceService) -> None:
        self.bot = bot
        self.service = service
        self.menu = app_commands.ContextMenu(
            name=translatable("Summarise", "discord.menu.tldr"),
            callback=self.summarise_message,
            extras=answers(PUBLIC),
        )

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @app_commands.command(
        description="The gist of a recording: points, decisions, action items, with times",
        extras=answers(PUBLIC),
    )
    @app_commands.describe(attachment="A voice message, audio or video file")
    async def tldr(self, interaction: Interaction, attachment: discord.Attachment) -> None:
        """/tldr attachment."""
        await self.answer(interaction, require_audio(attachment))

    async def summarise_message(self, interaction: Interaction, message: discord.Message) -> None:
        """Message menu "Summarise": the gist of the message's audio or video."""
        recording = recording_in(message)
        if recording is None:
            raise NothingToCondense("no audio or video attachment")
        await self.answer(interaction, recording)

    async def answer(self, interaction: Interaction, attachment: discord.Attachment) -> None:
        locale = await reply_locale(interaction, self.service)
        gist = await self.service.gist(
            for_interaction(interaction),
            remote(attachment),
            language=locale,
            asker=asker_of(interaction),
        )
        send = followup_of(interaction)
        await send_long(send, gist_card(gist, locale), file_caption="", file_name="gist.txt")
        transcript = timed_transcript(gist, locale)
        document = discord.File(io.BytesIO(transcript.data), filename=transcript.name)
        await send(content=transcript.caption, file=document)
