"""A channel reading's clips (`core.app.channel_reader.reading_session` reads its messages in order,
one clip each): the next one made ahead while the current one plays, each checked as its message
stands when it comes up, made again where it may no longer play as made, played, and cut where it
may not go on; and the own voices taken back while the reading runs.

Made ahead (`MadeAhead`): the next message made into speech while the current one plays, so that
its first slice is in when the clip playing ends. One at a time; it is checked again when it
comes up (and may be made anew then).

    made     as a message comes up (the oldest one waiting), or as one is posted while that one
             is read and none is being made
    taken    it came up: the reading plays it
    let go   its message deleted or refused, or the reading is suspended: its making stops, or, made
             already (as it usually is by now), its feed is closed at once, so that MiMo's
             stream for it ends now rather than when it comes up
    closed   the reading ended: waited for, and closed where it was made

MiMo's stream ending is what counts: the characters of the pieces MiMo was asked for count in
the speech quota, the rest is given back (`core.app.voices.streamed_speech`).

Played as it comes up (`Playing`). A clip made ahead is made again before it plays where it may
no longer play as made: the message was edited since, or it says a channel's name that someone
listening now may not see (someone came in meanwhile; coming in while it plays cuts it, and it
plays again as made anew, the channel said as "a channel"), or it is in its author's own cloned
voice and they no longer allow that, or that voice was deleted (`/myvoice own_voice:False`,
`/delete_voice` and `/forget` cut such a clip as it plays, `take_back`; it is made again in a
model's voice).

    cut        its message was deleted or refused, or the reading moved to another channel or
               is suspended (`Reading.check`): it stops, and is not played again
    made again as above, at most `REMAKES` times as it comes up (the reader's rules:
               `core.domain.channel_reader.reader_rules`)
    played     played whole, counted with its seconds; a clip that could not be played is let
               go, and the voice channel's chat hears it once
               (`core.app.channel_reader.message_speech`)

Own voices taken back (`VoicesTakenBack`), as above: the clip playing in such a voice is cut, to
be made again in a voice of the model's; a clip made ahead in one is made again as it comes up,
where `MessageSpeech.voice_allowed` reads the database anew.

    whose     which clips a voice taken back reaches: a member's own voice (`of_member`), or the
              server's voice of a name, or all of them (`in_voice`)
    since     the voices taken back are counted: a message coming up notes the count as its
              clip's voice is checked; where one landed meanwhile, the clip is checked again
              once it counts as playing (`Playing._played`), so a no landing between the check
              and the play still holds
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from core.app.channel_reader.message_speech import OWN_VOICE, ReadingSpeech, Spoken
from core.chat.message_catalogue import text
from core.domain.channel_reader.reader_rules import REMAKES, ChannelMessage, ReadingQueue, Reads
from core.domain.channel_reader.reading_audience_rules import Suspension
from core.domain.shared_values import ChatRef
from core.ports import Metrics, VoiceCallSeat, background_tasks

logger = logging.getLogger(__name__)

__all__ = ["MadeAhead", "Playing", "VoicesTakenBack", "Whose", "in_voice", "of_member"]

# Who listens, looked at again: why the reading is suspended, if it is.
Check = Callable[[], Suspension | None]
MakingAgain = Callable[[ChannelMessage, Spoken], Awaitable[Spoken | None]]


class Playing:
    """One reading's clip playing (module docstring): which clip plays now, whether it was cut
    to be made again, and the own voices taken back while the reading runs."""

    def __init__(
        self,
        *,
        server: ChatRef,
        call: VoiceCallSeat,
        queue: ReadingQueue,
        speech: ReadingSpeech,
        reads: Reads,
        metrics: Metrics,
        check: Check,
        make_again: MakingAgain,
    ) -> None:
        """`queue` is the reading's: where a clip's message still stands, or no longer does.
        `check`: whether the reading is suspended, looked at again; `make_again`: a message made
        into speech anew, as it stands now (None: not read)."""
        self._server, self._call, self._queue = server, call, queue
        self._speech, self._reads, self._metrics = speech, reads, metrics
        self._check, self._make_again = check, make_again
        self._clip: Spoken | None = None
        self._recut = False  # the clip playing was cut to be made again
        self._taken_back = VoicesTakenBack()

    @property
    def clip(self) -> Spoken | None:
        """The clip playing now; None: none is."""
        return self._clip

    def cut(self, message_id: str) -> None:
        """The message `message_id` was taken out of the queue: its clip, if it plays, stops."""
        if self._clip is not None and self._clip.message.id == message_id:
            self._call.skip()

    def cut_to_make_again(self) -> None:
        """The clip playing may no longer play as made to the people listening: it stops, and is
        made again as it comes up."""
        self._recut = True
        self._call.skip()

    def take_back(self, whose: Whose) -> None:
        """An own voice may speak no more: the clip playing in it (`whose`) is cut, to be made
        again. Counted too for a clip being checked meanwhile as it comes up: it is checked
        again once it counts as playing (`_played`), so a no landing between the check and the
        play still holds."""
        if self._taken_back.take_back(whose, self._clip):
            self.cut_to_make_again()

    async def play(self, spoken: Spoken) -> None:
        """Play one clip as its message stands when it comes up (module docstring): not at all once
        deleted or while the reading is suspended, made again where it may no longer play as made.
        One that cannot be played is let go, and the channel hears it once."""
        message_id = spoken.message.id
        try:
            for _ in range(REMAKES + 1):
                if self._check() is not None:
                    self._metrics.reading_message("withheld")
                    return
                current = self._queue.latest(message_id)
                if current is None:
                    self._metrics.reading_message("deleted")
                    return
                mark = self._taken_back.mark()  # a no landing while `may_play` reads counts
                if current != spoken.message or not await self._speech.may_play(spoken):
                    await spoken.note.aclose()  # never played as made: MiMo's stream ends
                    remade = await self._make_again(current, spoken)
                    if remade is None:
                        return
                    spoken = remade
                    continue
                if await self._played(spoken, mark=mark):
                    return
            logger.info("a message in %s not read: it changed on and on", self._server)
        finally:
            await spoken.note.aclose()  # played, or never to be: MiMo's stream ends
            self._queue.done(message_id)

    async def _played(self, spoken: Spoken, *, mark: int) -> bool:
        """Play the clip; False when it was cut to be made again (`cut_to_make_again`), or when
        it is in an own voice and one was taken back since `mark` (checked again, then)."""
        if self._queue.latest(spoken.message.id) is None:  # deleted, refused or moved past
            self._metrics.reading_message("deleted")  # while `may_play` read the database
            return True
        if self._taken_back.since(mark, spoken):
            return False  # registered as playing only now: `may_play` reads the database again
        self._clip, self._recut = spoken, False
        try:
            whole = await self._call.play(spoken.note)
        finally:
            self._clip = None
        if self._queue.latest(spoken.message.id) is None:
            self._metrics.reading_message("deleted")  # cut as its author deleted it
            return True
        if self._recut:
            return False
        if whole:
            self._metrics.reading_message("read", seconds=spoken.note.duration)
            return True
        logger.warning("a message in %s could not be played", self._server)
        line = text("reader.play_failed", self._reads.locale)
        await self._speech.tell_once("play_failed", line)
        return True


Making = Callable[[ChannelMessage], Coroutine[Any, Any, Spoken | None]]
InBackground = Callable[[Coroutine[Any, Any, None]], None]


class MadeAhead:
    """One reading's clip made ahead, before its message comes up (module docstring)."""

    def __init__(self, *, make: Making, in_background: InBackground) -> None:
        """`make`: a message made into speech (None: not read); `in_background`: where a clip
        let go is closed."""
        self._make, self._in_background = make, in_background
        self._making: asyncio.Task[Spoken | None] | None = None
        self._message_id: str | None = None  # the message `_making` makes into speech

    @property
    def message_id(self) -> str | None:
        """The message being made ahead (or made, waiting to come up); None: none is."""
        return self._message_id

    def make(self, message: ChannelMessage) -> None:
        """Make `message` into speech before it comes up."""
        self._making = background_tasks.start(
            self._make(message), name="reading speech", awaited=True
        )
        self._message_id = message.id

    async def made(self) -> Spoken | None:
        """The clip, once made (None: not read); raises `CancelledError` where it was let go
        meanwhile, or where the reading stops (then it is still here, for `closed`)."""
        assert self._making is not None
        return await self._making

    def taken(self) -> None:
        """It came up: the reading has it, to play or not; none is made ahead now."""
        self._making = self._message_id = None

    def let_go(self, message_id: str | None = None) -> None:
        """The clip made ahead will not play (that of `message_id` only, where one is named):
        its making stops, or, made already, its feed closes at once."""
        making = self._making
        if making is None or (message_id is not None and message_id != self._message_id):
            return
        making.cancel()
        if making.done() and not making.cancelled() and making.exception() is None:
            made = making.result()
            if made is not None:
                self._in_background(made.note.aclose())

    async def closed(self) -> None:
        """The reading ended: the clip being made is let go, and closed where it was made
        already."""
        making = self._making
        if making is None:
            return
        making.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            spoken = await making
            if spoken is not None:
                await spoken.note.aclose()


Whose = Callable[[Spoken], bool]  # whether a voice taken back reaches a clip


def of_member(author_id: str) -> Whose:
    """The clips of `author_id`'s messages: their own voice is taken back."""
    return lambda spoken: spoken.author_id == author_id


def in_voice(name: str | None) -> Whose:
    """The clips in the server's own voice `name` (None: in any of its own voices)."""
    key = None if name is None else name.casefold()
    return lambda spoken: key is None or (spoken.own_voice or "").casefold() == key


class VoicesTakenBack:
    """The own voices taken back during one reading, counted (module docstring)."""

    def __init__(self) -> None:
        self._count = 0  # so far: a no, a voice deleted, a /forget

    def take_back(self, whose: Whose, playing: Spoken | None) -> bool:
        """One more voice taken back; whether the clip `playing` is in an own voice it reaches
        (to be cut and made again)."""
        self._count += 1
        return playing is not None and playing.voice == OWN_VOICE and whose(playing)

    def mark(self) -> int:
        """The count as a clip's voice is checked, for `since`."""
        return self._count

    def since(self, mark: int, spoken: Spoken) -> bool:
        """Whether `spoken` is to be checked again before it plays: it is in an own voice, and
        one was taken back since `mark`."""
        return spoken.voice == OWN_VOICE and self._count != mark
