"""Transcripts: voice messages unasked where auto-transcribe is on, any recording on request.

Under the transcript of a recording of a minute or more, where the bot can find the recording
again, a "Gist" button (`bots.discord.gist_replies`); where /autogist is set, a recording
transcribed unasked that is at least that long gets its gist below its transcript, as on
Telegram.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.access import asker_of, unasked
from bots.discord.acks import PUBLIC, answers
from bots.discord.error_handler import report
from bots.discord.gist_replies import RecordingAt, send_gist
from bots.discord.installs import answer_in_time
from bots.discord.locales import message_locale, reply_locale
from bots.discord.media import remote, require_audio, require_recording, voice_message_in
from bots.discord.places import (
    channel_override_of,
    for_interaction,
    for_message,
    reaches_channel,
)
from bots.discord.replies import AnyBot, Interaction, reply_to
from bots.discord.transcripts import InteractionTranscriptReply, MessageTranscriptReply
from bots.discord.translator import translatable, translatable_choices
from core.app.service import VoiceService
from core.chat.exports import FORMATS, TranscriptFormat, transcript_format
from core.chat.live import TranscriptReply
from core.chat.translations import translation_below
from core.domain.limits import Asker
from core.domain.transcripts import LongTranscript
from core.domain.values import ChatRef

FORMAT_CHOICES = translatable_choices(
    "discord.choice.transcribe.format", **{name: name for name in FORMATS}
)


class TranscriptionCog(commands.Cog):
    """Auto-transcription of voice messages, /transcribe, and the message menu "Transcribe"."""

    def __init__(self, bot: AnyBot, service: VoiceService) -> None:
        self.bot = bot
        self.service = service
        # Message menus cannot be declared inside a cog; they are added to the tree on load.
        self.menu = app_commands.ContextMenu(
            name=translatable("Transcribe", "discord.menu.transcribe"),
            callback=self.transcribe_message,
            extras=answers(PUBLIC),
        )

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A voice message arrived: its transcript as a reply, where auto-transcribe is on,
        and its gist below it where /autogist asks for recordings that long."""
        voice = voice_message_in(message)
        if voice is None or message.author.bot:
            return
        chat, locale, asker = for_message(message), "en", unasked(message)
        try:
            if await self.service.auto_transcribe_in(chat, channel_override_of(message)):
                locale = await message_locale(message, self.service)  # for everyone there
                reply = MessageTranscriptReply(
                    message,
                    locale=locale,
                    piece_seconds=self._piece_seconds,
                    gist_at=RecordingAt.of(message, voice),
                )
                async with message.channel.typing():
                    heard = await self._transcribe(chat, voice, reply, "text", asker=asker)
                    gist = await self.service.auto_gist(
                        chat, remote(voice), heard, language=locale, asker=asker
                    )
                if gist is not None:
                    await send_gist(reply_to(message), gist, locale)
        except Exception as error:  # events have no error handler of their own
            await report(reply_to(message), error, locale)

    @app_commands.command(
        description="The transcript of an audio or video file", extras=answers(PUBLIC)
    )
    @app_commands.describe(
        attachment="A voice message, audio or video file",
        format="In the chat (a file when long), always as a .txt file, or as .srt subtitles",
    )
    @app_commands.choices(format=FORMAT_CHOICES)
    async def transcribe(
        self,
        interaction: Interaction,
        attachment: discord.Attachment,
        format: app_commands.Choice[str] | None = None,
    ) -> None:
        """/transcribe attachment [format]: the transcript of an uploaded recording."""
        require_audio(attachment)
        wanted = transcript_format(format.value if format else "")
        # In no message: a click finds its kept transcript by the attachment's id.
        channel = interaction.channel_id if reaches_channel(interaction) else None
        reply = InteractionTranscriptReply(
            interaction,
            locale=await reply_locale(interaction, self.service),
            piece_seconds=self._piece_seconds,
            gist_at=None if channel is None else RecordingAt.uploaded(channel, attachment),
        )
        chat, asker = for_interaction(interaction), asker_of(interaction)
        async with answer_in_time(interaction):
            await self._transcribe(chat, attachment, reply, wanted, asker=asker)

    async def transcribe_message(self, interaction: Interaction, message: discord.Message) -> None:
        """Message menu "Transcribe": the transcript of the message's audio or video, as the
        interaction carries it (never fetched: the bot may not be able to read the channel; where
        it cannot, the Gist button could not fetch it either, and is not offered)."""
        recording = require_recording(message)
        reply = InteractionTranscriptReply(
            interaction,
            locale=await reply_locale(interaction, self.service),
            piece_seconds=self._piece_seconds,
            gist_at=RecordingAt.of(message, recording) if reaches_channel(interaction) else None,
        )
        chat, asker = for_interaction(interaction), asker_of(interaction)
        async with answer_in_time(interaction):
            await self._transcribe(chat, recording, reply, "text", asker=asker)

    @property
    def _piece_seconds(self) -> float:
        return self.service.limits.asr_piece_seconds

    async def _transcribe(
        self,
        chat: ChatRef,
        attachment: discord.Attachment,
        reply: TranscriptReply,
        format: TranscriptFormat,
        *,
        asker: Asker,
    ) -> LongTranscript:
        """Transcribe `attachment`, showing progress in the message that becomes the answer."""
        async with reply:
            result = await self.service.transcribe_long_audio(
                chat, remote(attachment), progress=reply.progress, asker=asker
            )
            below = None
            if format == "text":  # /autotranslate: its translation, marked, in the same reply
                below = await translation_below(
                    self.service, chat, result.text, reply.locale, asker
                )
            await reply.deliver(result, format, below=below)
        return result
