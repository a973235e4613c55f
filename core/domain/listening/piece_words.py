"""How a turn's pieces' words are put back together, in the order they were said, each word
once (the pieces themselves: `core.domain.listening.live_speech_rules`).

    joined       two pieces' texts as one: what MiMo heard twice at the seam (the same words at
                 the end of one and the start of the next, or a word cut in two) said once
    TurnPieces   one turn's pieces as MiMo answers them, in any order: the text so far in the
                 order said, and whether the turn is whole (its last piece and all before it)
    settles      whether words that ended at a pause end a sentence: an interpreter speaks them
                 without waiting for the rest of the turn

Pure: words in, words out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["SEAM_WORDS", "TurnPieces", "joined", "settles"]

_EDGE = re.compile(r"^\W+|\W+$")
SEAM_WORDS = 4  # the most words MiMo hears twice at a seam


def _bare(word: str) -> str:
    return _EDGE.sub("", word).casefold()


def joined(before: str, after: str) -> str:
    """`before` then `after`, two pieces of one turn: the words both hold at the seam (up to
    `SEAM_WORDS`), or a word cut in two ("transcrip" + "transcription", "transcription" +
    "tion"), said once; a full stop MiMo put at the end of a piece that the next one goes on
    from in lower case, taken off."""
    first, second = before.split(), after.split()
    if not first:
        return after.strip()
    if not second:
        return before.strip()
    for size in range(min(SEAM_WORDS, len(first), len(second)), 0, -1):
        tail = [_bare(w) for w in first[-size:]]
        if all(tail) and tail == [_bare(w) for w in second[:size]]:
            first = first[:-size]  # the later piece heard them whole, with what follows
            break
    else:
        last, next_ = _bare(first[-1]), _bare(second[0])
        if len(last) >= 2 and next_.startswith(last) and next_ != last:
            first = first[:-1]  # the end of the word is in the next piece: its whole word
        elif len(next_) >= 3 and last.endswith(next_) and last != next_:
            second = second[1:]  # the piece before heard the whole word
    if first and second and first[-1].endswith(".") and second[0][:1].islower():
        first[-1] = first[-1][:-1]
    return " ".join([*first, *second])


@dataclass
class TurnPieces:
    """One turn's pieces' words (None: a piece that gave none), by their place in the turn."""

    texts: dict[int, str | None] = field(default_factory=dict)
    last: int | None = None  # the index of the turn's last piece, once it came
    seconds: float = 0.0  # the turn's length so far, every piece heard together

    def add(self, index: int, text: str | None, *, seconds: float, last: bool) -> None:
        self.texts[index] = text
        self.seconds += seconds
        if last:
            self.last = index

    @property
    def whole(self) -> bool:
        """Every piece of the turn answered, its last one included."""
        return self.last is not None and all(i in self.texts for i in range(self.last + 1))

    def text(self) -> str:
        """The words of the pieces answered so far, in the order said, seams mended; a piece
        still awaited leaves out those after it."""
        words = ""
        index = 0
        while index in self.texts:
            piece = self.texts[index]
            if piece:
                words = joined(words, piece)
            index += 1
        return words

    def text_between(self, first: int, last: int) -> str:
        """The words of pieces `first` to `last` (all answered), in order, seams mended."""
        words = ""
        for index in range(first, last + 1):
            if piece := self.texts.get(index):
                words = joined(words, piece)
        return words

    def every_text(self) -> str:
        """All the words answered, in the order said, gaps or not (a turn ended unfinished)."""
        words = ""
        for index in sorted(self.texts):
            piece = self.texts[index]
            if piece:
                words = joined(words, piece)
        return words


_SENTENCE_END = re.compile(r"[.!?。！？…]['\"”’»」』)）]*$")


def settles(words: str) -> bool:
    """Whether words that ended at a pause end a sentence too (a full stop, a question or an
    exclamation mark, in Latin or Chinese and Japanese punctuation, quotes after it allowed):
    what an interpreter speaks without waiting for the rest of the turn."""
    return bool(_SENTENCE_END.search(words.strip()))
