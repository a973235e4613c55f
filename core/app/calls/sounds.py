"""The sound of a listened call's turns, held in memory for each part's translation from its
sound (DISCORD_INTERPRET_FROM=audio, `core.app.calls.translations_from_audio`): each piece of a
consenting member's turn as it is handed over for recognition, until the part it is of has been
handed to the interpreter; then let go. Nothing of it is written anywhere. The other way (from
the recognised words) holds nothing here.

    add        a piece, by its turn and its place in it; a piece with no sound (a turn's last
               when the client went quiet, a sliver after a cut) is silence: held as nothing
    first      where the turn's next part begins: after the last part handed over
    between    the sound of pieces `first` to `last`, joined (None: one of them never came)
    heard_after  whether a piece after one, with sound, has come (the part's sound grew)
    handed     the part ending at `last` was handed over: the sound up to it is let go
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.domain.live_speech import Piece

TurnKey = tuple[str, datetime]  # a turn's member and start
PartKey = tuple[str, datetime, int]  # (member, when the turn began, its part's last piece)


@dataclass
class _Turn:
    rate: int
    first: int = 0  # where its next part begins
    pieces: dict[int, bytes] = field(default_factory=dict)
    last: int | None = None  # the piece ending the turn, once it came


class TurnSounds:
    """Each turn's sound not yet handed over, held in memory (module docstring)."""

    def __init__(self) -> None:
        self._turns: dict[TurnKey, _Turn] = {}

    def add(self, piece: Piece) -> None:
        key = (piece.member_id, piece.began)
        turn = self._turns.setdefault(key, _Turn(piece.sample_rate))
        if piece.pcm and not any(turn.pieces.values()):  # the rate its first sound has
            turn.rate = piece.sample_rate
        if piece.index >= turn.first and (not piece.pcm or piece.sample_rate == turn.rate):
            turn.pieces[piece.index] = piece.pcm
        if piece.last:
            turn.last = piece.index

    def first(self, key: TurnKey) -> int:
        turn = self._turns.get(key)
        return 0 if turn is None else turn.first

    def ends_turn(self, key: TurnKey, index: int) -> bool:
        """Whether the piece `index` is the turn's last."""
        turn = self._turns.get(key)
        return turn is not None and turn.last == index

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
        return turn is not None and any(i > index and pcm for i, pcm in turn.pieces.items())

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

    def drop(self, member: str | None = None) -> None:
        """Everything of `member` (a no), or of everyone (the call ended)."""
        for key in [k for k in self._turns if member is None or k[0] == member]:
            del self._turns[key]
