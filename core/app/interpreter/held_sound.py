"""The sound of a listened call's turns, held in memory for each part's translation from its
sound (DISCORD_INTERPRET_FROM=audio, `core.app.interpreter.audio_interpretation`): each piece of a
consenting member's turn as it is handed over for recognition, until the part it is of has been
handed to the interpreter; then let go. Nothing of it is written anywhere. The other way (from
the recognised words) holds nothing here.

    add        a piece, by its turn and its place in it; a piece with no sound (a turn's last
               when the client went quiet, a sliver after a cut) is silence: held as nothing
    first      where the turn's next part begins: after the last part handed over
    size_between  how long the sound of pieces `first` to `last` is, without joining it
    between    the sound of pieces `first` to `last`, joined (None: one of them never came, or
               was let go as part of a part too long to send)
    heard_after  whether a piece after one, with sound, has come (the part's sound grew)
    goes_on    a pause inside a sentence (its words said so): no part ends there
    handed     the part ending at `last` was handed over: the sound up to it is let go

Held no more than could be sent: a part longer than `longest` (FROM_AUDIO_LONGEST) is never
sent from its sound, so once the part under way is longer than that up to the first place it
may end (a pause whose words are not known yet, or the piece last heard), its sound is let go,
and so is every piece of it that comes after, until a part ends: a member who never ends a
sentence (music through a microphone) is held at most `longest` seconds, and what came after a
pause whose words are not known yet (what its sentence's end may need), not the whole turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.domain.listening.interpreter_rules import FROM_AUDIO_LONGEST
from core.domain.listening.live_speech_rules import Piece

__all__ = ["PartKey", "TurnKey", "TurnSounds"]

TurnKey = tuple[str, datetime]  # a turn's member and start
PartKey = tuple[str, datetime, int]  # (member, when the turn began, its part's last piece)


@dataclass
class _HeldTurn:
    rate: int
    rated: bool = False  # its rate is its first sound's
    first: int = 0  # where its next part begins
    pieces: dict[int, bytes] = field(default_factory=dict)
    last: int | None = None  # the piece ending the turn, once it came
    newest: int = -1  # the latest piece come
    sounded: int = -1  # the latest piece come with sound
    # The pieces at a pause (and the turn's last) whose words have not said yet whether the
    # part ends there: where the part under way may end.
    open_ends: set[int] = field(default_factory=set)
    # Pieces `first` to this one are of a part too long to send: let go, and not held if
    # they come late (-1: none).
    let_go_to: int = -1


class TurnSounds:
    """Each turn's sound not yet handed over, held in memory (module docstring)."""

    def __init__(self, *, longest: float = FROM_AUDIO_LONGEST) -> None:
        self._turns: dict[TurnKey, _HeldTurn] = {}
        self._longest = longest  # seconds: a part longer than this is never sent

    def add(self, piece: Piece) -> None:
        key = (piece.member_id, piece.began)
        turn = self._turns.setdefault(key, _HeldTurn(piece.sample_rate))
        index = piece.index
        if piece.pcm and not turn.rated:  # the rate its first sound has
            turn.rate, turn.rated = piece.sample_rate, True
        turn.newest = max(turn.newest, index)
        if piece.pcm:
            turn.sounded = max(turn.sounded, index)
        if index >= turn.first and (piece.at_pause or piece.last):
            turn.open_ends.add(index)
        if (index >= turn.first and index > turn.let_go_to
                and (not piece.pcm or piece.sample_rate == turn.rate)):  # fmt: skip
            turn.pieces[index] = piece.pcm
        if piece.last:
            turn.last = index
        self._bound(turn)

    def first(self, key: TurnKey) -> int:
        turn = self._turns.get(key)
        return 0 if turn is None else turn.first

    def ends_turn(self, key: TurnKey, index: int) -> bool:
        """Whether the piece `index` is the turn's last."""
        turn = self._turns.get(key)
        return turn is not None and turn.last == index

    def size_between(self, key: TurnKey, first: int, last: int) -> int | None:
        """The bytes of sound of pieces `first` to `last` (`between`, not joined); None where
        one is missing."""
        turn = self._turns.get(key)
        if turn is None or any(i not in turn.pieces for i in range(first, last + 1)):
            return None
        return sum(len(turn.pieces[i]) for i in range(first, last + 1))

    def between(self, key: TurnKey, first: int, last: int) -> tuple[bytes, int] | None:
        """16-bit mono PCM of pieces `first` to `last` and its rate; None where one is missing
        (not heard, or let go already). A piece with no sound adds none."""
        turn = self._turns.get(key)
        if turn is None or any(i not in turn.pieces for i in range(first, last + 1)):
            return None
        return b"".join(turn.pieces[i] for i in range(first, last + 1)), turn.rate

    def heard_after(self, key: TurnKey, index: int) -> bool:
        """Whether a piece after `index`, with sound, has come in the turn."""
        turn = self._turns.get(key)
        return turn is not None and turn.sounded > index

    def goes_on(self, key: TurnKey, index: int) -> None:
        """The pause at piece `index` is inside a sentence: no part ends there."""
        turn = self._turns.get(key)
        if turn is not None:
            turn.open_ends.discard(index)
            self._bound(turn)

    def handed(self, key: TurnKey, last: int, *, ends_turn: bool) -> None:
        """The part ending with piece `last` was handed over: its sound is let go (the whole
        turn's, where it ended the turn)."""
        turn = self._turns.get(key)
        if turn is None:
            return
        if ends_turn:
            del self._turns[key]
            return
        turn.first = max(turn.first, last + 1)
        for index in [i for i in turn.pieces if i <= last]:
            del turn.pieces[index]
        turn.open_ends = {index for index in turn.open_ends if index > last}
        self._bound(turn)

    def drop(self, member: str | None = None) -> None:
        """Everything of `member` (a no), or of everyone (the call ended)."""
        for key in [k for k in self._turns if member is None or k[0] == member]:
            del self._turns[key]

    def _bound(self, turn: _HeldTurn) -> None:
        """Let go of the part under way up to the first place it may end (module docstring)
        once it can no longer be sent: longer than `longest` by then, or known to be so."""
        ends = [index for index in turn.open_ends if index >= turn.first]
        upto = min(ends) if ends else turn.newest
        if upto < turn.first:
            return
        if turn.let_go_to < turn.first:  # not known to be too long yet: measured
            size = sum(len(pcm) for i, pcm in turn.pieces.items() if turn.first <= i <= upto)
            if size <= self._longest * turn.rate * 2:
                return
        for index in [i for i in turn.pieces if turn.first <= i <= upto]:
            del turn.pieces[index]
        turn.let_go_to = max(turn.let_go_to, upto)
