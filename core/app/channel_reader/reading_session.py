"""One running channel reading (`core.app.channel_reader.reading_control` starts and stops it): the
messages of a text channel read aloud in a voice channel, in order, the next one made into speech
(`core.app.channel_reader.message_speech`) while the current one plays
(`core.app.channel_reader.reading_clips`): as the current one comes up, or as it arrives while that
one is read, so that its first slice is in when the clip playing ends. A clip made ahead and never
played (suspended, deleted, refused, made again, the reading stopped) is closed at once, not when it
comes up: MiMo's stream ends if it still runs (`core.app.channel_reader.reading_clips`).

Who hears it: before a message is made into speech, and again before it is played, the people
in the voice channel are asked for (`core.ports.VoiceChannels`) and the rules of
`core.domain.channel_reader.reading_audience_rules` decide. While someone there may not read the
text channel (or it is age-restricted and the voice channel is not) the reading is suspended: the
clip playing stops, the one being made is let go, the messages waiting and those arriving meanwhile
are dropped unheard (no text of theirs reaches MiMo), and the voice channel's chat hears one line
naming the channel, never what it holds. It goes on by itself once everyone there may read it again
(that listener left, or was given the permission). Everyone there counts, other bots too (a
recording bot that may not read the channel suspends it as a person would). The platform's events
(people joining, leaving, moving, their roles, the channels' permissions) each ask for a new look
(`check`).

A message is read as it stands when it comes up: deleted before then, it is never read (cut, if
it is playing); edited, it is read as edited. Its author's no (`/read_me`) counts the same way,
for every message of theirs: told at once (`refused`), the clip of theirs playing is cut and those
made or waiting are never played (checked again as each comes up); those posted after it are
never made into speech (`core.app.channel_reader.message_speech` reads the no).

A clip made ahead is made again before it plays where it may no longer play as made: the message was
edited since, a channel's name it says is no longer for everyone's ears, or its author's own
voice is no longer theirs to speak in (`unvoiced`, `voice_gone`;
`core.app.channel_reader.reading_clips`).

It ends with `/stop`, when nobody but bots is left in the voice channel, after `idle_seconds`
with nothing read, when the server's daily speech quota is used up (said in the voice channel's
chat; a message too long for what is left is let go, said once), when the channel it reads is
gone, or when the call ends for good (a moderator's disconnect is final). A message that cannot
be read is let go, and the reading goes on (`core.app.channel_reader.message_speech` says what its
chat hears).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from core.app.channel_reader.message_speech import MessageSpeech, ReadingSpeech, Spoken
from core.app.channel_reader.reading_clips import MadeAhead, Playing, in_voice, of_member
from core.chat.message_catalogue import text
from core.domain import errors
from core.domain.channel_reader.reader_rules import (
    ChannelMessage,
    ReaderPolicy,
    ReadingQueue,
    Reads,
)
from core.domain.channel_reader.reading_audience_rules import (
    Channel,
    Suspension,
    anyone_listens,
    suspension,
)
from core.domain.memory.write_mandates import Mandate
from core.domain.shared_values import ChatRef
from core.ports import Metrics, VoiceCallSeat, VoiceChannels, background_tasks

logger = logging.getLogger(__name__)

__all__ = ["Reading"]


class Reading:
    """One server's reading (see the module docstring)."""

    def __init__(
        self,
        *,
        server: ChatRef,
        call: VoiceCallSeat,
        channels: VoiceChannels,
        speech: MessageSpeech,
        reads: Reads,
        policy: ReaderPolicy,
        metrics: Metrics,
        on_next_up: Callable[[str], Awaitable[None]],
    ) -> None:
        self.server = server
        self.call = call
        self.reads = reads
        self.ended = asyncio.Event()
        self._channels, self._on_next_up = channels, on_next_up
        self._policy = policy
        self._metrics = metrics
        self._queue = ReadingQueue(policy.queue)
        self._arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # Where it reads is its speech's: the voice channel, moved with the bot (`moved`).
        self._speech = ReadingSpeech(
            server=server, call=call, channels=channels, speech=speech, reads=reads
        )
        self._ahead = MadeAhead(make=self._spoken, in_background=self._in_background)
        self._playing = Playing(
            server=server, call=call, queue=self._queue, speech=self._speech, reads=reads,
            metrics=metrics, check=self.check, make_again=self._spoken,
        )  # fmt: skip
        self._reading_one = False  # a message is being read: its clip plays, or is about to
        self._suspended: Suspension | None = None
        self._stopping = False
        self._background: set[asyncio.Future[None]] = set()

    def start(self) -> None:
        self._metrics.readings_running(+1)
        self._task = background_tasks.start(self._run(), name="reading", about=self.server.chat_id)

    @property
    def voice_id(self) -> str:
        return self._speech.voice_id

    @property
    def over(self) -> bool:
        """Ended, or ending: a stop was asked (a moderator's disconnect, say) and the call is
        being left."""
        return self._stopping or self.ended.is_set()

    def posted(self, message: ChannelMessage) -> None:
        """A message of the channel read, to read in order; dropped while the reading is
        suspended. A full queue lets the oldest go, saying so once."""
        if self.check() is not None:
            self._metrics.reading_message("withheld")
            return
        overflow = self._queue.push(message)
        self._arrived.set()
        if self._reading_one and self._ahead.message_id is None:  # made now, not once the clip
            self._make_ahead()  # playing ends
        if overflow is not None:
            self._metrics.reading_message("dropped")
            if overflow.tell:
                logger.info("reading queue of %s full: oldest message dropped", self.server)
                self._in_background(self.call.post(text("reader.behind", self.reads.locale)))

    def edited(self, message: ChannelMessage) -> None:
        """A message of the channel read was edited: read as it stands when it comes up (made into
        speech again, if it was made already)."""
        self._queue.edit(message)

    def deleted(self, message_id: str) -> None:
        """A message of the channel read was deleted: never read; cut if it is playing."""
        if self._queue.delete(message_id):
            self._let_go(message_id)

    def _let_go(self, message_id: str) -> None:
        """A message taken out of the queue: not made, or not played any further."""
        self._ahead.let_go(message_id)
        self._playing.cut(message_id)

    def refused(self, author_id: str) -> None:
        """`author_id` said no to being read (`/read_me`): what of theirs waits is never read,
        the clip of theirs being made is let go and the one playing cut, as if deleted."""
        for message_id in self._queue.refuse(author_id):
            self._let_go(message_id)

    def check(self) -> Suspension | None:
        """Look again at who listens: suspend the reading (see the module docstring), or let it
        go on; why it is suspended, if it is. Leaves once nobody but bots listens. A clip playing
        that says a channel's name someone there may not see is cut, to be made again."""
        if self.over:
            return Suspension.LISTENER  # nothing more is read either way
        text_channel, voice = self._places()
        if text_channel is None or voice is None:
            self._in_background(self.stop())
            return Suspension.LISTENER
        listeners = self._channels.listeners(self.server, voice.id, about=text_channel.id)
        if not anyone_listens(listeners):
            logger.info("out of the voice channel in %s: nobody listens", self.server)
            self._in_background(self.stop())
        suspended = suspension(text_channel, voice, listeners)
        if suspended is not None and self._suspended is None:
            self._suspend(suspended, text_channel)
        self._suspended = suspended
        playing = self._playing.clip
        if suspended is None and playing is not None and self._speech.names_unseen(playing):
            logger.info("a clip in %s cut: it names a channel someone now there may not see",
                        self.server)  # fmt: skip
            self._playing.cut_to_make_again()
        return suspended

    def skip(self) -> bool:
        """Stop the message being read (the next one follows); False when none is."""
        return self.call.skip()

    def unvoiced(self, author_id: str) -> None:
        """`author_id` no longer lets their own cloned voice read them: the clip of theirs
        playing in it is cut and made again in a voice of the model's, as are those made ahead
        as they come up (`Playing.play`)."""
        self._playing.take_back(of_member(author_id))

    def voice_gone(self, name: str | None) -> None:
        """The server's own voice `name` was deleted (None: all of them, a `/forget`): a clip
        playing in it is cut and made again in a voice of the model's, as are those made ahead
        in it as they come up (`Playing.play`)."""
        self._playing.take_back(in_voice(name))

    async def stop(self) -> None:
        """End the reading and leave the voice channel; returns once it has. Asked again
        meanwhile, it only waits."""
        if self._task is not None and not self._stopping:
            self._stopping = True
            self._task.cancel()
        await self.ended.wait()

    def read_from(
        self, text_id: str, *, own_chat: bool, starter_id: str, mandate: Mandate | None
    ) -> None:
        """Read `text_id` from now on, for `starter_id`, kept under `mandate`; where it is
        another channel, nothing more of the old one is played (`_old_channel_let_go`)."""
        if text_id != self.reads.text_id:
            self._old_channel_let_go()
        self.reads.text_id, self.reads.own_chat = text_id, own_chat
        self.reads.starter_id, self.reads.mandate = starter_id, mandate
        self._suspended = None
        self.check()

    def moved(self, voice_id: str) -> None:
        """A moderator moved the bot to the voice channel `voice_id`: it reads on there (its own
        chat too, when it read the old one's). Said by the platform's event, which the call
        itself may hear of a moment later; also for a change of the bot's voice state in the
        same channel (a server mute, say), which changes nothing here."""
        self._speech.voice_id = voice_id
        if self.reads.own_chat and voice_id != self.reads.text_id:
            self._old_channel_let_go()
            self.reads.text_id = voice_id
        self.check()

    def _old_channel_let_go(self) -> None:
        """The reading moves to another text channel: what waited in the old one, the clip
        made ahead of it and the one playing are all let go, as if deleted. Who listens is
        checked against the new channel from now on, so nothing of the old one may play
        (someone who may not read it may come in as it plays), and a deletion there is no
        longer heard of."""
        for message_id in self._queue.let_all_go():
            self._let_go(message_id)

    def _suspend(self, why: Suspension, text_channel: Channel) -> None:
        """Someone listening may not hear what is read: everything stops, one line says so."""
        logger.info("reading in %s suspended: %s", self.server, why.value)
        dropped = len(self._queue)
        self._queue.clear()
        for _ in range(dropped):
            self._metrics.reading_message("withheld")
        self._ahead.let_go()
        self.call.skip()
        age_restricted = why is Suspension.AGE_RESTRICTED
        key = "reader.suspended_age_restricted" if age_restricted else "reader.suspended"
        line = text(key, self.reads.locale, channel=text_channel.mention)
        self._in_background(self.call.post(line))

    def _places(self) -> tuple[Channel | None, Channel | None]:
        text_channel = self._channels.channel(self.server, self.reads.text_id)
        return text_channel, self._channels.channel(self.server, self._speech.voice_id)

    async def _run(self) -> None:
        try:
            await self._read_each()
        except errors.QuotaUsed as refusal:
            await self.call.post(text(refusal.key, self.reads.locale, **refusal.params))
        except Exception:
            logger.exception("the reading in %s failed", self.server)
        finally:
            try:
                await self.call.leave()
            except Exception:
                logger.warning("going out of voice in %s failed", self.server, exc_info=True)
            finally:
                self._metrics.readings_running(-1)
                self.ended.set()

    async def _read_each(self) -> None:
        """Each message in order; the next one made into speech while this one plays."""
        try:
            while True:
                if self._ahead.message_id is None:
                    message = await self._next()
                    if message is None:
                        logger.info("out of the voice channel in %s: idle", self.server)
                        return
                    self._ahead.make(message)
                made = self._ahead.message_id
                assert made is not None
                try:
                    spoken = await self._ahead.made()
                except asyncio.CancelledError:
                    if self._stopping or _cancelled_itself():
                        raise
                    # let go: someone listening may not hear it, or its author deleted it
                    gone = self._queue.latest(made) is None
                    self._metrics.reading_message("deleted" if gone else "withheld")
                    spoken = None
                self._ahead.taken()
                self._reading_one = True
                self._make_ahead()
                try:
                    await self._on_next_up(made)  # it came up: a restart reads from the next
                    if spoken is not None:
                        await self._playing.play(spoken)
                    else:
                        self._queue.done(made)
                finally:
                    self._reading_one = False
        finally:
            await self._ahead.closed()

    def _make_ahead(self) -> None:
        """Make the oldest waiting message into speech while one is being read: made as its
        reading began, or as it arrives during it, so that its first slice is in before
        the clip playing ends. It is checked again when it comes up (`Playing.play`)."""
        after = self._queue.pop()
        if after is not None:
            self._ahead.make(after)

    async def _next(self) -> ChannelMessage | None:
        """The oldest waiting message; None after `idle_seconds` with none."""
        while (message := self._queue.pop()) is None:
            self._arrived.clear()
            # asyncio.timeout, not wait_for: on Python 3.11, wait_for loses a cancellation that
            # comes as the message does, and a stopped reading would go on waiting.
            try:
                async with asyncio.timeout(self._policy.idle_seconds):
                    await self._arrived.wait()
            except TimeoutError:
                return None
        return message

    async def _spoken(self, message: ChannelMessage, again: Spoken | None = None) -> Spoken | None:
        """`message` made into speech (`again`: anew, see `MessageSpeech.speak`), or None: not
        read, suspended, or MiMo failed (the reading goes on). The server's quota used up ends the
        reading (`_run`)."""
        if self.check() is not None:
            self._metrics.reading_message("withheld")
            return None
        return await self._speech.made(message, again=again)

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = background_tasks.start(work, name="reading chores")
        self._background.add(task)  # referenced until done: the loop holds tasks weakly
        task.add_done_callback(self._background.discard)


def _cancelled_itself() -> bool:
    """Whether the running task was asked to stop (a message made into speech may have been
    let go instead, while the reading is suspended)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
