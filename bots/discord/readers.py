"""Every server's reading (`bots.discord.reader.Reader`) in this process: started by
`/read_channel`, fed by the messages of the channel it reads, told of voice states (who left,
the bot moved or disconnected), skipped and stopped.

Before it joins, the permissions it needs are checked, each named in one line when missing: the
bot's Connect and Speak in the voice channel, View Channel and Read Message History in the text
channel, and the member's own View Channel and Read Message History there (nobody has a channel
read aloud that they may not read themselves).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import discord

from bots.discord.messages import text
from bots.discord.permissions import BOT_IN_VOICE, READING_TEXT, first_missing
from bots.discord.playback import VoiceClientClass
from bots.discord.reader import (
    READ_MESSAGE_TYPES,
    Place,
    Reader,
    ReaderPolicy,
    TextChannel,
    connect,
)
from core.app.reading import ChannelReader
from core.domain.reading import HeardMessage
from core.ports import ProcessSlots

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Start:
    """What `/read_channel` asks: `member` wants `text_channel` (None: their voice channel's
    own chat) read aloud where they sit; lines in `locale`, the server's posts in
    `server_locale`."""

    member: discord.Member
    text_channel: TextChannel | None
    locale: str
    server_locale: str
    platform_locale: str | None


class Readers:
    """The readings of this process, one per server; `client` None: voice is not installed."""

    def __init__(
        self,
        client: VoiceClientClass | None,
        *,
        reader: ChannelReader,
        policy: ReaderPolicy,
        processes: ProcessSlots,
    ) -> None:
        self.client = client
        self._reader = reader
        self._policy = policy
        self._processes = processes
        self._readings: dict[int, Reader] = {}
        self._joining: set[int] = set()  # taken before the first await: one start at a time

    def of(self, guild_id: int) -> Reader | None:
        reading = self._readings.get(guild_id)
        return None if reading is None or reading.ended.is_set() else reading

    async def start(self, asked: Start) -> str:
        """Join the member's voice channel and read the text channel there; what to tell them."""
        state = asked.member.voice
        channel = state.channel if state is not None else None
        if self.client is None:
            return text("discord.voice.unavailable", asked.locale)
        if not isinstance(channel, discord.VoiceChannel):
            key = "discord.reader.join_first" if channel is None else "discord.reader.no_stage"
            return text(key, asked.locale)
        chosen = asked.text_channel or channel
        refusal = missing_permission(channel, chosen, asked.member, asked.locale)
        if refusal is not None:
            return refusal
        guild = channel.guild
        current = self.of(guild.id)
        own_chat = chosen.id == channel.id
        if current is not None and current.place.voice_channel.id == channel.id:
            current.read_from(chosen, own_chat=own_chat)
            return _reading_line(chosen, channel, asked.locale)
        if current is not None or guild.id in self._joining or guild.voice_client is not None:
            return text("discord.voice.busy", asked.locale)
        place = Place(channel, chosen, own_chat, asked.server_locale, asked.platform_locale)
        return await self._join(place, asked.locale)

    async def _join(self, place: Place, locale: str) -> str:
        assert self.client is not None
        guild = place.voice_channel.guild
        self._joining.add(guild.id)
        try:
            voice = await connect(place.voice_channel, self.client)
        except (TimeoutError, discord.DiscordException, OSError):
            logger.warning("joining voice channel %s failed", place.voice_channel.id, exc_info=True)
            channel = place.voice_channel.mention
            return text("discord.voice.failed_to_join", locale, channel=channel)
        finally:
            self._joining.discard(guild.id)
        reading = Reader(voice=voice, place=place, reader=self._reader, policy=self._policy,
                         processes=self._processes)  # fmt: skip
        self._readings[guild.id] = reading
        reading.start()
        logger.info("reading a channel aloud in server %s", guild.id)
        return _reading_line(place.text_channel, place.voice_channel, locale)

    def heard(self, message: discord.Message) -> None:
        """A message arrived: read in its turn where it is in the channel a reading reads. The
        bot's own lines never are, nor are Discord's notices (joins, pins)."""
        guild = message.guild
        reading = None if guild is None else self.of(guild.id)
        if reading is None or reading.place.text_channel.id != message.channel.id:
            return
        if message.type not in READ_MESSAGE_TYPES or message.author == reading.guild.me:
            return
        reading.heard(heard_message(message))

    async def voice_state_changed(self, member: discord.Member, after: discord.VoiceState) -> None:
        """Someone joined, left or moved, perhaps the bot itself."""
        reading = self.of(member.guild.id)
        if reading is None:
            return
        if member != member.guild.me:
            await reading.leave_if_alone()
        elif not isinstance(after.channel, discord.VoiceChannel):
            # Disconnected by a moderator, which is final, or moved to a stage, where a bot
            # speaks only once a moderator lets it: the reading ends either way.
            logger.info("disconnected from voice in server %s", member.guild.id)
            await reading.stop()
        elif after.channel.id != reading.place.voice_channel.id:
            reading.moved(after.channel)

    async def stop(self, guild_id: int) -> bool:
        """End the server's reading; False when there is none."""
        reading = self.of(guild_id)
        if reading is None:
            return False
        await reading.stop()
        return True

    async def close(self) -> None:
        """The bot is stopping: every reading ends and leaves its voice channel."""
        for guild_id in list(self._readings):
            await self.stop(guild_id)


def missing_permission(
    voice: discord.VoiceChannel, chosen: TextChannel, member: discord.Member, locale: str
) -> str | None:
    """The line naming the first permission missing for a reading, or None when all are there."""
    me = voice.guild.me
    checks = [
        ("discord.bot_needs", voice, me, BOT_IN_VOICE),
        ("discord.bot_needs", chosen, me, READING_TEXT),
        ("discord.reader.you_need", chosen, member, READING_TEXT),
    ]
    return first_missing(checks, locale)


def heard_message(message: discord.Message) -> HeardMessage:
    """What the reader needs of a Discord message."""
    return HeardMessage(
        id=str(message.id),
        author_id=str(message.author.id),
        author_name=message.author.display_name,
        text=message.content,
        at=message.created_at,
        names=_mentioned(message),
        attachments=len(message.attachments),
        bot=message.author.bot,
        webhook=message.webhook_id is not None,
    )


def _mentioned(message: discord.Message) -> dict[str, str]:
    """The names of the people, roles and channels `message` mentions, by id."""
    names = {str(user.id): user.display_name for user in message.mentions}
    names |= {str(role.id): role.name for role in message.role_mentions}
    guild = message.guild
    for channel_id in message.raw_channel_mentions:
        channel = None if guild is None else guild.get_channel(channel_id)
        if channel is not None:
            names[str(channel_id)] = channel.name
    return names


def _reading_line(chosen: TextChannel, voice: discord.VoiceChannel, locale: str) -> str:
    if chosen.id == voice.id:
        return text("discord.reader.started_own_chat", locale, voice=voice.mention)
    return text("discord.reader.started", locale, channel=chosen.mention, voice=voice.mention)
