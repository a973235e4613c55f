"""The clip a channel reading plays as a message comes up (`core.app.reader.reading` reads them
in order): checked as its message stands then, made again where it may no longer play as made,
played, and cut where it may not go on.

A clip made ahead is made again before it plays where it may no longer play as made: the message was
edited since, or it says a channel's name that someone listening now may not see (someone came
in meanwhile; coming in while it plays cuts it, and it plays again as made anew, the channel
said as "a channel"), or it is in its author's own cloned voice and they no longer allow that,
or that voice was deleted (`/myvoice own_voice:False`, `/delete_voice` and `/forget` cut such a
clip as it plays, `take_back`; it is made again in a model's voice). Such a voice taken back
landing while a clip is checked as it comes up sends it back to be checked again before it plays
(`_played`, `core.app.reader.voices_taken_back`).

    cut        its message was deleted or refused, or the reading moved to another channel or
               is suspended (`Reading.check`): it stops, and is not played again
    made again as above, at most `REMAKES` times as it comes up
    played     played whole, counted with its seconds; a clip that could not be played is let
               go, and the voice channel's chat hears it once (`core.app.reader.reading_speech`)
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from core.app.reader.message_speech import Spoken
from core.app.reader.reading_speech import ReadingSpeech
from core.app.reader.voices_taken_back import VoicesTakenBack, Whose
from core.chat.messages import text
from core.domain.reading import ChannelMessage, ReadingQueue, Reads
from core.domain.reading_audience import Suspension
from core.domain.values import ChatRef
from core.ports import Metrics, VoiceCallSeat

logger = logging.getLogger(__name__)

__all__ = ["Playing"]

REMAKES = 3
"""How many times a clip is made again as it comes up (its message edited, a channel's name
no longer for everyone's ears) before the message is let go: an author editing on and on does
not stall the reading."""

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
