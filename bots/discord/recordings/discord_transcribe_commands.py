"""Transcripts: voice messages unasked where auto-transcribe is on, any recording on request.

Under the transcript of a recording of a minute or more, where the bot can find the recording
again, a "Gist" button (`bots.discord.recordings.discord_tldr_command`); where /autogist is set, a
recording transcribed unasked that is at least that long gets its gist below its transcript, as on
Telegram.
"""

from __future__ import annotations

from collections.abc import Callable

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.answers.discord_asker import asker_of, interaction_audience, notes_commander
from bots.discord.answers.discord_replies import AnyBot, Interaction, reply_to
from bots.discord.answers.error_handler import report
from bots.discord.answers.interaction_acks import PUBLIC, answers
from bots.discord.commands.localized_names import translatable, translatable_choices
from bots.discord.commands.user_installs import answer_in_time
from bots.discord.place_access import for_interaction, reaches_channel
from bots.discord.recording_attachments import (
    remote,
    require_audio,
    require_recording,
    voice_message_in,
)
from bots.discord.recordings.declared_consent_reading import reading_answer
from bots.discord.recordings.discord_tldr_command import RecordingAt
from bots.discord.recordings.discord_transcript_reply import (
    InteractionRecordingView,
    MessageRecordingView,
)
from bots.discord.recordings.voice_message_arrival import arrival_of
from core.app.voice_note_events import RecordingEvent, VoiceNotes
from core.app.voices.clone_consent import ConsentVerdict
from core.chat.transcript_files import FORMATS, TranscriptFormat, transcript_format

__all__ = ["EarlierReply", "TranscriptionCog"]

EarlierReply = Callable[[discord.Message], discord.Message | None]

FORMAT_CHOICES = translatable_choices(
    "discord.choice.transcribe.format", **{name: name for name in FORMATS}
)


class TranscriptionCog(commands.Cog):
    """Auto-transcription of voice messages, /transcribe, and the message menu "Transcribe"."""

    def __init__(
        self,
        bot: AnyBot,
        voice_notes: VoiceNotes,
        *,
        piece_seconds: float,
        earlier_reply: EarlierReply = lambda message: None,
    ) -> None:
        self.bot = bot
        self.voice_notes = voice_notes
        self.earlier_reply = earlier_reply  # a crash redo's reply already sent (`redo`)
        self.piece_seconds = piece_seconds  # what a transcript's progress counts in
        # Message menus cannot be declared inside a cog; they are added to the tree on load.
        self.menu = app_commands.ContextMenu(
            name=translatable("Transcribe", "discord.menu.transcribe"),
            callback=self.transcribe_message,
            extras=answers(PUBLIC, asker_in_request=True),
        )

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A voice message arrived: parsed once (`arrivals.arrival_of`), handed to the core
        once (`VoiceNotes.arrived`), and what comes back rendered. Its transcript comes as a
        reply where auto-transcribe is on, with its gist below it where /autogist asks for
        recordings that long; a reading of its sender's consent sentence (a forwarded one's
        too) is answered as such."""
        arrival = arrival_of(message)
        if arrival is None:
            return
        voice = voice_message_in(message)
        view = MessageRecordingView(
            message,
            piece_seconds=self.piece_seconds,
            gist_at=None if voice is None else RecordingAt.of(message, voice),
            earlier=None if arrival.source is None else self.earlier_reply(message),
        )
        try:
            shown = await self.voice_notes.arrived(arrival, view)
        except Exception as error:  # events have no error handler of their own
            await report(reply_to(message), error, view.locale)
            return
        if isinstance(shown, ConsentVerdict):  # the sender's reading of their consent sentence
            await reply_to(message)(content=reading_answer(shown))

    @app_commands.command(
        description="The transcript of an audio or video file",
        extras=answers(PUBLIC, asker_in_request=True),
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
        # In no message: a click finds its kept transcript by the attachment's id.
        channel = interaction.channel_id if reaches_channel(interaction) else None
        gist_at = None if channel is None else RecordingAt.uploaded(channel, attachment)
        async with answer_in_time(interaction):
            await self._asked(
                interaction, attachment, gist_at, transcript_format(format.value if format else "")
            )

    async def transcribe_message(self, interaction: Interaction, message: discord.Message) -> None:
        """Message menu "Transcribe": the transcript of the message's audio or video, as the
        interaction carries it (never fetched: the bot may not be able to read the channel; where
        it cannot, the Gist button could not fetch it either, and is not offered)."""
        recording = require_recording(message)
        gist_at = RecordingAt.of(message, recording) if reaches_channel(interaction) else None
        async with answer_in_time(interaction):
            await self._asked(interaction, recording, gist_at, "text", message=message)

    async def _asked(
        self,
        interaction: Interaction,
        recording: discord.Attachment,
        gist_at: RecordingAt | None,
        format: TranscriptFormat,
        *,
        message: discord.Message | None = None,
    ) -> None:
        """The transcript `interaction` asked for, in its deferred response; `message`: the
        one carrying the recording, where there is one."""
        view = InteractionRecordingView(
            interaction, piece_seconds=self.piece_seconds, gist_at=gist_at
        )
        asked = RecordingEvent(
            chat=for_interaction(interaction), source=remote(recording, message=message),
            view=view,
            audience=interaction_audience(interaction), asker=asker_of(interaction),
            commander=notes_commander(interaction),
        )  # fmt: skip
        await self.voice_notes.asked(asked, format=format)
