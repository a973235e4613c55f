"""The channel reader: a text channel read aloud in a voice channel, each member in their own
voice. The platform's adapter hands over what happens (a command, a message, someone joining
or leaving, a permission changed) and implements the voice channels (`core.ports.
VoiceChannels`); everything decided is decided here.

    start    `/read_channel`: the member joins a reading to their voice channel, of the text
             channel they name (else the voice channel's own chat), or switches the server's
             reading there to it. They must be allowed to speak in the voice channel (Speak, not
             muted by a moderator, not timed out), and everyone listening (other bots there
             too) must be allowed to read the text channel (an age-restricted one only into an
             age-restricted voice channel): otherwise nothing is joined, and one line says why,
             naming the channel. Switching takes the same rights, and makes its member the
             reading's starter.
    skip     `/skip`, `/stop`: by the reading's starter, by anyone allowed to move members out
    stop     of the voice channel, or by anyone once the starter has left it (the rule of
             every occupant of the call, `core.app.voice_calls.seats.may_stop`)
    posted   a message of the channel a reading reads (`core.app.channel_reader.reading_session`
             reads it in order, while everyone listening may hear it)
    edited   a message of it edited (read as it stands when it comes up), or deleted (never read)
    deleted
    taken back  told by the use case that stored it, whichever way it came in
             (`core.app.channel_reader.taken_back_relay`): a member said no to being read
             (`/read_me`): nothing of theirs plays from then on; a member no longer lets their own
             cloned voice read them (`/myvoice own_voice`): nothing of theirs is played in it from
             then on, read in a model's voice instead; one of the server's own voices was deleted
             (`/delete_voice`), or all of them (`/forget`): the same, for every clip in it
    changed  someone joined, left or moved, or a role or a channel's permissions changed: the
             server's reading looks again at who listens
    restart  a reading outlives its process (`core.app.channel_reader.reading_resumption` keeps
             it, and its place: the last message taken up to be read). `close` (the bot stops
             for a deploy) lets it go without deleting it; a crash leaves it as it was.
             `resume`, once the platform shows this process the server, starts it again through
             `start`, then reads the messages posted after its place
             (`reading_resumption.missed`, oldest first, those arriving meanwhile after them),
             then new ones as they come: none is read twice, and one cut as it played is not
             read again. One whose voice channel emptied meanwhile, or away longer than
             `resume_within`, or that may not start again (the allowlist read again too,
             `VoiceChannels.served`), is ended, said once in the voice channel's chat
             (`core.app.channel_reader.reading_resumption`). `end_on_stop`
             (CALLS_END_ON_STOP): a stop for good ends every reading instead. Every other end
             deletes what was kept

One reading per server (a bot has one voice connection in a server), held by this process: the
voice connection lives on the gateway session of the server's shard, which is this process's.
Its call is joined and let go through `core.app.voice_calls.seats`, where a listening may share
it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from core.app.channel_reader.message_speech import MessageSpeech
from core.app.channel_reader.reading_resumption import (
    KeptReadings,
    back_line,
    caught_up,
    ended_line,
    missed,
    refused,
)
from core.app.channel_reader.reading_session import Reading
from core.app.listening.kept_calls import ALIVE_SECONDS
from core.app.voice_calls.restart_recovery import RESUME_WITHIN, take_up
from core.app.voice_calls.seats import Occupant, VoiceCalls, may_stop
from core.domain import errors
from core.domain.channel_reader.reader_rules import ChannelMessage, ReaderPolicy, Reads, TakenBack
from core.domain.channel_reader.reading_audience_rules import Channel, Suspension, suspension
from core.domain.listening.kept_call_values import KeptReading
from core.domain.memory.write_mandates import Mandate
from core.domain.shared_values import ChatRef
from core.ports import NO_METRICS, Metrics, VoiceChannels, background_tasks

logger = logging.getLogger(__name__)

__all__ = ["ChannelReader", "ReadingAsked", "Started"]


@dataclass(frozen=True)
class ReadingAsked:
    """`/read_channel`: `member_id` wants `text_id` (None: their voice channel's own chat) read
    aloud in the voice channel they sit in, `voice_id`; lines posted in the server's `locale`,
    words said for what cannot be read in the server's own language (`platform_locale`)."""

    server: ChatRef
    member_id: str
    voice_id: str
    text_id: str | None
    locale: str
    platform_locale: str | None


@dataclass(frozen=True)
class Started:
    """A reading started, or switched (`switched`), reading `text` in `voice`."""

    text: Channel
    voice: Channel
    switched: bool = False

    @property
    def own_chat(self) -> bool:
        return self.text.id == self.voice.id


class ChannelReader:
    """The channel reader's use cases (see the module docstring)."""

    def __init__(
        self,
        *,
        channels: VoiceChannels,
        calls: VoiceCalls,
        speech: MessageSpeech,
        policy: ReaderPolicy,
        metrics: Metrics = NO_METRICS,
        kept: KeptReadings | None = None,
        resume_within: timedelta = RESUME_WITHIN,
        end_on_stop: bool = False,
    ) -> None:
        self._kept, self.resume_within, self.end_on_stop = kept, resume_within, end_on_stop
        self._kept_away: set[Reading] = set()  # let go for a restart: kept, not deleted
        # What arrived as a reading resumed, by channel: read after what it missed.
        self._catching_up: dict[ChatRef, list[tuple[str, ChannelMessage]]] = {}
        self._channels = channels
        self._voice_calls = calls
        self._speech = speech
        self._policy = policy
        self._metrics = metrics
        self._readings: dict[ChatRef, Reading] = {}
        self._joining: set[ChatRef] = set()  # taken before the first await: one start at a time

    def reading_in(self, server: ChatRef) -> Reading | None:
        reading = self._readings.get(server)
        return None if reading is None or reading.over else reading

    async def start(self, asked: ReadingAsked, *, taken_up: KeptReading | None = None) -> Started:
        """Start (or switch) the server's reading as `asked`, or refuse (module docstring);
        `taken_up`: the reading kept through a restart, going on from its place. Raises
        `errors.ReadingElsewhere` while the server's reading runs, or starts, in another voice
        channel."""
        server, voice_id = asked.server, asked.voice_id
        text_id = asked.text_id or voice_id
        voice = self._known(server, voice_id)
        text_channel = self._known(server, text_id)
        self._may_start(asked.member_id, server, text_channel, voice)
        # Read before anything is joined: a /forget from now on, in any process, keeps the
        # reading for a restart no more (`core.app.channel_reader.reading_resumption`), though it
        # goes on.
        mandate = await self._mandate(server, taken_up)
        reads = Reads(text_id, text_id == voice_id, asked.member_id, asked.locale,
                      asked.platform_locale, mandate)  # fmt: skip
        ending = self._readings.get(server)
        if ending is not None and ending.over:
            await ending.ended.wait()  # its call left first: the platform has one per server
        current = self.reading_in(server)
        if current is not None and current.voice_id == voice_id:
            current.read_from(
                text_id, own_chat=reads.own_chat, starter_id=asked.member_id, mandate=mandate
            )
            await self._keep(current)  # read from now on, in the new channel
            return Started(text_channel, voice, switched=True)
        if current is not None or server in self._joining:
            raise errors.ReadingElsewhere()
        self._joining.add(server)
        try:
            call = await self._voice_calls.join(server, voice_id, Occupant.READING)
        finally:
            self._joining.discard(server)
        reading = Reading(
            server=server, call=call, channels=self._channels, speech=self._speech, reads=reads,
            policy=self._policy, metrics=self._metrics, on_next_up=self._next_up(server),
        )  # fmt: skip
        self._readings[server] = reading
        await self._keep(reading, taken_up)
        reading.start()
        background_tasks.start(self._while_reading(reading), name="reading kept")
        logger.info("reading a channel aloud in %s", server)
        return Started(text_channel, voice)

    def posted(self, server: ChatRef, channel_id: str, message: ChannelMessage) -> None:
        """A message arrived in `channel_id`: read in order where a reading reads it."""
        if (missed := self._catching_up.get(server)) is not None:
            missed.append((channel_id, message))  # read after those posted while the bot was away
            return
        reading = self.reading_in(server)
        if reading is not None and reading.reads.text_id == channel_id:
            reading.posted(message)

    def edited(self, server: ChatRef, channel_id: str, message: ChannelMessage) -> None:
        """A message of `channel_id` was edited: where it waits to be read, it is read as
        edited."""
        reading = self.reading_in(server)
        if reading is not None and reading.reads.text_id == channel_id:
            reading.edited(message)

    def deleted(self, server: ChatRef, channel_id: str, message_id: str) -> None:
        """A message of `channel_id` was deleted: where it waits to be read, it is not read
        (cut, if it is being read)."""
        reading = self.reading_in(server)
        if reading is not None and reading.reads.text_id == channel_id:
            reading.deleted(message_id)

    def taken_back(self, taken: TakenBack) -> None:
        """Something taken back in a server, stored (`core.app.channel_reader.taken_back_relay`): in
        its reading, a member's no to being read lets go of everything of theirs (the clip playing
        cut, those made or waiting never played); their own voice taken back, or a voice of the
        server's deleted, is played no more (the clip playing in it cut and made again in a model's
        voice, those made ahead made again as they come up)."""
        reading = self.reading_in(taken.server)
        if reading is None:
            return
        if taken.what == "read" and taken.member is not None:
            reading.refused(taken.member)
        elif taken.what == "own voice" and taken.member is not None:
            reading.unvoiced(taken.member)
        elif taken.what == "voice":
            reading.voice_gone(taken.voice)

    def changed(self, server: ChatRef) -> None:
        """Someone joined, left or moved in the server's voice channels, or a member's roles,
        a role or a channel changed: its reading looks again at who listens."""
        reading = self.reading_in(server)
        if reading is not None:
            reading.check()

    async def moved(self, server: ChatRef, voice_id: str | None) -> None:
        """The bot was moved to `voice_id` by a moderator (it reads on there), or taken out of
        voice (None: a disconnect is final, and the reading ends)."""
        reading = self.reading_in(server)
        if reading is None:
            return
        if voice_id is None:
            logger.info("disconnected from voice in %s", server)
            await reading.stop()
        else:
            reading.moved(voice_id)
            await self._keep(reading)

    async def skip(self, server: ChatRef, member_id: str) -> bool:
        """Skip the message being read; False when none is."""
        return self._stoppable_by(server, member_id).skip()

    async def stop(self, server: ChatRef, member_id: str) -> Channel:
        """End the server's reading; the voice channel it left."""
        reading = self._stoppable_by(server, member_id)
        voice = self._known(server, reading.voice_id)
        await reading.stop()
        return voice

    async def close(self) -> None:
        """The bot is stopping: every reading leaves its voice channel, kept for the next
        start to take up (module docstring); with `end_on_stop`, it ends."""
        for reading in list(self._readings.values()):
            kept_away = not self.end_on_stop and not reading.over
            if kept_away:
                self._kept_away.add(reading)
            await reading.stop()
            if self._kept is not None:  # here, not left to its watch, which a stop cuts short
                await (self._kept.alive if kept_away else self._kept.gone)(reading.server)

    async def resume(self, server: ChatRef) -> bool:
        """Take up the reading kept in `server` through a restart, or end it (module
        docstring); False when there was none, or it ended."""
        if self._kept is None:
            return False
        kept = await self._kept.find(server)
        if kept is None or self.reading_in(server) is not None:
            return False
        self._catching_up[server] = []
        taken: list[tuple[Started, timedelta]] = []

        async def start(kept: KeptReading, away: timedelta) -> None:
            asked = ReadingAsked(
                server, kept.starter, kept.voice_id, None if kept.own_chat else kept.text_id,
                kept.locale, kept.platform_locale,
            )  # fmt: skip
            taken.append((await self.start(asked, taken_up=kept), away))

        now = self._kept.clock.now()
        if not await take_up(kept, now=now, ready=self._ready, start=start, ended=self._ended):
            return False
        [(started, away)] = taken
        logger.info("taking up the reading in %s, away %s", server, away)
        await self._catch_up(kept, started, away)
        return True

    async def _ready(self, kept: KeptReading, away: timedelta) -> Exception | None:
        """Why the reading kept may not be taken up (`take_up`), or None."""
        return refused(self._channels, kept, away, within=self.resume_within)

    async def _ended(self, kept: KeptReading, away: timedelta, why: Exception, _: bool) -> None:
        """A kept reading not taken up, or whose start failed: ended, said once in the voice
        channel's chat."""
        logger.info("the reading kept in %s ends: %s", kept.server, why)
        self._catching_up.pop(kept.server, None)
        if self._kept is not None:
            await self._kept.gone(kept.server)
        await self._channels.post(kept.server, kept.voice_id, ended_line(kept, away, why))

    async def _catch_up(self, kept: KeptReading, started: Started, away: timedelta) -> None:
        """Read what was posted after `kept`'s place, then what arrived as it resumed."""
        server = kept.server
        try:
            posted = await missed(self._channels, kept)
        except Exception:
            logger.warning("could not read what was posted in %s meanwhile", server,
                           exc_info=True)  # fmt: skip
            posted = []
        arrived = self._catching_up.pop(server, [])
        reading = self.reading_in(server)
        if reading is None:
            return
        await reading.call.post(back_line(kept, started.text, started.voice, away))
        for message in caught_up(kept, posted, arrived):
            reading.posted(message)

    def _next_up(self, server: ChatRef) -> Callable[[str], Awaitable[None]]:
        """What a reading in `server` does as a message comes up: its place kept."""

        async def next_up(message_id: str) -> None:
            if self._kept is not None:
                await self._kept.read(server, message_id)

        return next_up

    async def _keep(self, reading: Reading, taken_up: KeptReading | None = None) -> None:
        """Keep `reading` as it now is: read from now on, or from `taken_up`'s place."""
        if self._kept is None:
            return
        now = self._kept.clock.now()
        reads = reading.reads
        await self._kept.keep(KeptReading(
            reading.server, reading.voice_id, reads.text_id, reads.own_chat, reads.starter_id,
            reads.locale, reads.platform_locale, now if taken_up is None else taken_up.started_at,
            now, last_read=None if taken_up is None else taken_up.last_read,
            mandate=reads.mandate,
        ))  # fmt: skip

    async def _mandate(self, server: ChatRef, taken_up: KeptReading | None) -> Mandate | None:
        """What a reading starting now in `server` is kept under: the mandate it was found with
        once taken up after a restart, else the server's as it is asked for."""
        if taken_up is not None:
            return taken_up.mandate
        return None if self._kept is None else await self._kept.mandate(server)

    async def _while_reading(self, reading: Reading) -> None:
        """Say the reading is alive while it runs; once it ends, let go of what was kept
        (unless it was let go for a restart)."""
        while not reading.ended.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(ALIVE_SECONDS):
                    await reading.ended.wait()
            if not reading.ended.is_set() and self._kept is not None:
                await self._kept.alive(reading.server)
        started_since = self._readings.get(reading.server) is not reading
        if reading not in self._kept_away and self._kept is not None and not started_since:
            await self._kept.gone(reading.server)

    def _may_start(self, member: str, server: ChatRef, text: Channel, voice: Channel) -> None:
        """Refuse a start (or a switch) that the member or the listeners do not allow."""
        channels = self._channels
        if not channels.may_speak(server, voice.id, member):
            raise errors.MayNotSpeakThere(voice=voice.mention)
        listeners = channels.listeners(server, voice.id, about=text.id)
        suspended = suspension(text, voice, listeners)
        if suspended is Suspension.AGE_RESTRICTED:
            raise errors.AgeRestricted(channel=text.mention, voice=voice.mention)
        if suspended is Suspension.LISTENER:
            raise errors.ListenerMayNotRead(channel=text.mention, voice=voice.mention)

    def _stoppable_by(self, server: ChatRef, member: str) -> Reading:
        """The server's reading, where `member` may skip or stop it."""
        reading = self.reading_in(server)
        if reading is None:
            raise errors.NotReading()
        voice_id, starter = reading.voice_id, reading.reads.starter_id
        moderator = self._channels.moves_members(server, voice_id, member)
        present = self._channels.sits_in(server, starter) == voice_id
        if not may_stop(member, starter=starter, starter_present=present, moderator=moderator):
            raise errors.NotYourReading()
        return reading

    def _known(self, server: ChatRef, channel_id: str) -> Channel:
        channel = self._channels.channel(server, channel_id)
        if channel is None:
            raise errors.NotReading(f"channel {channel_id} is not known")
        return channel
