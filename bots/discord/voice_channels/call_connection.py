"""Discord's voice channels as a server's voice call needs them (`core.ports.VoiceChannels`):
the channels and who sits in them, what each member may do there as discord.py computes it from
its cache (roles, overwrites, timeouts: kept current by the gateway's member, role and channel
updates), and the bot's voice connection in a server (`DiscordVoiceCall`). A call is held in a
voice channel, never on a stage (`join`; the bot moved onto one, its reading ends: `voice_id_of`).

What holds the call (a reading, a listening, both), when it is joined deafened, undeafened,
deafened again or left is decided in the core (`core.app.voice_calls.seats`); this does it. Every
call is joined with the voice client that can listen, where the voice extras are installed, so
that the other occupant can come along.

Members are cached only while they sit in voice
(`bots.discord.application.bot_intents.member_cache`); a message's author or a command's member may
sit nowhere, so the members seen last are kept here too (`saw`), at most `KEPT_MEMBERS`, each as
Discord last sent them. Without the Server Members intent Discord sends no member's update, and a
member's roles and timeout are as they were when they joined voice: the channel reader asks Discord
for those in its voice channel as each message is posted (`as_they_are`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from datetime import datetime

import discord

from bots.discord.discordpy_internals import keep_member
from bots.discord.place_access import place_of
from bots.discord.voice_channels.clip_audio_source import ClipAudio, PcmPipe, streamed_clip
from bots.discord.voice_channels.reader_messages import channel_message, read_aloud
from bots.discord.voice_channels.speech_playback import VoiceClientClass, play_clip, play_speech
from core.domain import errors
from core.domain.channel_reader.reader_rules import ChannelMessage
from core.domain.channel_reader.reading_audience_rules import Channel, Listener
from core.domain.shared_values import ChatRef, VoiceNote
from core.ports import Clip, ProcessSlots

logger = logging.getLogger(__name__)

__all__ = ["DiscordVoiceCall", "DiscordVoiceChannels", "Readable", "server_of", "voice_id_of"]

Admits = Callable[[int, int, int], bool]
"""The allowlist's answer for work a member (the last id) asks for in a channel (the second) of
a server (the first): `bots.discord.commands.discord_allowlist.admits`, the check every command
passes."""

KEPT_MEMBERS = 1024
# How long joining a voice channel (to speak or to listen), or undeafening in it, may take
# before it is given up, in seconds.
CONNECT_TIMEOUT = 20.0
Readable = discord.TextChannel | discord.VoiceChannel  # a voice channel has a chat too


def server_of(guild: discord.Guild) -> ChatRef:
    """The server as the core knows it (its preferences' key)."""
    return place_of(guild_id=guild.id)


def voice_id_of(channel: discord.abc.Connectable | None) -> str | None:
    """Where the bot sits now (`channel`, from its voice state), as a reading goes on there: a
    voice channel, by id. None for no channel, or a stage, where a bot speaks only once a
    moderator lets it: a reading moved there ends."""
    return str(channel.id) if isinstance(channel, discord.VoiceChannel) else None


async def deafen(voice: discord.VoiceClient, *, deaf: bool) -> None:
    """The bot's own deafen in its call (opcode 4 for the channel it is in)."""
    if voice.guild.voice_client is not voice or not voice.is_connected():
        return
    try:
        await voice.guild.change_voice_state(channel=voice.channel, self_deaf=deaf)
    except (discord.DiscordException, OSError):
        logger.warning("could not change deafen in %s", voice.channel.id, exc_info=True)


def listening_client(fallback: VoiceClientClass) -> VoiceClientClass:
    """The voice client that can listen, else `fallback`."""
    return _listening_class() or fallback


def _listening_class() -> VoiceClientClass | None:
    """The voice extras' `ListeningVoiceClient` (None: they are not all installed)."""
    try:
        from bots.discord.voice_channels.receive import ListeningVoiceClient
    except ImportError:
        return None
    return ListeningVoiceClient


class DiscordVoiceCall:
    """The bot's voice connection in one server (`core.ports.VoiceCall`), as the reading has
    it. Each clip's ffmpeg holds one of the process's FFMPEG_MAX_PROCESSES slots while it
    plays."""

    def __init__(
        self, voice: discord.VoiceClient, *, processes: ProcessSlots, client: discord.Client
    ) -> None:
        self._voice = voice
        self._processes = processes
        self._client = client
        self._skipped = False
        self._in_play = False
        self._fed: PcmPipe | None = None  # the input of the clip playing speech as it comes

    @property
    def voice_id(self) -> str:
        return str(self._voice.channel.id)

    @property
    def voice(self) -> discord.VoiceClient:
        """discord.py's voice client (the listening's receiver reads its socket)."""
        return self._voice

    @property
    def live(self) -> bool:
        return self._voice.guild.voice_client is self._voice

    @property
    def can_listen(self) -> bool:
        listens = _listening_class()
        return listens is not None and isinstance(self._voice, listens)

    async def deafen(self, deaf: bool) -> None:
        if deaf:
            await deafen(self._voice, deaf=True)
            return
        try:
            await self._undeafen()
        except (TimeoutError, discord.DiscordException, OSError) as exc:
            logger.warning("undeafening in %s failed", self.voice_id, exc_info=True)
            raise errors.CouldNotJoin(str(exc), channel=f"<#{self.voice_id}>") from exc

    async def _undeafen(self) -> None:
        """Undeafen, once Discord says so: from then on the bot is sent the members' voices."""
        guild, channel = self._voice.guild, self._voice.channel

        def undeafened(member: discord.Member, _: object, after: discord.VoiceState) -> bool:
            return member == guild.me and after.channel == channel and not after.self_deaf

        told = self._client.wait_for("voice_state_update", check=undeafened)
        await guild.change_voice_state(channel=channel, self_deaf=False)
        await asyncio.wait_for(told, CONNECT_TIMEOUT)

    async def play(self, note: Clip, *, wanted: Callable[[], bool] | None = None) -> bool:
        self._skipped, self._in_play = False, True

        def called_off() -> bool:  # just before the first frame: a clip not wanted is skipped
            self._skipped = self._skipped or (wanted is not None and not wanted())
            return self._skipped

        try:
            async with self._processes.slot():
                ffmpeg = self._processes.executable
                if isinstance(note, VoiceNote):
                    clip = ClipAudio(note.data, ffmpeg=ffmpeg)
                    playing = play_clip(self._voice, clip, note.duration, called_off=called_off)
                else:  # speech as it is made, from its first slice
                    clip = streamed_clip(note.rate, ffmpeg=ffmpeg)
                    self._fed = clip.pipe
                    playing = play_speech(self._voice, clip, note, called_off=called_off)
                try:
                    whole = await playing
                except TimeoutError:
                    whole = False
                except discord.ClientException as exc:  # not connected (being moved)
                    logger.warning("a clip in %s not played: %s", self.voice_id, exc)
                    clip.cleanup()
                    whole = False
        finally:
            self._in_play, self._fed = False, None
        return whole or self._skipped

    def skip(self) -> bool:
        """The clip playing stops; one about to play (waiting for an ffmpeg slot, or for the
        call's end-to-end encryption) never starts: a reading that holds as someone comes in
        plays them nothing."""
        if not self._in_play:
            return False
        self._skipped = True
        if self._voice.is_playing():
            self._voice.stop()
        if self._fed is not None:
            # discord.py's player sees the stop between two frames; waiting for MiMo's next
            # slice, it waits in ffmpeg's output and would not: the input ends here, at once.
            self._fed.end()
        return True

    async def post(self, line: str) -> None:
        channel = self._voice.channel
        if not isinstance(channel, discord.VoiceChannel):
            return
        try:
            await channel.send(line)
        except discord.HTTPException:
            logger.warning("could not post in voice channel %s", channel.id)

    async def leave(self) -> None:
        if self.live:  # not disconnected for good already
            await self._voice.disconnect(force=True)


class DiscordVoiceChannels:
    """The servers of `bot` (`core.ports.VoiceChannels`); `client` None: the voice libraries are
    missing, and nothing can be joined."""

    def __init__(
        self, bot: discord.Client, client: VoiceClientClass | None, *, processes: ProcessSlots,
        admits: Admits,
    ) -> None:  # fmt: skip
        self.bot = bot
        self.client = client
        self._processes, self._admits = processes, admits
        self._seen: OrderedDict[tuple[int, int], discord.Member] = OrderedDict()
        self._asking: dict[int, asyncio.Lock] = {}  # server -> one look at its members at a time

    @contextlib.asynccontextmanager
    async def as_they_are(self, guild: discord.Guild) -> AsyncIterator[bool]:
        """Within the block, those in the bot's voice channel of `guild` as Discord has them
        now; yields whether one's roles or timeout changed. With the Server Members intent the
        gateway keeps them so, and nothing is asked; without it each is asked of Discord (Get
        Guild Member, which needs no intent). The blocks of a server run one after the other,
        in the order they were entered, so that messages reach the reader in their order."""
        lock = self._asking.setdefault(guild.id, asyncio.Lock())
        async with lock:
            yield await self._ask_members(guild)

    async def _ask_members(self, guild: discord.Guild) -> bool:
        voice = guild.voice_client
        channel = getattr(voice, "channel", None)
        if self.bot.intents.members or not isinstance(channel, discord.VoiceChannel):
            return False
        changed = False
        for user_id in [u for u in channel.voice_states if u != guild.me.id]:
            known = guild.get_member(user_id)
            try:
                fresh = await guild.fetch_member(user_id)
            except discord.HTTPException as error:  # left the server meanwhile, or Discord
                logger.warning("could not ask Discord for a member in voice (%s)", error.status)
                continue
            keep_member(fresh)
            was = None if known is None else (known.roles, known.timed_out_until)
            changed |= was != (fresh.roles, fresh.timed_out_until)
        return changed

    def saw(self, member: discord.Member) -> None:
        """Keep `member` as Discord last sent them (a message's author, a command's member)."""
        key = (member.guild.id, member.id)
        self._seen[key] = member
        self._seen.move_to_end(key)
        while len(self._seen) > KEPT_MEMBERS:
            self._seen.popitem(last=False)

    def channel(self, server: ChatRef, channel_id: str) -> Channel | None:
        found = self._channel(server, channel_id)
        if found is None:
            return None
        nsfw = isinstance(found, discord.TextChannel | discord.VoiceChannel) and found.nsfw
        return Channel(str(found.id), found.name, found.mention, nsfw=nsfw)

    def listeners(self, server: ChatRef, voice_id: str, *, about: str) -> list[Listener]:
        """Everyone Discord shows in the voice channel, other bots too, but this bot. One whose
        member is not known (never so while members in voice are cached) may read nothing."""
        voice, channel = self._channel(server, voice_id), self._channel(server, about)
        if not isinstance(voice, discord.VoiceChannel | discord.StageChannel) or channel is None:
            return []
        me = self.bot.user
        listeners = []
        for user_id in voice.voice_states:
            if me is not None and user_id == me.id:
                continue
            member = voice.guild.get_member(user_id)  # as the gateway keeps it current
            if member is None:
                listeners.append(Listener(str(user_id), "", may_view=False, may_read=False))
                continue
            held = channel.permissions_for(member)
            listeners.append(Listener(
                str(member.id), member.display_name, may_view=held.view_channel,
                may_read=held.view_channel and held.read_message_history, bot=member.bot,
            ))  # fmt: skip
        return listeners

    def served(self, server: ChatRef, channel_id: str, member_id: str) -> bool:
        guild_id = int(server.chat_id.removeprefix("guild:"))
        return self._admits(guild_id, int(channel_id), int(member_id))

    def may_speak(self, server: ChatRef, voice_id: str, member_id: str) -> bool:
        voice, member = self._channel(server, voice_id), self._member(server, member_id)
        if voice is None or member is None:
            return False
        # discord.py leaves a timed-out member only View Channel and Read Message History.
        muted = member.voice is not None and member.voice.mute
        return voice.permissions_for(member).speak and not muted and not member.is_timed_out()

    def moves_members(self, server: ChatRef, voice_id: str, member_id: str) -> bool:
        voice, member = self._channel(server, voice_id), self._member(server, member_id)
        return (
            voice is not None and member is not None and voice.permissions_for(member).move_members
        )

    def sits_in(self, server: ChatRef, member_id: str) -> str | None:
        guild = self._guild(server)
        member = None if guild is None else guild.get_member(int(member_id))
        state = None if member is None else member.voice
        return None if state is None or state.channel is None else str(state.channel.id)

    def connected(self, server: ChatRef) -> bool:
        guild = self._guild(server)
        return guild is not None and guild.voice_client is not None

    async def join(self, server: ChatRef, voice_id: str, *, deaf: bool) -> DiscordVoiceCall:
        channel = self._channel(server, voice_id)
        assert self.client is not None, "the cogs refuse calls without the voice libraries"
        if not isinstance(channel, discord.VoiceChannel):
            raise errors.CouldNotJoin(f"{voice_id} is no voice channel", channel=f"<#{voice_id}>")
        try:
            voice = await channel.connect(
                cls=listening_client(self.client), timeout=CONNECT_TIMEOUT, self_deaf=deaf
            )
        except (TimeoutError, discord.DiscordException, OSError) as exc:
            logger.warning("joining voice channel %s failed", channel.id, exc_info=True)
            raise errors.CouldNotJoin(str(exc), channel=channel.mention) from exc
        return DiscordVoiceCall(voice, processes=self._processes, client=self.bot)

    async def history_after(
        self, server: ChatRef, channel_id: str, *, after: str | None, since: datetime, at_most: int
    ) -> list[ChannelMessage]:
        """The messages a reading reads (as `on_message` hands them over), posted after the
        message `after` or the time `since`, oldest first; at most `at_most` of them."""
        channel = self._channel(server, channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            return []
        start = since if after is None else discord.Object(int(after))
        missed: list[ChannelMessage] = []
        async for message in channel.history(after=start, oldest_first=True, limit=at_most):
            if read_aloud(message):
                if isinstance(message.author, discord.Member):
                    self.saw(message.author)
                missed.append(channel_message(message))
        return missed

    async def post(self, server: ChatRef, channel_id: str, line: str) -> None:
        channel = self._channel(server, channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            return
        try:
            await channel.send(line, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException:
            logger.warning("could not post in channel %s", channel_id)

    async def leave_left_behind(self, guild: discord.Guild) -> None:
        """Leave the voice channel Discord shows the bot in, where this process holds no voice
        connection: a reading of a process that died (killed, its replica lost). Members no
        longer see the bot sit there silent, and the next /read_channel starts afresh."""
        state = guild.me.voice if guild.me is not None else None
        if state is None or state.channel is None or guild.voice_client is not None:
            return
        logger.info(
            "left voice channel %s of server %s: a process that died was reading there",
            state.channel.id,
            guild.id,
        )
        try:
            await guild.change_voice_state(channel=None)
        except (discord.DiscordException, OSError):
            logger.warning("could not leave voice channel %s", state.channel.id, exc_info=True)

    def _guild(self, server: ChatRef) -> discord.Guild | None:
        with contextlib.suppress(ValueError):
            return self.bot.get_guild(int(server.chat_id.removeprefix("guild:")))
        return None

    def _channel(self, server: ChatRef, channel_id: str) -> discord.abc.GuildChannel | None:
        guild = self._guild(server)
        return None if guild is None else guild.get_channel(int(channel_id))

    def _member(self, server: ChatRef, member_id: str) -> discord.Member | None:
        guild = self._guild(server)
        if guild is None:
            return None
        return guild.get_member(int(member_id)) or self._seen.get((guild.id, int(member_id)))
