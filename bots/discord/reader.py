"""The channel reader on Discord: the bot in a voice channel reading a text channel aloud, each
message in its turn (`core.app.reading` decides what of it is said and in which voice).

One reading per server (a bot has one voice connection in a server), held by this process: the
voice connection lives on the shard's gateway session, which is this process's. Messages wait
in a bounded queue (`core.domain.reading.ReadingQueue`); the next one is made into speech while
the current one plays. The reading ends with `/stop`, when nobody but bots is left in the voice
channel, after `idle_seconds` with nothing read, when the server's daily speech quota is used up
(said in the channel; a message too long for what is left is let go, said once), or when a
moderator disconnects the bot (Discord's word is final: it does not come back by itself). Moved
to another voice channel, it goes on there; reading the voice channel's own text chat, it then
reads the new channel's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from dataclasses import dataclass

import discord

from bots.discord.clip_audio import ClipAudio
from bots.discord.error_handler import error_text
from bots.discord.messages import text
from bots.discord.places import preferences_of
from bots.discord.playback import CONNECT_TIMEOUT, VoiceClientClass, play_clip
from core.app.reading import ChannelReader, Reading
from core.domain import errors
from core.domain.reading import HeardMessage, ReadingQueue, ReadingSession
from core.domain.values import VoiceNote
from core.ports import ProcessSlots

logger = logging.getLogger(__name__)

READ_MESSAGE_TYPES = (discord.MessageType.default, discord.MessageType.reply)
TextChannel = discord.TextChannel | discord.VoiceChannel  # a voice channel has a chat too


@dataclass(frozen=True)
class ReaderPolicy:
    """DISCORD_READER_QUEUE and DISCORD_READER_IDLE_SECONDS."""

    queue: int = 10
    idle_seconds: float = 600.0


@dataclass
class Place:
    """Where a reading is: the voice channel it speaks in and the text channel it reads;
    `own_chat`: the voice channel's own text chat, which follows the bot when it is moved."""

    voice_channel: discord.VoiceChannel
    text_channel: TextChannel
    own_chat: bool
    locale: str  # of the lines it posts, and of the words it says for what it cannot read
    platform_locale: str | None  # the server's own language


class Reader:
    """One server's reading (see the module docstring)."""

    def __init__(
        self,
        *,
        voice: discord.VoiceClient,
        place: Place,
        reader: ChannelReader,
        policy: ReaderPolicy,
        processes: ProcessSlots,
    ) -> None:
        self.voice = voice
        self.place = place
        self.ended = asyncio.Event()
        self._reader = reader
        self._policy = policy
        self._processes = processes
        self._background: set[asyncio.Future[None]] = set()
        self._queue = ReadingQueue(policy.queue)
        self._session = ReadingSession()
        self._arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._told: set[str] = set()  # the refusals the channel heard once already

    @property
    def guild(self) -> discord.Guild:
        return self.place.voice_channel.guild

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"reader-{self.guild.id}")

    def heard(self, message: HeardMessage) -> None:
        """A message to read, in its turn; a full queue lets the oldest go, saying so once."""
        overflow = self._queue.push(message)
        self._arrived.set()
        if overflow is not None and overflow.tell:
            logger.info("reading queue of server %s full: oldest message dropped", self.guild.id)
            self._in_background(self._post(text("discord.reader.behind", self.place.locale)))

    def skip(self) -> bool:
        """Stop the message being read (the next one follows); False when none is."""
        if not self.voice.is_playing():
            return False
        self.voice.stop()
        return True

    async def stop(self) -> None:
        """End the reading and leave the voice channel; returns once it has. Asked again
        meanwhile (the bot's own leaving is a voice state too), it only waits."""
        if self._task is not None and not self._stopping:
            self._stopping = True
            self._task.cancel()
        await self.ended.wait()

    def moved(self, channel: discord.VoiceChannel) -> None:
        """A moderator moved the bot: it reads on there (discord.py reconnects the voice)."""
        self.place.voice_channel = channel
        if self.place.own_chat:
            self.place.text_channel = channel
        self._in_background(self.leave_if_alone())

    async def leave_if_alone(self) -> None:
        """Leave once nobody but bots listens in the voice channel."""
        if not any(not member.bot for member in self.place.voice_channel.members):
            logger.info("leaving the voice channel of server %s: nobody listens", self.guild.id)
            await self.stop()

    def read_from(self, channel: TextChannel, *, own_chat: bool) -> None:
        """Read another text channel from now on; what waited in the old one is let go."""
        self._queue.clear()
        self.place.text_channel, self.place.own_chat = channel, own_chat

    async def _run(self) -> None:
        try:
            await self._read_in_turn()
        except errors.QuotaUsed as refusal:
            await self._post(error_text(refusal, self.place.locale))
        except Exception:
            logger.exception("the reading in server %s failed", self.guild.id)
        finally:
            try:
                if self.guild.voice_client is self.voice:  # not disconnected for good already
                    await self.voice.disconnect(force=True)
            except Exception:
                logger.warning("leaving voice in server %s failed", self.guild.id, exc_info=True)
            finally:
                self.ended.set()

    async def _read_in_turn(self) -> None:
        """Each message in its turn; the next one made into speech while this one plays."""
        upcoming: asyncio.Task[Reading | None] | None = None
        try:
            while True:
                if upcoming is None:
                    message = await self._next()
                    if message is None:
                        logger.info("leaving the voice channel of server %s: idle", self.guild.id)
                        return
                    upcoming = asyncio.create_task(self._spoken(message))
                reading, upcoming = await upcoming, None
                after = self._queue.pop()
                if after is not None:
                    upcoming = asyncio.create_task(self._spoken(after))
                if reading is not None:
                    await self._play(reading.note)
        finally:
            if upcoming is not None:
                upcoming.cancel()

    async def _next(self) -> HeardMessage | None:
        """The oldest waiting message; None after `idle_seconds` with none."""
        while (message := self._queue.pop()) is None:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), self._policy.idle_seconds)
            except TimeoutError:
                return None
        return message

    async def _spoken(self, message: HeardMessage) -> Reading | None:
        """`message` made into speech, or None: not read, or MiMo failed (the reading goes on).
        The server's quota used up ends the reading (`_run`)."""
        server = preferences_of(guild_id=self.guild.id)
        try:
            return await self._reader.read(
                server, self._session, message, platform_locale=self.place.platform_locale
            )
        except (errors.SpeechQuotaShort, errors.SpeechOverQuota) as refusal:
            # Too long for what is left today: a shorter message may still fit.
            if refusal.key not in self._told:
                self._told.add(refusal.key)
                await self._post(error_text(refusal, self.place.locale))
            return None
        except errors.QuotaUsed:
            raise  # used up: the reading ends, saying why
        except errors.VoicebridgeError as refusal:
            logger.warning("a message in server %s not read: %s", self.guild.id, refusal.key)
            return None

    async def _play(self, note: VoiceNote) -> None:
        """Play one clip to its end (or `/skip`); one that cannot be played is let go. Its
        ffmpeg holds one of the process's FFMPEG_MAX_PROCESSES slots while it plays."""
        async with self._processes.slot():
            await self._play_with(note, self._processes.executable)

    async def _play_with(self, note: VoiceNote, ffmpeg: str) -> None:
        source = ClipAudio(note.data, ffmpeg=ffmpeg)
        try:
            with contextlib.suppress(TimeoutError):
                await play_clip(self.voice, source, note.duration)
        except discord.ClientException as exc:  # not connected (being moved), or still playing
            logger.warning("a message in server %s not played: %s", self.guild.id, exc)
            source.cleanup()

    async def _post(self, line: str) -> None:
        """One line in the text channel being read (it may refuse: the reading goes on)."""
        try:
            await self.place.text_channel.send(line)
        except discord.HTTPException:
            logger.warning("could not post in the channel read in server %s", self.guild.id)

    def _in_background(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)  # referenced until done: the loop holds tasks weakly
        task.add_done_callback(self._background.discard)


async def connect(channel: discord.VoiceChannel, client: VoiceClientClass) -> discord.VoiceClient:
    """Join `channel` as a listener would not hear the bot: deafened (it hears nothing)."""
    return await channel.connect(cls=client, timeout=CONNECT_TIMEOUT, self_deaf=True)
