"""One call being listened to (`core.app.calls.listening` starts and ends it): who consents, the
turns being heard, where its transcript is kept, and when it ends by itself.

It ends, through the adapter's own end (`on_end`: its goodbye, the call's transcript posted),
when nobody it transcribes said anything for `idle_seconds`, when its quota is used up (the
first refusal is said, the next are not), when nobody is left in the call, or when the last
member it transcribes leaves; the bot taken out of the call ends it too. Who may stop it is the
rule of every hold on the call (`core.domain.voice_call.may_stop`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from core.app.calls.interpreting import CallInterpreter
from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.domain import errors
from core.domain.limits import Asker
from core.domain.live_speech import TurnPieces
from core.domain.transcripts import TranscriptPart
from core.domain.values import ChatRef
from core.ports import background

logger = logging.getLogger(__name__)

End = Callable[[], Awaitable[None]]
EndBecause = Callable[[str], Awaitable[None]]  # an end told why
IN_FLIGHT = 4  # a call's pieces sent to MiMo at once


@dataclass(frozen=True)
class Roll:
    """Who in the call is transcribed, and who is not (no yes from them), by id; and the name
    its transcript is kept under (`core.app.calls.summary` reads it), its lines timed from
    `started_at`."""

    transcribed: list[str]
    not_transcribed: list[str]
    call: str
    started_at: datetime | None = None


@dataclass(frozen=True)
class Heard:
    """What one member said in one utterance, and its translation where captions are
    translated (None: not asked, already in that language, or not to be had). `refused`: MiMo
    refused the model the translations take, here first: the captions go on untranslated, and
    the chat is told once (the log has it)."""

    said: str
    translated: str | None = None
    refused: errors.MimoModelRefused | None = None


def call_prefix(channel: str) -> str:
    """The start of the kept recording's name of every call listened to in `channel`."""
    return f"call:{channel}:"


@dataclass
class Turn:
    """A member's turn being heard: who said it, and its pieces' words so far."""

    speaker: str
    pieces: TurnPieces = field(default_factory=TurnPieces)
    dropped: bool = False  # its speaker said no while it lasted: none of it is kept
    # Each piece's translation where captions are translated (its words where it has none).
    translations: TurnPieces = field(default_factory=TurnPieces)


@dataclass
class LiveCall:
    """A call being listened to: who consents, and where its transcript is kept."""

    consenting: set[str]
    started_at: datetime
    starter: str  # the member who started it: who may stop it with a moderator
    payer: Asker  # ...whose day its transcription is charged to
    recording: str = ""
    kept_before: bool = False  # taken up after a restart: lines of it are kept already
    language: str = "auto"
    translate_to: str | None = None  # the language captions are also shown in, by English name
    refused: errors.MimoModelRefused | None = None  # ...until MiMo refused its model: not yet said
    interpreter: CallInterpreter | None = None  # `/listen interpret:True`: turns spoken across
    starts: set[int] = field(default_factory=set)  # the milliseconds its lines start at
    # What members said during the call, over what `begin` read: a no said while it read the
    # consents stays a no.
    said: dict[str, bool] = field(default_factory=dict)
    on_forget: End | None = None  # the adapter's end, for /forget
    on_end: EndBecause | None = None  # the end with its goodbye: the call ends by itself
    keeping: asyncio.Lock = field(default_factory=asyncio.Lock)  # a line being kept, or the end
    ended: bool = False  # nothing more is kept
    whole: asyncio.Event = field(default_factory=asyncio.Event)  # its end is done
    told: dict[str, datetime] = field(default_factory=dict)  # when each was told it listens
    # The turns being heard, piece by piece, by member and start: each kept once whole.
    turns: dict[tuple[str, datetime], Turn] = field(default_factory=dict)
    ending: asyncio.Task[None] | None = None  # it ends by itself (idle, quota, nobody left)
    spoke: asyncio.Event = field(default_factory=asyncio.Event)  # set at each piece heard
    watch: asyncio.Task[None] | None = None  # the idle watch
    # Its pieces at MiMo at once: the receiving waits for a slot (`Listening.hand_over`).
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(IN_FLIGHT))

    def follow(self, member_id: str, yes: bool) -> None:
        """The member's yes or no, from now on."""
        self.said[member_id] = yes
        (self.consenting.add if yes else self.consenting.discard)(member_id)
        if not yes:  # the turn they are in is dropped whole, its pieces heard before too
            for (member, _), turn in self.turns.items():
                turn.dropped = turn.dropped or member == member_id
            if self.interpreter is not None:  # what of theirs plays, or waits, is cut
                self.interpreter.withdrawn(member_id)

    def take_refused(self) -> errors.MimoModelRefused | None:
        """The refusal that stopped the translations, once: said with the caption it came with."""
        refused, self.refused = self.refused, None
        return refused

    def line_start(self, at: datetime) -> float:
        """Seconds from the start of the call, a millisecond later when a line (of another
        speaker) starts then already: each line keeps a key of its own."""
        millis = max(0, round((at - self.started_at).total_seconds() * 1000))
        while millis in self.starts:
            millis += 1
        self.starts.add(millis)
        return millis / 1000

    def watch_idle(self, idle_seconds: float) -> None:
        """From now on, the call ends once nothing was heard for `idle_seconds`."""
        self.watch = background.start(self._idle(idle_seconds), name="listening idle")

    def end_by_itself(self, why: str) -> bool:
        """End the call through the adapter's end, once; False when it is ending already."""
        if self.ending is not None:
            return False
        logger.info("listening ends: %s", why)
        self.ending = background.start(self._end(why), name="listening ends")
        return True

    def stop_watching(self) -> None:
        """The call ended: no idle end any more (where the watch is not what ends it)."""
        if self.watch is not None and self.watch is not asyncio.current_task():
            self.watch.cancel()

    async def answered(
        self,
        keeper: TranscriptKeeper,
        server: ChatRef,
        member_id: str,
        speaker: str,
        began: datetime,
        piece: int,
        said: str | None,
        *,
        seconds: float,
        last: bool,
        translated: str | None = None,
    ) -> None:
        """One piece of a turn answered (`said`: its words; `translated`: its caption's
        translation); the turn kept as one line once it is whole, and handed to the call's
        interpreter, if it has one (spoken only while its speaker consents)."""
        key = (member_id, began)
        if (turn := self.turns.get(key)) is None:  # a piece answered after a no drops it too
            turn = self.turns[key] = Turn(speaker, dropped=member_id not in self.consenting)
        turn.pieces.add(piece, said, seconds=seconds, last=last)
        turn.translations.add(piece, translated or said, seconds=seconds, last=last)
        if not turn.pieces.whole:
            return
        del self.turns[key]
        if not turn.dropped:
            async with self.keeping:
                await self._keep(keeper, server, member_id, began, turn, turn.pieces.text())
        if self.interpreter is not None:
            spoken = not turn.dropped and not self.ended and member_id in self.consenting
            self.interpreter.whole(
                key, speaker=speaker, said=turn.pieces.text(),
                translated=turn.translations.text(), spoken=spoken,
            )  # fmt: skip

    async def keep_the_rest(
        self, keeper: TranscriptKeeper, server: ChatRef, *, at: datetime, whole: bool = True
    ) -> None:
        """The call ended `at`: the turns whose end never came kept as they are, a line being
        kept kept first, and the transcript marked whole (`whole` False: let go for a restart,
        the next start goes on with it); nothing is kept after."""
        async with self.keeping:
            for (member, began), turn in list(self.turns.items()):
                if not turn.dropped:
                    await self._keep(keeper, server, member, began, turn, turn.pieces.every_text())
            self.turns.clear()
            self.ended = True
            if (self.starts or self.kept_before) and whole:  # nothing said: nothing kept
                duration = (at - self.started_at).total_seconds()
                await keeper.complete(
                    server, self.recording, language=self.language, duration=duration
                )

    async def _keep(
        self,
        keeper: TranscriptKeeper,
        server: ChatRef,
        member_id: str,
        began: datetime,
        turn: Turn,
        said: str,
    ) -> None:
        """A turn kept as a line of the call's transcript, while its speaker consents and the
        call is not over; under `keeping`."""
        if self.ended or member_id not in self.consenting or not said:  # ended, or forgotten
            return
        start = self.line_start(began)
        line = TranscriptPart(start, start + turn.pieces.seconds, said, turn.speaker, member_id)
        await keeper.keep_part(server, self.recording, language=self.language, part=line)

    async def _idle(self, idle_seconds: float) -> None:
        while True:
            self.spoke.clear()
            try:
                await asyncio.wait_for(self.spoke.wait(), idle_seconds)
            except TimeoutError:
                break
        self.end_by_itself("nothing said for a while")

    async def _end(self, why: str) -> None:
        if self.on_end is not None:
            await self.on_end(why)
