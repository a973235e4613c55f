"""A listened call's turns, heard piece by piece, and the lines of its transcript they are kept
as: `Turn` (one member's turn: its words so far, which pieces are answered, where its line is
and where its interpretation is at) and `CallLines` (the call's turns by member and start).

Each turn is kept as ONE line of the call's transcript no later than it is shown: its words so
far, replaced as more come, the whole turn last, in its place; a turn whose speaker said no is
dropped whole and its line taken out. A turn's parts go to the call's interpreter as they
settle (`core.domain.listening.piece_words.settles`). The call (`core.app.listening.listened_call.
ListenedCall`) holds its `CallLines` and alone calls them; they read the call's consents,
state and transcript's name, never write them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from core.app.interpreter.interpreting import CallInterpreter
from core.app.listening.call_consents import CallConsents
from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.domain.listening.live_speech_rules import Piece
from core.domain.listening.piece_words import TurnPieces, settles
from core.domain.memory.write_mandates import Mandate
from core.domain.recordings.transcript_values import TranscriptPart
from core.domain.shared_values import ChatRef
from core.ports import background_tasks

__all__ = ["CallLines", "Turn"]

Key = tuple[str, datetime]  # a turn's member and start


class Call(Protocol):
    """What a call's lines read of it (`ListenedCall`), never writing it."""

    @property
    def server(self) -> ChatRef: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def recording(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def mandate(self) -> Mandate | None: ...
    @property
    def consents(self) -> CallConsents: ...
    @property
    def interpreter(self) -> CallInterpreter | None: ...
    @property
    def keeps(self) -> bool: ...


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


class CallLines:
    """A call's turns being heard, by member and start, each kept once whole (module
    docstring); `keeping`: a line being kept, or the call's end."""

    def __init__(self, call: Call) -> None:
        self._call = call
        self.turns: dict[Key, Turn] = {}
        self.starts: set[int] = set()  # the milliseconds its lines start at
        self.keeping = asyncio.Lock()

    def drop(self, member_id: str) -> None:
        """The member said no: the turn they are in is dropped whole, its pieces heard before
        too."""
        for (member, _), turn in self.turns.items():
            turn.dropped = turn.dropped or member == member_id

    def transcribed(self, piece: Piece, words: str | None) -> None:
        """`ListenedCall.transcribed`."""
        call, member_id, key = self._call, piece.member_id, (piece.member_id, piece.began)
        if (turn := self.turns.get(key)) is None:  # a piece answered after a no drops it too
            dropped = not call.consents.given(member_id, piece.began)
            turn = self.turns[key] = Turn(piece.speaker, dropped=dropped)
        if piece.index in turn.pieces.texts:
            return
        turn.pieces.add(piece.index, words, seconds=piece.seconds, last=piece.last)
        if turn.ended is None or piece.ended > turn.ended:
            turn.ended = piece.ended
        if piece.at_pause:
            turn.pauses.add(piece.index)
        if call.interpreter is not None:
            self._interpret(key, turn, call.interpreter)

    async def answered(
        self, keeper: TranscriptKeeper, piece: Piece, words: str | None, translated: str | None
    ) -> None:
        """`ListenedCall.answered`."""
        key = (piece.member_id, piece.began)
        self.transcribed(piece, words)
        turn = self.turns[key]
        turn.answered.add(piece.index)
        if not (made := turn.translation(piece.index)).done():
            made.set_result(translated or words)
        whole = turn.whole
        if whole:
            del self.turns[key]
        elif not words:
            return  # nothing new to show, nor to keep
        # Kept no later than shown: the caption the adapter shows next is in the transcript,
        # a crash or not; the whole turn replaces it, in its place.
        async with self.keeping:
            if turn.dropped:
                await self._withdraw(keeper, turn)
            else:
                words = turn.pieces.text() if whole else turn.pieces.every_text()
                await self._keep(keeper, key, turn, words)

    def _interpret(self, key: Key, turn: Turn, to: CallInterpreter) -> None:
        """The turn's pieces heard in order since the last part handed over: each part that is
        settled (`core.domain.listening.piece_words.settles`) to `to`, with its captions'
        translations as they come; a pause that settles nothing gives up its place in the queue."""
        member, began = key
        while turn.looked in turn.pieces.texts:
            at = turn.looked
            turn.looked += 1
            ends = at == turn.pieces.last
            words = turn.pieces.text_between(turn.part_from, at)
            if not ends and (at not in turn.pauses or not settles(words)):
                if at in turn.pauses:
                    to.skip((member, began, at))  # a pause inside a sentence: spoken later
                continue
            spoken = not turn.dropped and self._call.keeps and self._call.consents.given(member)
            translated = background_tasks.start(
                turn.translated_between(turn.part_from, at), name="a part's translations"
            )
            pieces = at + 1 - turn.part_from
            to.part((member, began, at), speaker=turn.speaker, words=words,
                    translated=translated, spoken=spoken, pieces=pieces,
                    ends_turn=ends)  # fmt: skip
            turn.part_from = at + 1

    async def withdraw(self, keeper: TranscriptKeeper, member_id: str) -> None:
        """`member_id` said no (`drop`): the lines of their turns under way, kept as their
        words were shown, are taken out of the transcript."""
        async with self.keeping:
            # A copy: while a line is taken out, another member's turn may begin.
            for (member, _), turn in list(self.turns.items()):
                if member == member_id and turn.dropped:
                    await self._withdraw(keeper, turn)

    async def keep_the_rest(self, keeper: TranscriptKeeper) -> None:
        """The turns whose end never came kept as they are (dropped ones taken out), and
        nothing left waiting for a translation; under `keeping`."""
        for key, turn in list(self.turns.items()):
            if turn.dropped:
                await self._withdraw(keeper, turn)
            else:
                await self._keep(keeper, key, turn, turn.pieces.every_text())
            for made in turn.translations.values():  # nothing waits for them any more
                if not made.done():
                    made.set_result(None)
        self.turns.clear()

    def line_start(self, at: datetime) -> float:
        """Seconds from the start of the call, a millisecond later when a line (of another
        speaker) starts then already: each line keeps a key of its own."""
        millis = max(0, round((at - self._call.started_at).total_seconds() * 1000))
        while millis in self.starts:
            millis += 1
        self.starts.add(millis)
        return millis / 1000

    async def _keep(self, keeper: TranscriptKeeper, key: Key, turn: Turn, words: str) -> None:
        """A turn kept as a line of the call's transcript (its words so far, replacing those
        kept before at its start), while its speaker consents and the call is not over, and
        its mandate holds in the database (no /forget, their yes standing); under
        `keeping`."""
        call, (member_id, began) = self._call, key
        if not call.keeps or not words:  # ended, or forgotten
            return
        if turn.dropped or member_id not in call.consents.consenting:  # a no since it was taken out
            await self._withdraw(keeper, turn)
            return
        if turn.start is None:
            turn.start = self.line_start(began)
        start = turn.start
        # Its sound's span: a pause its client went quiet for is in no piece, but in the turn.
        length = turn.pieces.seconds if turn.ended is None else (turn.ended - began).total_seconds()
        line = TranscriptPart(start, start + length, words, turn.speaker, member_id)
        mandate = None if call.mandate is None else call.mandate.of(member_id, None)
        await keeper.keep_part(
            call.server, call.recording, language=call.language, part=line, mandate=mandate,
            replace=True,
        )  # fmt: skip

    async def _withdraw(self, keeper: TranscriptKeeper, turn: Turn) -> None:
        """A dropped turn's line, kept as its words were shown, taken out; under `keeping`."""
        call = self._call
        if turn.start is not None and await keeper.withdraw_part(
            call.server, call.recording, start=turn.start
        ):
            turn.start = None
