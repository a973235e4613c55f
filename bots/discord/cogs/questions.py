"""Questions about a recording: /ask attachment question."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.media import downloaded, require_audio
from bots.discord.places import for_interaction
from bots.discord.replies import Interaction, followup_of, send_long
from core.service import VoiceService


class QuestionsCog(commands.Cog):
    """/ask, and the place for other ways of asking about a recording."""

    def __init__(self, bot: commands.Bot, service: VoiceService) -> None:
        self.bot = bot  # for message menus, added to `bot.tree` in `cog_load`
        self.service = service

    @app_commands.command(description="Ask a question about a recording")
    @app_commands.describe(
        attachment="A voice message, audio or video file", question="Your question"
    )
    async def ask(
        self, interaction: Interaction, attachment: discord.Attachment, question: str
    ) -> None:
        """/ask attachment question: MiMo's answer about the recording."""
        await interaction.response.defer(thinking=True)
        await self.answer(interaction, attachment, question)

    async def answer(
        self, interaction: Interaction, attachment: discord.Attachment, question: str
    ) -> None:
        """Answer a deferred interaction about `attachment`. Shared by /ask and whatever else
        asks about a recording, such as a message menu whose question comes from a modal."""
        require_audio(attachment)
        async with downloaded(attachment, self.service) as path:
            answer = await self.service.ask(for_interaction(interaction), path, question)
        await send_long(
            followup_of(interaction), answer.text, file_caption="", file_name="answer.txt"
        )
