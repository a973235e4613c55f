"""One listened call, one object (`ListenedCall`): everything the call is, from `/listen` to its
end, and the state it is in (`CallState`). `core.app.listening.live_transcription` holds the calls
by server and decides whose voice is taken; `core.app.listening.call_lifecycle` runs each from start
to end; the platform's side holds the call it was built for and hands it pieces
(`core.domain.listening.live_speech_rules.Piece`) and events (`captions_moved`). The call alone
writes its fields, through its methods: others read them. Its turns, heard piece by piece and kept
as lines of its transcript, are `core.app.listening.call_turns`; its members' consents (who said yes
or no during it, and when; the no's that hold in it alone, the database having refused them) are
`core.app.listening.call_consents`.

    starting    begun: the consents read, the voice channel being joined
    live        joined: voices taken, each whole turn kept as a line of its transcript, and
                ending by itself when due (below)
    ending      its one end path runs (`ListenedCalls`), still hearing what was handed over
    adjourning  let go for a restart (the bot stops for a deploy), likewise
    closing     its voices no longer taken: what was heard being kept
    gone        nothing more is kept; its transcript is whole (or left open for a restart)

Each change of state is made in one place (`_become`) and logged there once, at INFO: "the call
in <server> is live (was starting)", with why for an end ("... is ending (was live): stopped by a
command").

It ends by itself, through the adapter's own end (`on_end`: its goodbye, the call's transcript
posted), when nobody it transcribes said anything for `idle_seconds`, when its quota is used up
(`quota_used`: the first refusal is said, the next are not), when nobody is left in the call, or
when the last member it transcribes leaves; the bot taken out of the call ends it too. Who may
stop it is the rule of every occupant of the call (`core.app.voice_calls.seats.may_stop`).
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import InitVar, dataclass, field
from datetime import datetime

from core.app.interpreter.interpreting import CallInterpreter
from core.app.listening.call_consents import CallConsents
from core.app.listening.call_turns import CallLines
from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.app.voice_calls.seats import CallSeat
from core.domain import errors
from core.domain.listening.kept_call_values import KeptCall
from core.domain.listening.live_speech_rules import Piece, PieceRules, piece_rules
from core.domain.memory.write_mandates import Mandate
from core.domain.rules.quotas_rules import Asker
from core.domain.shared_values import ChatRef
from core.ports import ListenedVoice, background_tasks
from core.ports.background_tasks import Beat

logger = logging.getLogger(__name__)

__all__ = [
    "IN_FLIGHT",
    "CallState",
    "End",
    "EndBecause",
    "ListenAsked",
    "ListenedCall",
    "Roll",
    "call_prefix",
]

End = Callable[[], Awaitable[None]]
EndBecause = Callable[[str], Awaitable[None]]  # an end told why
IN_FLIGHT = 4  # a call's pieces sent to MiMo at once


@dataclass(frozen=True)
class Roll:
    """Who in the call is transcribed, and who is not (no yes from them), by id; and the name
    its transcript is kept under (`core.app.listening.past_calls` reads it), its lines timed from
    `started_at`."""

    transcribed: list[str]
    not_transcribed: list[str]
    call: str
    started_at: datetime | None = None


def call_prefix(channel: str) -> str:
    """The start of the kept recording's name of every call listened to in `channel`."""
    return f"call:{channel}:"


class CallState(enum.Enum):
    """Where a listened call is in its life (the module docstring), in order."""

    STARTING = "starting"
    LIVE = "live"
    ENDING = "ending"
    ADJOURNING = "adjourning"
    CLOSING = "closing"
    GONE = "gone"

    @property
    def taking_voices(self) -> bool:
        """Whether its members' voices are still taken (until its end stops taking them)."""
        return self in _TAKING_VOICES

    @property
    def going(self) -> bool:
        """Whether its end (or its adjournment for a restart) has begun."""
        return self not in (CallState.STARTING, CallState.LIVE)


_TAKING_VOICES = frozenset(
    {CallState.STARTING, CallState.LIVE, CallState.ENDING, CallState.ADJOURNING}
)


@dataclass(frozen=True)
class ListenAsked:
    """`/listen` by `starter` in the voice channel `voice_id` they sit in; captions in
    `locale` (the server's), also translated into it where `translate`; `interpret`: turns in
    Chinese or English spoken across in the call; `cheaper`: captions cut in longer pieces,
    nothing heard twice, later on screen (`core.domain.listening.live_speech_rules.CHEAPER`)."""

    server: ChatRef
    voice_id: str
    starter: str
    locale: str
    translate: bool = False
    interpret: bool = False
    cheaper: bool = False


@dataclass(eq=False)
class ListenedCall:
    """One call being listened to, the one object holding it (module docstring): who consents
    (`consents`, built from `consenting`), the turns being heard, where its transcript is kept;
    once `core.app.listening.call_lifecycle` runs it, what was asked (`asked`), the platform's side
    and its seat in the call, and why it ends. Its fields are read by others and written by its own
    methods alone."""

    server: ChatRef
    consenting: InitVar[set[str]]  # who is transcribed as it is built: its consents begin so
    started_at: datetime
    starter: str  # the member who started it: who may stop it with a moderator
    payer: Asker  # ...whose day its transcription is charged to
    state: CallState = CallState.STARTING
    roll: Roll | None = None  # who was transcribed at its start, its transcript's name
    recording: str = ""
    kept_before: bool = False  # taken up after a restart: lines of it are kept already
    mandate: Mandate | None = (
        None  # what its lines are kept under (`core.domain.memory.write_mandates`)
    )
    language: str = "auto"
    translate_to: str | None = None  # the language captions are also shown in, by English name
    refused: errors.MimoModelRefused | None = None  # ...until MiMo refused its model: not yet said
    interpreter: CallInterpreter | None = None  # `/listen interpret:True`: turns spoken across
    on_forget: End | None = None  # the adapter's end, for /forget
    on_end: EndBecause | None = None  # the end with its goodbye: the call ends by itself
    whole: asyncio.Event = field(default_factory=asyncio.Event)  # its end is done
    ending_by_itself: asyncio.Task[None] | None = None  # idle, quota, nobody left: once
    spoke: asyncio.Event = field(default_factory=asyncio.Event)  # set at each piece heard
    watch: asyncio.Task[None] | None = None  # the idle watch
    # Its pieces at MiMo at once: the receiving waits for a slot (`Listening.hand_over`).
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(IN_FLIGHT))
    # How far the account's minute has every call's pieces lengthened now (`core.app.listening.
    # piece_stretching`, the process's): 0, as the call asked.
    stretch: Callable[[], int] = lambda: 0
    # Run from start to end by `core.app.listening.call_lifecycle`:
    asked: ListenAsked | None = None  # what `/listen` (or the call kept for a restart) asked
    captions_message: str | None = None  # the message its captions go on editing, by id
    side: ListenedVoice | None = None  # the platform's side, once joined
    seat: CallSeat | None = None  # its seat in the voice channel's call, once joined
    why_ended: list[str] = field(default_factory=list)  # every way that asked; the first taken
    alive: Beat | None = None  # says, while it runs, that it does
    # Who in it consents, and since when: their answers during it, the no's that hold in it alone.
    consents: CallConsents = field(init=False)
    # Its turns being heard, piece by piece, each kept as a line of its transcript.
    lines: CallLines = field(init=False)

    def __post_init__(self, consenting: set[str]) -> None:
        self.consents = CallConsents(consenting)
        self.lines = CallLines(self)

    @property
    def pieces(self) -> PieceRules:
        """How its turns are cut into pieces: sooner, or `cheaper` where it was asked, and
        while every one of its `IN_FLIGHT` slots at MiMo is taken (MiMo, or the process's
        request gate, falls behind: pieces three times as long keep the call from losing
        speech, in a third of the requests, until it catches up); longer still while the
        calls' speech would take more of the account's minute than it holds (`stretch`)."""
        asked = self.asked is not None and self.asked.cheaper
        return piece_rules(cheaper=asked or self.slots.locked(), stretch=self.stretch())

    def begin(
        self, consenting: set[str], mandate: Mandate, *, language: str, present: Sequence[str],
        now: datetime, interpreter: CallInterpreter | None = None,
    ) -> Roll:  # fmt: skip
        """Its consents read (`mandate`: what its lines are kept under), after it was
        registered: a no said meanwhile stays a no (`CallConsents.read`). Who of `present` is
        transcribed and who is not, as its opening line names them (told so `now`)."""
        self.consents.read(consenting, present=present, now=now)
        self.mandate, self.language, self.interpreter = mandate, language, interpreter
        logger.info("the call in %s is %s", self.server, self.state.value)
        transcribed = self.consents.consenting  # the stored yeses, and what was said since
        self.roll = Roll(
            transcribed=[m for m in present if m in transcribed],
            not_transcribed=[m for m in present if m not in transcribed],
            call=self.recording,
            started_at=self.started_at,
        )
        return self.roll

    def _become(self, state: CallState, why: str | None = None) -> None:
        """The one place its state changes: each change logged once."""
        was, self.state = self.state, state
        because = "" if why is None else f": {why}"
        logger.info("the call in %s is %s (was %s)%s", self.server, state.value, was.value, because)

    def joined(self) -> None:
        """The voice channel is joined: the call is live (unless it ended meanwhile)."""
        if self.state is CallState.STARTING:
            self._become(CallState.LIVE)

    def goes(self, state: CallState, why: str | None = None) -> bool:
        """Its end (`ENDING`, told `why`) or its adjournment for a restart (`ADJOURNING`)
        begins; False when either began already (an end's `why` is noted all the same)."""
        if why is not None:
            self.why_ended.append(why)
        if self.state.going:
            return False
        self._become(state, why)
        return True

    def closing(self) -> bool:
        """Its voices are no longer taken: what was heard is being kept. Whether its end path
        (or its adjournment) runs it, and lets go of it once done."""
        run = self.state.going
        self._become(CallState.CLOSING)
        return run

    async def close(self, keeper: TranscriptKeeper, *, at: datetime, whole: bool) -> None:
        """After `closing`: no idle end any more, its interpreter closed, what was heard kept
        (`keep_the_rest`), then its end is done (`whole`), however that went."""
        try:
            self.stop_watching()
            if self.interpreter is not None:
                await self.interpreter.close()
            await self.keep_the_rest(keeper, self.server, at=at, whole=whole)
        finally:
            self.whole.set()

    def take_seat(self, seat: CallSeat) -> None:
        """Its seat in the voice channel's call, joined (left as it ends)."""
        self.seat = seat

    def give_side(self, side: ListenedVoice) -> None:
        """The platform's side built for it, once joined."""
        self.side = side

    def keep_alive(self, alive: Beat) -> None:
        """What says, while it runs, that it does (stopped as it ends or is let go)."""
        self.alive = alive

    def end_noted(self, why: str) -> None:
        """A way its end was asked for, beside those `goes` noted."""
        self.why_ended.append(why)

    def captions_moved(self, message_id: str) -> None:
        """The platform's side: its captions go on in the message `message_id` from now on
        (kept for a restart, which goes on editing it)."""
        self.captions_message = message_id

    def language_set(self, language: str) -> None:
        """The server set another language: its pieces are heard in it from now on."""
        self.language = language

    def translations_refused(self, refused: errors.MimoModelRefused) -> None:
        """MiMo refused the model its captions' translations take: none more (said once)."""
        self.translate_to, self.refused = None, refused

    def kept(self, alive_at: datetime) -> KeptCall:
        """The call as the database keeps it while it lasts (`core.app.listening.kept_calls`),
        known alive at `alive_at`."""
        asked, roll = self.asked, self.roll
        assert asked is not None and roll is not None and roll.started_at is not None
        return KeptCall(
            asked.server, asked.voice_id, asked.voice_id, asked.starter, asked.locale,
            roll.call, roll.started_at, alive_at, translate=asked.translate,
            interpret=asked.interpret, cheaper=asked.cheaper,
            captions_message=self.captions_message,
        )  # fmt: skip

    def follow(self, member_id: str, yes: bool) -> None:
        """The member's yes or no, from now on (`CallConsents.follow`): a no holds for
        everything they said before it too, however soon a yes follows (`admits`)."""
        self.consents.follow(member_id, yes)
        if not yes:  # the turn they are in is dropped whole, its pieces heard before too
            self.lines.drop(member_id)
            if self.interpreter is not None:  # what of theirs plays, or waits, is cut
                self.interpreter.withdrawn(member_id)

    def admits(self, member_id: str, said_at: datetime | None = None) -> bool:
        """Whether the member's voice is taken: while the call takes voices, with their yes; and
        for what they began saying at `said_at`, only after their last no (`CallConsents.
        given`). Asked for every packet off the voice socket, so a set lookup."""
        return self.state.taking_voices and self.consents.given(member_id, said_at)

    @property
    def keeps(self) -> bool:
        """Whether what it hears is still kept: until it is gone."""
        return self.state is not CallState.GONE

    def take_refused(self) -> errors.MimoModelRefused | None:
        """The refusal that stopped the translations, once: said with the caption it came with."""
        refused, self.refused = self.refused, None
        return refused

    def not_idle(self) -> None:
        """A piece was heard: the idle watch starts over."""
        self.spoke.set()

    def watch_idle(self, idle_seconds: float) -> None:
        """From now on, the call ends once nothing was heard for `idle_seconds`."""
        self.watch = background_tasks.start(self._idle(idle_seconds), name="listening idle")

    def end_by_itself(self, why: str) -> bool:
        """End the call through the adapter's end, once; False when it is ending already."""
        if self.ending_by_itself is not None:
            return False
        logger.info("the call in %s asks for its end: %s", self.server, why)
        self.ending_by_itself = background_tasks.start(self._end(why), name="listening ends")
        return True

    def quota_used(self, refused: errors.QuotaUsed) -> bool:
        """The day's listening, or the bot's, refused a piece: the whole call ends, not only
        what it cannot pay for. True for the first refusal (said, with the goodbye), False for
        the next."""
        return self.end_by_itself(f"{self.server} refused: {refused}")

    def stop_watching(self) -> None:
        """The call ended: no idle end any more (where the watch is not what ends it)."""
        if self.watch is not None and self.watch is not asyncio.current_task():
            self.watch.cancel()

    def transcribed(self, piece: Piece, words: str | None) -> None:
        """One piece of a turn heard (`words`), its caption's translation still to
        come: the interpreter may start on the part it ends. Once a piece; `answered` says it
        too, for a piece that failed on its way here."""
        self.lines.transcribed(piece, words)

    async def answered(
        self, keeper: TranscriptKeeper, piece: Piece, words: str | None, *,
        translated: str | None = None,
    ) -> None:  # fmt: skip
        """One piece of a turn answered (`words`; `translated`: its caption's
        translation); the turn kept as one line once it is whole (`core.app.listening.call_turns`).
        Handed to the call's interpreter, if it has one, part by part as their words come
        (`transcribed`; spoken only while its speaker consents): each part ends with a piece
        that ended at a pause on a sentence's end, or with the turn; a turn's line ends with
        its last piece's sound."""
        await self.lines.answered(keeper, piece, words, translated)

    async def withdraw(self, keeper: TranscriptKeeper, member_id: str) -> None:
        """`member_id` said no (`follow`): the lines of their turns under way, kept as their
        words were shown, are taken out of the transcript."""
        await self.lines.withdraw(keeper, member_id)

    async def keep_the_rest(
        self, keeper: TranscriptKeeper, server: ChatRef, *, at: datetime, whole: bool = True
    ) -> None:
        """The call ended `at`: the turns whose end never came kept as they are, a line being
        kept kept first, and the transcript marked whole (`whole` False: let go for a restart,
        the next start goes on with it); nothing is kept after."""
        async with self.lines.keeping:
            await self.lines.keep_the_rest(keeper)
            self._become(CallState.GONE)
            if (self.lines.starts or self.kept_before) and whole:  # nothing said: nothing kept
                duration = (at - self.started_at).total_seconds()
                await keeper.complete(
                    server, self.recording, language=self.language, duration=duration,
                    mandate=self.mandate,
                )  # fmt: skip

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
