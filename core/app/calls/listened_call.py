"""One listened call, one object (`ListenedCall`): everything the call is, from `/listen` to its
end, and the state it is in (`CallState`). `core.app.calls.live_transcript` holds the calls by
server and decides what is heard; `core.app.calls.lifecycle` runs each from start to end; the
platform's side hands it pieces and events (`captions_moved`), never writes its fields.

    starting    begun: the consents read, the voice channel being joined
    live        joined: heard, each whole turn kept as a line of its transcript, and ending by
                itself when due (below)
    ending      its one end path runs (`ListenedCalls`), still hearing what was handed over
    suspending  let go for a restart (the bot stops for a deploy), likewise
    closing     no longer heard: what was heard being kept
    gone        nothing more is kept; its transcript is whole (or left open for a restart)

It ends by itself, through the adapter's own end (`on_end`: its goodbye, the call's transcript
posted), when nobody it transcribes said anything for `idle_seconds`, when its quota is used up
(the first refusal is said, the next are not), when nobody is left in the call, or when the last
member it transcribes leaves; the bot taken out of the call ends it too. Who may stop it is the
rule of every hold on the call (`core.domain.voice_call.may_stop`).
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from core.app.calls.interpreting import CallInterpreter
from core.app.calls.voice_channel import HeldCall
from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.domain import errors
from core.domain.limits import Asker
from core.domain.live_calls import KeptCall
from core.domain.live_speech import PieceRules, TurnPieces, piece_rules, settles
from core.domain.mandates import Mandate
from core.domain.transcripts import TranscriptPart
from core.domain.values import ChatRef
from core.ports import ListenedVoice, background
from core.ports.background import Beat

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
class Caption:
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
    """A member's turn being heard: who said it, its pieces' words so far (each as soon as MiMo
    heard it), and which pieces are answered (their captions' translations made too)."""

    speaker: str
    pieces: TurnPieces = field(default_factory=TurnPieces)
    answered: set[int] = field(default_factory=set)
    ended: datetime | None = None  # the end of its latest piece heard so far
    dropped: bool = False  # its speaker said no while it lasted: none of it is kept
    # Where its line starts in the call's transcript, once its first words are kept (as they
    # are shown): its words so far kept there, replaced as more come, the whole turn last.
    start: float | None = None
    # Each piece's caption translation, once made (its words where it has none).
    translations: dict[int, asyncio.Future[str | None]] = field(default_factory=dict)
    # Where its interpretation is at: the pieces that ended at a pause (a place in the
    # interpreter's line each), the first piece of the part not yet handed over, and the next
    # piece to look at.
    pauses: set[int] = field(default_factory=set)
    part_from: int = 0
    looked: int = 0

    @property
    def whole(self) -> bool:
        """Every piece answered, the last one included."""
        last = self.pieces.last
        return last is not None and self.answered.issuperset(range(last + 1))

    def translation(self, piece: int) -> asyncio.Future[str | None]:
        if (future := self.translations.get(piece)) is None:
            future = self.translations[piece] = asyncio.get_running_loop().create_future()
        return future

    async def translated_between(self, first: int, last: int) -> str:
        """The captions' translations of pieces `first` to `last`, once made, as one text."""
        pieces = TurnPieces()
        for index in range(first, last + 1):
            pieces.add(index, await self.translation(index), seconds=0.0, last=False)
        return pieces.text_between(first, last)


class CallState(enum.Enum):
    """Where a listened call is in its life (the module docstring), in order."""

    STARTING = "starting"
    LIVE = "live"
    ENDING = "ending"
    SUSPENDING = "suspending"
    CLOSING = "closing"
    GONE = "gone"

    @property
    def heard(self) -> bool:
        """Whether its members' voices are still taken (until its end stops hearing)."""
        return self in _HEARD

    @property
    def going(self) -> bool:
        """Whether its end (or its suspension for a restart) has begun."""
        return self not in (CallState.STARTING, CallState.LIVE)


_HEARD = frozenset({CallState.STARTING, CallState.LIVE, CallState.ENDING, CallState.SUSPENDING})


@dataclass(frozen=True)
class ListenAsked:
    """`/listen` by `starter` in the voice channel `voice_id` they sit in; captions in
    `locale` (the server's), also translated into it where `translate`; `interpret`: turns in
    Chinese or English spoken across in the call; `cheaper`: captions cut in longer pieces,
    nothing heard twice, later on screen (`core.domain.live_speech.CHEAPER`)."""

    server: ChatRef
    voice_id: str
    starter: str
    locale: str
    translate: bool = False
    interpret: bool = False
    cheaper: bool = False


@dataclass(eq=False)
class ListenedCall:
    """One call being listened to, the one object holding it (module docstring): who consents,
    the turns being heard, where its transcript is kept; once `core.app.calls.lifecycle` runs
    it, what was asked (`asked`), the platform's side and the call held, and why it ends."""

    server: ChatRef
    consenting: set[str]
    started_at: datetime
    starter: str  # the member who started it: who may stop it with a moderator
    payer: Asker  # ...whose day its transcription is charged to
    state: CallState = CallState.STARTING
    roll: Roll | None = None  # who was transcribed at its start, its transcript's name
    recording: str = ""
    kept_before: bool = False  # taken up after a restart: lines of it are kept already
    mandate: Mandate | None = None  # what its lines are kept under (`core.domain.mandates`)
    language: str = "auto"
    translate_to: str | None = None  # the language captions are also shown in, by English name
    refused: errors.MimoModelRefused | None = None  # ...until MiMo refused its model: not yet said
    interpreter: CallInterpreter | None = None  # `/listen interpret:True`: turns spoken across
    starts: set[int] = field(default_factory=set)  # the milliseconds its lines start at
    # What members said during the call, over what `begin` read: a no said while it read the
    # consents stays a no; and when each last said no.
    said: dict[str, bool] = field(default_factory=dict)
    withdrawn_at: dict[str, datetime] = field(default_factory=dict)
    on_forget: End | None = None  # the adapter's end, for /forget
    on_end: EndBecause | None = None  # the end with its goodbye: the call ends by itself
    keeping: asyncio.Lock = field(default_factory=asyncio.Lock)  # a line being kept, or the end
    whole: asyncio.Event = field(default_factory=asyncio.Event)  # its end is done
    told: dict[str, datetime] = field(default_factory=dict)  # when each was told it listens
    # The turns being heard, piece by piece, by member and start: each kept once whole.
    turns: dict[tuple[str, datetime], Turn] = field(default_factory=dict)
    ending_by_itself: asyncio.Task[None] | None = None  # idle, quota, nobody left: once
    spoke: asyncio.Event = field(default_factory=asyncio.Event)  # set at each piece heard
    watch: asyncio.Task[None] | None = None  # the idle watch
    # Its pieces at MiMo at once: the receiving waits for a slot (`Listening.hand_over`).
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(IN_FLIGHT))
    # Run from start to end by `core.app.calls.lifecycle`:
    asked: ListenAsked | None = None  # what `/listen` (or the call kept for a restart) asked
    captions_message: str | None = None  # the message its captions go on editing, by id
    side: ListenedVoice | None = None  # the platform's side, once joined
    held: HeldCall | None = None
    why_ended: list[str] = field(default_factory=list)  # every way that asked; the first taken
    alive: Beat | None = None  # says, while it runs, that it does

    @property
    def pieces(self) -> PieceRules:
        """How its turns are cut into pieces: sooner, or `cheaper` where it was asked, and
        while every one of its `IN_FLIGHT` slots at MiMo is taken (MiMo, or the process's
        request gate, falls behind: pieces three times as long keep the call from losing
        speech, in a third of the requests, until it catches up)."""
        asked = self.asked is not None and self.asked.cheaper
        return piece_rules(cheaper=asked or self.slots.locked())

    def joined(self) -> None:
        """The voice channel is joined: the call is live (unless it ended meanwhile)."""
        if self.state is CallState.STARTING:
            self.state = CallState.LIVE

    def goes(self, state: CallState, why: str | None = None) -> bool:
        """Its end (`ENDING`, told `why`) or its suspension for a restart (`SUSPENDING`)
        begins; False when either began already (an end's `why` is noted all the same)."""
        if why is not None:
            self.why_ended.append(why)
        if self.state.going:
            return False
        self.state = state
        return True

    def closing(self) -> bool:
        """It is no longer heard: what was heard is being kept. Whether its end path (or its
        suspension) runs it, and lets go of it once done."""
        run = self.state.going
        self.state = CallState.CLOSING
        return run

    def captions_moved(self, message_id: str) -> None:
        """The platform's side: its captions go on in the message `message_id` from now on
        (kept for a restart, which goes on editing it)."""
        self.captions_message = message_id

    def kept(self, alive_at: datetime) -> KeptCall:
        """The call as the database keeps it while it lasts (`core.app.calls.kept`), known
        alive at `alive_at`."""
        asked, roll = self.asked, self.roll
        assert asked is not None and roll is not None and roll.started_at is not None
        return KeptCall(
            asked.server, asked.voice_id, asked.voice_id, asked.starter, asked.locale,
            roll.call, roll.started_at, alive_at, translate=asked.translate,
            interpret=asked.interpret, cheaper=asked.cheaper,
            captions_message=self.captions_message,
        )  # fmt: skip

    def follow(self, member_id: str, yes: bool) -> None:
        """The member's yes or no, from now on: a no holds for everything they said before
        it too, however soon a yes follows (`admits`)."""
        self.said[member_id] = yes
        (self.consenting.add if yes else self.consenting.discard)(member_id)
        if not yes:  # the turn they are in is dropped whole, its pieces heard before too
            # By the wall clock, which the adapter times the pieces by.
            self.withdrawn_at[member_id] = datetime.now(UTC)
            for (member, _), turn in self.turns.items():
                turn.dropped = turn.dropped or member == member_id
            if self.interpreter is not None:  # what of theirs plays, or waits, is cut
                self.interpreter.withdrawn(member_id)

    def admits(self, member_id: str, said_at: datetime | None = None) -> bool:
        """Whether the member's voice is taken: while the call is heard, with their yes; and
        for what they began saying at `said_at`, only after their last no (a piece that waited
        its turn at MiMo while they said no, then yes again, is not theirs to give). Asked for
        every packet off the voice socket, so a set lookup."""
        if not (self.state.heard and member_id in self.consenting):
            return False
        return said_at is None or not self._before_no(member_id, said_at)

    def _before_no(self, member_id: str, at: datetime) -> bool:
        withdrawn = self.withdrawn_at.get(member_id)
        return withdrawn is not None and at < withdrawn

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
        if self.ending_by_itself is not None:
            return False
        logger.info("listening ends: %s", why)
        self.ending_by_itself = background.start(self._end(why), name="listening ends")
        return True

    def stop_watching(self) -> None:
        """The call ended: no idle end any more (where the watch is not what ends it)."""
        if self.watch is not None and self.watch is not asyncio.current_task():
            self.watch.cancel()

    def transcribed(
        self, member_id: str, speaker: str, began: datetime, piece: int, said: str | None, *,
        seconds: float, last: bool, at_pause: bool, ended_at: datetime | None = None,
    ) -> None:  # fmt: skip
        """One piece of a turn heard (`said`: its words), its caption's translation still to
        come: the interpreter may start on the part it ends. Once a piece; `answered` says it
        too, for a piece that failed on its way here."""
        key = (member_id, began)
        if (turn := self.turns.get(key)) is None:  # a piece answered after a no drops it too
            dropped = member_id not in self.consenting or self._before_no(member_id, began)
            turn = self.turns[key] = Turn(speaker, dropped=dropped)
        if piece in turn.pieces.texts:
            return
        turn.pieces.add(piece, said, seconds=seconds, last=last)
        if ended_at is not None and (turn.ended is None or ended_at > turn.ended):
            turn.ended = ended_at
        if at_pause:
            turn.pauses.add(piece)
        if self.interpreter is not None:
            self._interpret(key, turn, self.interpreter)

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
        at_pause: bool = True,
        ended_at: datetime | None = None,
    ) -> None:
        """One piece of a turn answered (`said`: its words; `translated`: its caption's
        translation; `at_pause`: it ended where the member paused); the turn kept as one line
        once it is whole. Handed to the call's interpreter, if it has one, part by part as
        their words come (`transcribed`; spoken only while its speaker consents): each part
        ends with a piece that ended at a pause on a sentence's end, or with the turn;
        `ended_at`: when the piece's sound ended (a turn's line ends with its last)."""
        key = (member_id, began)
        self.transcribed(member_id, speaker, began, piece, said, seconds=seconds, last=last,
                         at_pause=at_pause, ended_at=ended_at)  # fmt: skip
        turn = self.turns[key]
        turn.answered.add(piece)
        if not (made := turn.translation(piece)).done():
            made.set_result(translated or said)
        whole = turn.whole
        if whole:
            del self.turns[key]
        elif not said:
            return  # nothing new to show, nor to keep
        # Kept no later than shown: the caption the adapter shows next is in the transcript,
        # a crash or not; the whole turn replaces it, in its place.
        async with self.keeping:
            if turn.dropped:
                await self._withdraw(keeper, server, turn)
            else:
                words = turn.pieces.text() if whole else turn.pieces.every_text()
                await self._keep(keeper, server, member_id, began, turn, words)

    def _interpret(self, key: tuple[str, datetime], turn: Turn, to: CallInterpreter) -> None:
        """The turn's pieces heard in order since the last part handed over: each part that is
        settled (`core.domain.live_speech.settles`) to `to`, with its captions' translations as
        they come; a pause that settles nothing gives up its place in the line."""
        member, began = key
        while turn.looked in turn.pieces.texts:
            at = turn.looked
            turn.looked += 1
            ends = at == turn.pieces.last
            said = turn.pieces.text_between(turn.part_from, at)
            if not ends and (at not in turn.pauses or not settles(said)):
                if at in turn.pauses:
                    to.skip((member, began, at))  # a pause inside a sentence: spoken later
                continue
            gone = self.state is CallState.GONE
            spoken = not turn.dropped and not gone and member in self.consenting
            translated = background.start(
                turn.translated_between(turn.part_from, at), name="a part's translations"
            )
            pieces = at + 1 - turn.part_from
            to.part((member, began, at), speaker=turn.speaker, said=said,
                    translated=translated, spoken=spoken, pieces=pieces)  # fmt: skip
            turn.part_from = at + 1

    async def withdraw(self, keeper: TranscriptKeeper, member_id: str) -> None:
        """`member_id` said no (`follow`): the lines of their turns under way, kept as their
        words were shown, are taken out of the transcript."""
        async with self.keeping:
            for (member, _), turn in self.turns.items():
                if member == member_id and turn.dropped:
                    await self._withdraw(keeper, self.server, turn)

    async def keep_the_rest(
        self, keeper: TranscriptKeeper, server: ChatRef, *, at: datetime, whole: bool = True
    ) -> None:
        """The call ended `at`: the turns whose end never came kept as they are, a line being
        kept kept first, and the transcript marked whole (`whole` False: let go for a restart,
        the next start goes on with it); nothing is kept after."""
        async with self.keeping:
            for (member, began), turn in list(self.turns.items()):
                if turn.dropped:
                    await self._withdraw(keeper, server, turn)
                else:
                    await self._keep(keeper, server, member, began, turn, turn.pieces.every_text())
                for made in turn.translations.values():  # nothing waits for them any more
                    if not made.done():
                        made.set_result(None)
            self.turns.clear()
            self.state = CallState.GONE
            if (self.starts or self.kept_before) and whole:  # nothing said: nothing kept
                duration = (at - self.started_at).total_seconds()
                await keeper.complete(
                    server, self.recording, language=self.language, duration=duration,
                    mandate=self.mandate,
                )  # fmt: skip

    async def _keep(
        self,
        keeper: TranscriptKeeper,
        server: ChatRef,
        member_id: str,
        began: datetime,
        turn: Turn,
        said: str,
    ) -> None:
        """A turn kept as a line of the call's transcript (its words so far, replacing those
        kept before at its start), while its speaker consents and the call is not over, and
        its mandate holds in the database (no /forget, their yes standing); under
        `keeping`."""
        if self.state is CallState.GONE or not said:  # ended, or forgotten
            return
        if turn.dropped or member_id not in self.consenting:  # a no since it was taken out
            await self._withdraw(keeper, server, turn)
            return
        if turn.start is None:
            turn.start = self.line_start(began)
        start = turn.start
        # Its sound's span: a pause its client went quiet for is in no piece, but in the turn.
        length = turn.pieces.seconds if turn.ended is None else (turn.ended - began).total_seconds()
        line = TranscriptPart(start, start + length, said, turn.speaker, member_id)
        mandate = None if self.mandate is None else self.mandate.of(member_id, None)
        await keeper.keep_part(
            server, self.recording, language=self.language, part=line, mandate=mandate,
            replace=True,
        )  # fmt: skip

    async def _withdraw(self, keeper: TranscriptKeeper, server: ChatRef, turn: Turn) -> None:
        """A dropped turn's line, kept as its words were shown, taken out; under `keeping`."""
        if turn.start is not None and await keeper.withdraw_part(
            server, self.recording, start=turn.start
        ):
            turn.start = None

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
