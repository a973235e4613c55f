"""Summaries on Discord: /summary reads the channel's history; a channel or thread deleted takes
its own settings and summary marker with it (`core.app.memory.forgetting`; /forget is the memory
cog's, `bots.discord.memory.discord_memory_commands`).

Discord lets a bot read a channel's history, so nothing is logged here: each /summary reads its
window through the API (newest first, at most `MAX_HISTORY` messages) and hands the messages to
the shared `SummaryService`. Voice messages and audio files in the window are not transcribed:
that would download and transcribe every recording on each /summary. They appear as
"[voice message]", so the summary still knows who spoke. Bots' messages (this bot's transcripts
and earlier summaries among them) are left out.

A channel keeps its own "since the last summary" marker (`channel:<id>`); language and voice
come from where preferences live (the server, or the user in DMs).

`/summary call:True` in a voice channel's chat sums up the last call the bot listened to there
(`core.app.listening.past_calls`): the gist card, points, decisions and action items each with its
time in the call and who said it, and the call's transcript with its speakers beside it.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.answers.discord_asker import answer_of, asker_of
from bots.discord.answers.discord_replies import AnyBot, Interaction, followup_of, send_long
from bots.discord.answers.interaction_acks import PUBLIC, answers
from bots.discord.commands.user_installs import server_only
from bots.discord.discord_wording import text
from bots.discord.place_access import channel_of, place_of, require_history
from bots.discord.recording_attachments import is_recording
from bots.discord.recordings.discord_tldr_command import send_gist
from bots.discord.voices.native_voice_messages import send_voice_message
from core.app.listening.past_calls import PastCalls
from core.app.memory.forgetting import Forgetting
from core.app.summaries.chat_summaries import SummaryService
from core.chat.summary_wording import summary_text
from core.domain.shared_values import ChatRef
from core.domain.summaries.summary_values import ChatMessage
from core.domain.summaries.summary_windows import (
    SinceLastSummary,
    Window,
    parse_window,
    window_bounds,
)

__all__ = ["SummariesCog"]

MAX_HISTORY = 1000  # messages read for one /summary: ten requests to Discord at most
VOICE_MARK = "[voice message]"
_SAID = {discord.MessageType.default, discord.MessageType.reply}

logger = logging.getLogger(__name__)


class SummariesCog(commands.Cog):
    """/summary [window] [voice] [call], and a deleted channel's settings and marker forgotten."""

    def __init__(
        self,
        summaries: SummaryService,
        *,
        calls: PastCalls,
        forgetting: Forgetting,
        bot: AnyBot | None = None,
    ) -> None:
        self.summaries = summaries
        self.calls = calls
        self.forgetting = forgetting
        self.bot = bot  # for the sweep of channels deleted while no voicebridge ran
        self._swept = False

    @server_only  # it reads the channel's history, which takes the bot in the server
    @app_commands.command(
        description="Summary of this channel's recent messages", extras=answers(PUBLIC)
    )
    @app_commands.describe(
        window="2h, 3d or 200 (messages); default: since the last summary, or the last 24 h",
        voice="Also send the summary as a voice message",
        call="True: the last call I listened to in this voice channel, with who said what",
    )
    async def summary(
        self,
        interaction: Interaction,
        window: str | None = None,
        voice: bool = False,
        call: bool = False,
    ) -> None:
        """/summary [window] [voice] [call]: a summary of the channel's messages in the window,
        or of its last call, for a member who may read them."""
        require_history(interaction)
        if call:
            await self._call_summary(interaction)
            return
        place, request = channel_of(_channel_id(interaction)), answer_of(interaction)
        messages = await self._read(interaction, place, _window(window))
        # The channel keeps its own marker, and speaks and counts as its server (the request's).
        summary = await self.summaries.summarise_messages(
            request, messages, voice=voice, place=place
        )
        posts = request.chat_locale  # the channel reads it
        await send_long(
            followup_of(interaction),
            summary_text(summary, posts),
            file_caption=text("summary.file_caption", posts),
            file_name="summary.txt",
        )
        if summary.voice is not None:
            await send_voice_message(interaction, summary.voice)

    async def _call_summary(self, interaction: Interaction) -> None:
        """The gist of the channel's last call, and its transcript with speakers."""
        assert interaction.guild_id is not None  # server_only
        posts = answer_of(interaction).chat_locale  # the channel reads it
        gist = await self.calls.summary(
            place_of(guild_id=interaction.guild_id),
            str(_channel_id(interaction)),
            language=posts,
            asker=asker_of(interaction),
        )
        await send_gist(followup_of(interaction), gist, posts)

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        """A deleted channel's own settings and summary marker go with it: later, nothing would
        tie them to their server, and `/forget` there could not find them."""
        await self._forget_channel(channel.id)

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        await self._forget_channel(payload.thread_id)

    async def _forget_channel(self, channel_id: int) -> None:
        await self.forgetting.forget_places([channel_of(channel_id)])
        logger.info("forgot deleted channel %s", channel_id)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Once a process is connected: a channel deleted while no voicebridge ran sent its
        deletion to nobody, so each stored channel that this process does not see is asked
        of Discord, and one Discord no longer knows (10003) takes its rows with it. One process
        does it: the one with shard 0, as with the commands' registration."""
        shards = getattr(self.bot, "shard_ids", None)
        if self.bot is None or self._swept or (shards is not None and 0 not in shards):
            return
        self._swept = True
        stored = await self.forgetting.stored_places("discord", "channel:")
        gone = [place for place in stored if await self._vanished(place.chat_id)]
        if gone:
            await self.forgetting.forget_places(gone)
            logger.info("forgot %d channel(s) deleted while no voicebridge ran", len(gone))

    async def _vanished(self, chat_id: str) -> bool:
        channel_id = chat_id.removeprefix("channel:")
        if self.bot is None or not channel_id.isdigit() or self.bot.get_channel(int(channel_id)):
            return False
        try:
            await self.bot.fetch_channel(int(channel_id))
        except discord.NotFound:
            return True
        except discord.HTTPException:
            return False  # no access, or Discord's bad minute: nothing is deleted on a guess
        return False

    async def _read(
        self, interaction: Interaction, place: ChatRef, window: Window
    ) -> list[ChatMessage]:
        """The channel's messages in `window`, oldest first."""
        channel = interaction.channel
        if not isinstance(channel, discord.abc.Messageable):
            return []
        state = await self.summaries.state(place)
        after, count = window_bounds(window, state.last_summary_at, self.summaries.clock.now())
        found: list[ChatMessage] = []
        async for message in channel.history(limit=min(count or MAX_HISTORY, MAX_HISTORY)):
            if after is not None and message.created_at <= after:
                break
            said = chat_message(place, message)
            if said is not None:
                found.append(said)
        return found[::-1]


def chat_message(place: ChatRef, message: discord.Message) -> ChatMessage | None:
    """What a person said in `message`, for a summary; None for bots and system messages."""
    if message.author.bot or message.type not in _SAID:
        return None
    words = message.content.strip()
    if any(is_recording(a) for a in message.attachments):
        words = f"{words} {VOICE_MARK}".strip()
    if not words:
        return None
    return ChatMessage(
        chat=place,
        message_id=str(message.id),
        author=message.author.display_name,
        sent_at=message.created_at,
        text=words,
        place=str(message.channel.id),  # where its deletion is told, until the summary leaves
    )


def _window(word: str | None) -> Window:
    return parse_window(word) if word and word.strip() else SinceLastSummary()


def _channel_id(interaction: Interaction) -> int:
    assert interaction.channel_id is not None  # application commands always run in a channel
    return interaction.channel_id
