"""Speech: /say and the message menu "Read aloud" answer with a native voice message."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.answers.discord_asker import (
    asker_of,
    interaction_audience,
    keep_answer,
    notes_commander,
)
from bots.discord.answers.discord_replies import AnyBot, Interaction, followup_of
from bots.discord.answers.interaction_acks import PUBLIC, answers
from bots.discord.commands.localized_names import translatable
from bots.discord.discord_wording import text as catalogue_text  # `text` is /say's option
from bots.discord.place_access import for_interaction, reaches_channel
from bots.discord.voice_channels.speech_playback import VoicePlayer
from bots.discord.voices.native_voice_messages import send_voice_message
from core.app.voices.text_to_speech import SayAsked, SayNotes, TextToSpeech
from core.domain.shared_values import VoiceNote
from core.ports import background_tasks

__all__ = ["SpeechCog"]


class SpeechCog(commands.Cog):
    """/say and "Read aloud"; `player` plays in voice channels."""

    def __init__(
        self,
        bot: AnyBot,
        *,
        speech: TextToSpeech,
        player: VoicePlayer,
    ) -> None:
        self.bot = bot
        self.speech = speech
        self.player = player
        self.menu = app_commands.ContextMenu(
            name=translatable("Read aloud", "discord.menu.read_aloud"),
            callback=self.read_aloud,
            extras=answers(PUBLIC, asker_in_request=True),
        )

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @app_commands.command(
        description="Speak text as a voice message", extras=answers(PUBLIC, asker_in_request=True)
    )
    @app_commands.describe(
        text="What to say",
        in_voice_channel="Also play it in the voice channel you are in",
    )
    async def say(
        self, interaction: Interaction, text: str, in_voice_channel: bool = False
    ) -> None:
        """/say text [in_voice_channel]: a voice message, and optionally a voice channel play."""
        author = str(interaction.user.id)
        if in_voice_channel and reaches_channel(interaction):
            await self._say_in_voice(interaction, text, author=author)
            return
        said = await self._say(interaction, text, author=author)
        if in_voice_channel:  # no voice channel to join where the bot is not in the server
            outcome = catalogue_text("discord.voice.not_here", said.request.locale)
            await followup_of(interaction, ephemeral=True)(content=outcome)

    async def _say_in_voice(self, interaction: Interaction, words: str, *, author: str) -> None:
        """/say played in the voice channel from the first slice of its speech, its voice
        message sent once all of it came, as the play goes on."""
        said = await self.speech.say_as_it_comes(self._asked(interaction, words, author=author))
        keep_answer(interaction, said.request)
        locale = said.request.locale
        if isinstance(said, SayNotes):  # several voice messages' worth: each made whole first
            await self._send(interaction, said.notes)
            outcome = await self.player.play_for(interaction.user, said.notes, locale=locale)
        else:
            playing = background_tasks.start(
                self.player.play_for(interaction.user, [said.speech], locale=locale),
                name="say in voice",
                awaited=True,
            )
            try:
                await self._send(interaction, await said.notes)
            finally:
                outcome = await playing
        await followup_of(interaction, ephemeral=True)(content=outcome)

    async def read_aloud(self, interaction: Interaction, message: discord.Message) -> None:
        """Message menu "Read aloud": the message's text as a voice message."""
        await self._say(interaction, message.content, author=None)

    async def _say(self, interaction: Interaction, words: str, *, author: str | None) -> SayNotes:
        """`words` as voice messages (usually one), in answer to `interaction`; who asks goes
        into the request, and the use case decides the answer (`SayAsked`)."""
        said = await self.speech.say_notes(self._asked(interaction, words, author=author))
        keep_answer(interaction, said.request)
        await self._send(interaction, said.notes)
        return said

    @staticmethod
    def _asked(interaction: Interaction, words: str, *, author: str | None) -> SayAsked:
        return SayAsked(
            chat=for_interaction(interaction), text=words,
            audience=interaction_audience(interaction), asker=asker_of(interaction),
            author=author, commander=notes_commander(interaction),
        )  # fmt: skip

    @staticmethod
    async def _send(interaction: Interaction, notes: list[VoiceNote]) -> None:
        for note in notes:  # one, unless the text is longer than a voice message holds
            await send_voice_message(interaction, note)
