"""The queue of a listened call's interpretations (`core.app.interpreter.interpreting`), played
into the call one at a time in the order their parts ended, and what the interpreter has its
adapter say in the call's chat, after the captions.

Each part takes its place as a piece that may end it comes, before anything is awaited; its clip,
once made (`core.app.interpreter.interpretation_clips`), is played once the call is free for it,
and closed once played or never to be.

    late     an interpretation that would start more than `late_after` seconds after its part
             ended, once a turn began since (`turn_began`: the call moved on; else `WAITED_FOR`
             times as late) is dropped, said with its words (`Dropped`), asked again once the
             call is free for it and just before its first frame (a reading sharing the call may
             have played meanwhile)
    waited   a place's clip is waited for no longer than it could still start in time: a piece
             of its part that never came to be heard (the receiver let it go under load) does
             not delay every interpretation after it
    a no     (`withdrawn`) cuts the member's interpretation playing within a frame and calls off
             theirs waiting in the queue; whether a clip is still wanted is asked again just
             before its first frame

Members go on being heard while an interpretation plays: the listening's receiver is not held
by the play.

What the chat is told (`News`): an interpretation dropped as too late (`Dropped`), and
interpreting stopped for the rest of the call (`Stopped`). `Tell` is how the adapter is handed
them (`core.ports.ListenedVoice.tell`); saying them is the adapter's.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from core.app.interpreter.held_sound import PartKey
from core.domain import errors
from core.domain.listening.interpreter_rules import WAITED_FOR, too_late
from core.domain.shared_values import ChatRef
from core.ports import SpeechSlices, VoiceCallSeat, background_tasks

__all__ = ["Clip", "Dropped", "InterpretationQueue", "News", "Place", "Stopped", "Tell"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dropped:
    """An interpretation too late to be spoken: `speaker`'s `words`, marked in the chat."""

    member: str
    speaker: str
    words: str


@dataclass(frozen=True)
class Stopped:
    """Interpreting stopped for the rest of the call: `refusal` says which quota ran out, or
    which model MiMo refused (and the setting that names it)."""

    refusal: errors.QuotaUsed | errors.MimoModelRefused


News = Dropped | Stopped
Tell = Callable[[News], Awaitable[None]]


class Timing(Protocol):
    """What the queue is timed by, read anew each time: tests and the benchmark change
    `late_after` while a call goes on (`core.app.interpreter.interpreting.Interpreting`)."""

    late_after: float
    timer: Callable[[], float]


@dataclass
class Place:
    """A turn's place in the queue: its clip once made (None: nothing to speak)."""

    key: PartKey
    ended: float  # the interpreter's timer when the part's end came
    clip: asyncio.Future[Clip | None] = field(default_factory=asyncio.Future)


@dataclass(frozen=True)
class Clip:
    """A place's interpretation made: its speech, and what is said should it be dropped."""

    note: SpeechSlices | None  # None: too late already, never made
    dropped: Dropped


class InterpretationQueue:
    """One call's interpretations in a queue, played one at a time (see the module docstring)."""

    def __init__(
        self,
        timing: Timing,
        *,
        server: ChatRef,
        stopped: Callable[[], bool],
        called_off: Callable[[str, datetime], bool],
        say: Callable[[Dropped], Awaitable[None]],
    ) -> None:
        """`stopped`: whether interpreting stopped; `called_off`: whether what a member began
        saying at a time may no longer be spoken (a no since, or interpreting stopped); `say`:
        an interpretation dropped, said in the call's chat."""
        self._timing, self._server = timing, server
        self._stopped, self._called_off, self._say = stopped, called_off, say
        self._queue: deque[Place] = deque()
        self._places: dict[PartKey, Place] = {}
        self._came = asyncio.Event()
        self._seat: VoiceCallSeat | None = None
        self._player: asyncio.Task[None] | None = None
        self._speaking: str | None = None  # whose interpretation plays, or waits for the call
        self._moved_on = float("-inf")  # the timer when the call's latest turn began

    def attach(self, seat: VoiceCallSeat) -> None:
        """The call to speak into, once joined: from now on interpretations play there."""
        self._seat = seat
        if self._player is None:
            self._player = background_tasks.start(self._speak_in_order(), name="interpreting")

    def turn_began(self) -> None:
        """Someone began a turn: the call moves on (`late`)."""
        self._moved_on = self._timing.timer()

    def expect(self, key: PartKey) -> bool:
        """The part that may end at `key` takes its place at the end of the queue; False: it has
        one already."""
        if key in self._places:
            return False
        place = self._places[key] = Place(key, self._timing.timer())
        self._queue.append(place)
        self._came.set()
        return True

    def give_up(self, key: PartKey) -> None:
        """No part ends at `key`: its place is given up."""
        place = self._places.pop(key, None)
        if place is not None and not place.clip.done():
            place.clip.set_result(None)

    def handed(self, key: PartKey) -> Place | None:
        """The place of the part ending at `key`, which was handed over: no longer found by its
        key (None: it took none, or gave it up)."""
        return self._places.pop(key, None)

    def left_to_wait(self, key: PartKey) -> float | None:
        """How long the clip of the part ending at `key` may still be waited for (None: it has
        no place waiting to be handed over)."""
        place = self._places.get(key)
        return None if place is None else self._left_to_wait(place)

    def withdrawn(self, member: str) -> None:
        """`member` said no: their interpretation playing is cut (its next 20 ms frame is the
        last), theirs waiting in the queue are called off."""
        for place in self._queue:
            if place.key[0] == member and not place.clip.done():
                place.clip.set_result(None)
        if self._speaking == member and self._seat is not None:
            self._seat.skip()

    def call_off(self) -> None:
        """Interpreting stopped: every place waiting in the queue is given up."""
        for place in self._queue:
            if not place.clip.done():
                place.clip.set_result(None)

    def halt(self) -> asyncio.Task[None] | None:
        """The call ended: nothing more is played. The player, cancelled, to be waited for."""
        if self._player is not None:
            self._player.cancel()
        self._came.set()
        return self._player

    async def close(self) -> None:
        """Made and waiting in the queue: MiMo's streams end with the call."""
        for place in self._queue:
            made = place.clip.result() if place.clip.done() and not place.clip.cancelled() else None
            if made is not None and made.note is not None:
                await made.note.aclose()

    def stopped(self) -> bool:
        """Whether interpreting stopped."""
        return self._stopped()

    def called_off(self, place: Place) -> bool:
        """Whether the place's part may no longer be spoken."""
        member, began, _ = place.key
        return self._called_off(member, began)

    def late(self, place: Place) -> bool:
        """Whether the place's interpretation would start too late, were it played now."""
        moved_on = self._moved_on > place.ended  # a turn began since the part ended
        return too_late(
            place.ended, self._timing.timer(), late_after=self._timing.late_after, moved_on=moved_on
        )

    def _left_to_wait(self, place: Place) -> float:
        """How long the place's clip may still be waited for: as late as an interpretation
        may start, `WAITED_FOR` times late."""
        longest = self._timing.late_after * WAITED_FOR
        return max(0.0, place.ended + longest - self._timing.timer())

    async def _speak_in_order(self) -> None:
        """Each interpretation in the order its turn ended, one at a time."""
        while True:
            while not self._queue:
                if (
                    self.stopped()
                ):  # (a cancel coming as a clip is handed may be lost in `_clip_of`)
                    return
                self._came.clear()
                await self._came.wait()
            place = self._queue[0]
            clip = await self._clip_of(place)
            self._queue.popleft()
            try:
                if clip is None or self.called_off(place):
                    continue
                if clip.note is None or self.late(place):
                    await self._say(clip.dropped)
                    continue
                if await self._play(place, clip.note, clip.dropped.member):
                    await self._say(clip.dropped)  # late by the time the call was free
            finally:
                if clip is not None and clip.note is not None:
                    await clip.note.aclose()  # played, or never to be: MiMo's stream ends

    async def _clip_of(self, place: Place) -> Clip | None:
        """The place's clip once made; None once it could no longer be spoken in time (a piece
        of its part never came to be heard: the receiver let it go under load), so that one
        lost piece does not delay every interpretation after it."""
        try:
            return await asyncio.wait_for(asyncio.shield(place.clip), self._left_to_wait(place))
        except TimeoutError:
            logger.warning("an interpretation in %s never came: its place is given up",
                           self._server)  # fmt: skip
            if not place.clip.done():
                place.clip.set_result(None)
            self._places.pop(place.key, None)
            return None

    async def _play(self, place: Place, note: SpeechSlices, member: str) -> bool:
        """Play one interpretation, asked again once the call is free for it (and just before
        its first frame) whether its speaker still consents and it is not late; True when it
        was late then."""
        assert self._seat is not None, "attached before any turn is heard"
        late = False

        def wanted() -> bool:
            nonlocal late
            late = self.late(place)
            return not self.called_off(place) and not late

        self._speaking = member
        try:
            await self._seat.play(note, wanted=wanted)
        except Exception:  # the next one plays all the same
            logger.exception("an interpretation in %s could not be played", self._server)
        finally:
            self._speaking = None
        return late and not self.called_off(place)
