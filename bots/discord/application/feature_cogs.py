"""The cogs, one per feature, each built with the use cases it needs and added by the bot
(`bots.discord.application.bot_intents.VoicebridgeBot.setup_hook`); `bots.update_catalogues` reads
their commands from here, in this order, for the catalogues.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

from bots.discord.answers.discord_replies import AnyBot
from bots.discord.answers.persistent_buttons import Answerers
from bots.discord.channel_reader.read_channel_commands import ChannelReaderCog
from bots.discord.listening.listen_commands import ListeningCog
from bots.discord.memory.discord_memory_commands import MemoryCog
from bots.discord.memory.remember_command import RememberCog
from bots.discord.recordings.ask_commands import QuestionsCog
from bots.discord.recordings.discord_tldr_command import GistsCog
from bots.discord.recordings.discord_transcribe_commands import EarlierReply, TranscriptionCog
from bots.discord.recordings.discord_translate_commands import TranslationsCog
from bots.discord.settings.discord_settings_commands import PreferencesCog, UsageCog
from bots.discord.summaries.discord_summary_commands import SummariesCog
from bots.discord.voice_channels.call_connection import DiscordVoiceChannels
from bots.discord.voice_channels.speech_playback import VoicePlayer
from bots.discord.voices.own_voice_commands import VoicesCog
from bots.discord.voices.say_commands import SpeechCog
from core.app.channel_reader.reading_control import ChannelReader
from core.app.listening.call_lifecycle import ListenedCalls

if TYPE_CHECKING:  # what the composition root built; importing it here would load it all
    from core.bootstrap import Runtime

__all__ = ["feature_cogs"]


def feature_cogs(
    bot: AnyBot,
    runtime: Runtime,
    *,
    player: VoicePlayer,
    reader: ChannelReader,
    channels: DiscordVoiceChannels,
    listened: ListenedCalls,
    clicks: Answerers,
    earlier_reply: EarlierReply = lambda message: None,
) -> list[commands.Cog]:
    """One cog per feature, each with the use cases it needs (`bots.update_catalogues` reads
    their commands, in this order); `earlier_reply` is the crash redo's
    (`crash_redo.CrashRedo.earlier_reply`)."""
    return [
        TranscriptionCog(
            bot,
            runtime.voice_notes,
            piece_seconds=runtime.limits.asr_piece_seconds,
            earlier_reply=earlier_reply,
        ),
        *speech_cogs(bot, runtime, player=player),
        *memory_cogs(bot, runtime),
        *answer_cogs(bot, runtime, clicks=clicks),
        SummariesCog(
            runtime.summaries,
            bot=bot,
            calls=runtime.calls,
            forgetting=runtime.forgetting,
        ),
        *voice_channel_cogs(
            bot, runtime, reader=reader, channels=channels, listened=listened, clicks=clicks
        ),
        UsageCog(runtime.limiter, runtime.consents),
    ]


def speech_cogs(bot: AnyBot, runtime: Runtime, *, player: VoicePlayer) -> list[commands.Cog]:
    """/say, the chat's voices and settings, and what is transcribed unasked."""
    return [
        SpeechCog(bot, speech=runtime.speech, player=player),
        PreferencesCog(
            preferences=runtime.preferences, studio=runtime.studio, audiences=runtime.audiences
        ),
        VoicesCog(studio=runtime.studio, consents=runtime.consents, bot=bot),
    ]


def memory_cogs(bot: AnyBot, runtime: Runtime) -> list[commands.Cog]:
    """/ask about a recording, a call or the chat's memory; /find, /forget; /remember."""
    return [
        QuestionsCog(bot, runtime.questions, calls=runtime.calls, memory=runtime.memory),
        MemoryCog(
            runtime.memory, forgetting=runtime.forgetting, thread_members=bot.intents.members
        ),
        RememberCog(runtime.imports),
    ]


def answer_cogs(bot: AnyBot, runtime: Runtime, *, clicks: Answerers) -> list[commands.Cog]:
    """A recording's gist and its translation, asked by command or by button."""
    return [
        GistsCog(bot, gists=runtime.gists, limiter=runtime.limiter, clicks=clicks),
        TranslationsCog(
            bot,
            translations=runtime.translations,
            speech=runtime.speech,
            studio=runtime.studio,
            limiter=runtime.limiter,
            clicks=clicks,
        ),
    ]


def voice_channel_cogs(
    bot: AnyBot,
    runtime: Runtime,
    *,
    reader: ChannelReader,
    channels: DiscordVoiceChannels,
    listened: ListenedCalls,
    clicks: Answerers,
) -> list[commands.Cog]:
    """A text channel read aloud in a voice channel; a voice channel listened to."""
    return [
        ChannelReaderCog(reader=reader, channels=channels, choices=runtime.reader_choices),
        ListeningCog(
            bot,
            listened=listened,
            reader=reader,
            channels=channels,
            voice_available=channels.client is not None,
            limiter=runtime.limiter,
            clicks=clicks,
        ),
    ]
