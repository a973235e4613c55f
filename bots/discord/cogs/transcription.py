"""Transcripts: voice messages unasked where auto-transcribe is on, any recording on request."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.error_handler import report
from bots.discord.media import downloaded, require_audio, require_recording, voice_message_in
from bots.discord.places import channel_override_of, for_interaction, for_message
from bots.discord.replies import Interaction, followup_of, reply_to, send_transcript
from core.domain import ChatRef, Transcript
from core.service import VoiceService


class TranscriptionCog(commands.Cog):
    """Auto-transcription of voice messages, /transcribe, and the message menu "Transcribe"."""

    def __init__(self, bot: commands.Bot, service: VoiceService) -> None:
        self.bot = bot
        self.service = service
        # Message menus cannot be declared inside a cog; they are added to the tree on load.
        self.menu = app_commands.ContextMenu(name="Transcribe", callback=self.transcribe_message)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A voice message arrived: its transcript as a reply, where auto-transcribe is on."""
        voice = voice_message_in(message)
        if voice is None or message.author.bot:
            return
        chat = for_message(message)
        try:
            if await self.service.auto_transcribe_in(chat, channel_override_of(message)):
                async with message.channel.typing():
                    transcript = await self._transcript(chat, voice)
                await send_transcript(reply_to(message), transcript)
        except Exception as error:  # events have no error handler of their own
            await report(reply_to(message), error)

    @app_commands.command(description="The transcript of an audio or video file")
    @app_commands.describe(attachment="A voice message, audio or video file")
    async def transcribe(self, interaction: Interaction, attachment: discord.Attachment) -> None:
        """/transcribe attachment: the transcript of an uploaded recording."""
        await interaction.response.defer(thinking=True)
        require_audio(attachment)
        transcript = await self._transcript(for_interaction(interaction), attachment)
        await send_transcript(followup_of(interaction), transcript)

    async def transcribe_message(self, interaction: Interaction, message: discord.Message) -> None:
        """Message menu "Transcribe": the transcript of the message's audio or video."""
        await interaction.response.defer(thinking=True)
        recording = require_recording(message)
        transcript = await self._transcript(for_interaction(interaction), recording)
        await send_transcript(followup_of(interaction), transcript)

    async def _transcript(self, chat: ChatRef, attachment: discord.Attachment) -> Transcript:
        async with downloaded(attachment, self.service) as path:
            return await self.service.transcribe(chat, path)
