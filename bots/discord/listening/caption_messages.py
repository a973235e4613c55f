"""A listened call's captions as its chat shows them: one line per speaker turn, "**Ann**: …",
the turn's words added to it by editing its message while the turn lasts (piece by piece, as
MiMo hears them), a new line, in a new message, when the speaker changes. Where a batch of lines
edits the newest message anyway, its new lines go there too, while it has room and nobody else
posted in the chat since (`interrupted`): each batch is then one request, not an edit and a
new message (issue 86: at the chat's pace, a batch's second request delayed every line after
it by one request's wait).

A member's caption line goes on with the next piece of the same turn, or while their next
utterance starts within `caption_gap` seconds of the end of their last one (so one line may hold
several of their turns; what ends a turn is `core.domain.listening.live_speech_rules.TurnEnds`); in
both cases only where nobody else's line came between. Two pieces' words are joined with the seam
mended (`core.domain.listening.piece_words.joined`: words MiMo heard at the end of one and the start
of the next shown once). Where captions are translated, a turn shows its translation, with what was
said under it in small print. Lines ready together share one message (under load, fewer requests
against Discord's rate limits); only the newest message is ever edited, once per batch of lines, and
never past Discord's 2,000 characters: then the turn goes on in a new message. At the end, the
goodbye carries the captions kept as files (`with_transcript`).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import discord

from bots.discord.answers.discord_replies import MESSAGE_LIMIT
from core.chat.transcript_files import call_files
from core.domain.listening.piece_words import joined
from core.domain.recordings.transcript_values import LongTranscript

__all__ = [
    "CAPTION_GAP",
    "Captions",
    "Line",
    "SpokenWords",
    "Update",
    "with_transcript",
]

# Seconds between a member's utterances that still go on one caption line. Not what ends a
# turn (`core.domain.listening.live_speech_rules.TurnEnds.silence_gap`): a line may hold several
# turns.
CAPTION_GAP = 3.0


@dataclass(frozen=True)
class SpokenWords:
    """One utterance's words, by one member."""

    member: str
    name: str
    words: str
    started_at: datetime
    ended_at: datetime
    # The words in the channel's language, where asked; "": theirs comes with a later piece
    # (an interpreter translating a sentence from its sound shows it on the sentence's end).
    translated: str | None = None
    turn: datetime | None = None  # when the turn it is a piece of began (None: a turn alone)


Line = SpokenWords | str  # str: a line of the bot's own (the day's quota used up)


@dataclass
class _Turn:
    member: str
    name: str
    words: str
    ended_at: datetime
    translated: str | None = None
    began: datetime | None = None  # the turn's start, for its pieces

    @classmethod
    def of(cls, spoken: SpokenWords) -> _Turn:
        return cls(
            spoken.member,
            spoken.name,
            spoken.words,
            spoken.ended_at,
            spoken.translated,
            spoken.turn,
        )

    def longer(self, spoken: SpokenWords) -> _Turn:
        """The turn going on with what `said` adds (a part without a translation is shown
        in the translation as it was said; one whose translation comes later, not yet)."""
        piece = spoken.turn is not None and spoken.turn == self.began  # the next piece of a turn
        join = joined if piece else _spaced
        translated = None
        if self.translated is not None or spoken.translated is not None:
            before, after = (
                _shown(self.translated, self.words),
                _shown(spoken.translated, spoken.words),
            )
            translated = join(before, after) if before and after else before or after
        words = join(self.words, spoken.words)
        return _Turn(self.member, self.name, words, spoken.ended_at, translated, self.began)


def _shown(translated: str | None, words: str) -> str:
    """What a part shows in its turn's translation: its own, its words where it has none, ""
    where its translation comes with a later piece."""
    return words if translated is None else translated


def _spaced(before: str, after: str) -> str:
    """Two utterances of one turn: as they were said, one after the other."""
    return f"{before} {after}"


@dataclass(frozen=True)
class Update:
    """What to send for a batch of lines: the newest message's text again (None: unchanged),
    then the texts of new messages, in order."""

    edit: str | None
    new: list[str]


class Captions:
    """The newest message's turns, and how each batch of lines changes the chat."""

    def __init__(
        self, *, render: Callable[[str, str, str | None], str], caption_gap: float
    ) -> None:
        self._render = render  # (name, words, translated) -> "**Name**: words"
        self._caption_gap = caption_gap
        self._shown: list[_Turn | str] = []  # the newest message's lines
        self._apart = False  # someone else posted after it: new lines go in a new message

    def interrupted(self) -> None:
        """Someone else posted in the chat: the next line starts a new message, below theirs
        (the current turn still grows where it is)."""
        self._apart = True

    def add(self, batch: list[Line], *, grows: bool = True) -> Update:
        """The batch's lines: `grows` False where the newest message is not known to be there
        (its post or last edit failed): new lines go in a new message."""
        shown, edited = list(self._shown), False
        new: list[list[_Turn | str]] = [[]]
        for line in batch:
            current = new[-1] if new[-1] or not shown else shown
            if self._goes_on(current, line):
                assert isinstance(line, SpokenWords)
                turn = current[-1]
                assert isinstance(turn, _Turn)
                longer = turn.longer(line)
                if self._size([*current[:-1], longer]) <= MESSAGE_LIMIT:
                    current[-1] = longer
                    edited = edited or current is shown
                    continue
            entry = line if isinstance(line, str) else _Turn.of(line)
            if new[-1] and not self._fits([*new[-1], entry]):
                new.append([])
            new[-1].append(entry)
        new = [lines for lines in new if lines]
        if edited and grows and new and not self._apart and self._fits([*shown, *new[0]]):
            shown += new.pop(0)  # edited anyway: its new lines go in the same request
        if new:
            self._apart = False
        self._shown = new[-1] if new else shown
        return Update(self._text(shown) if edited else None, [self._text(lines) for lines in new])

    def _fits(self, lines: list[_Turn | str]) -> bool:
        return self._size(lines) <= MESSAGE_LIMIT

    def _goes_on(self, lines: list[_Turn | str], line: Line) -> bool:
        if not lines or not isinstance(line, SpokenWords):
            return False
        last = lines[-1]
        if not isinstance(last, _Turn) or last.member != line.member:
            return False
        if line.turn is not None and line.turn == last.began:
            return True  # the next piece of the same turn
        return (line.started_at - last.ended_at).total_seconds() <= self._caption_gap

    def _text(self, lines: list[_Turn | str]) -> str:
        return "\n".join(line if isinstance(line, str) else self._line(line) for line in lines)

    def _line(self, turn: _Turn) -> str:
        """A turn as rendered; one whose only words are its translation's (a part translated
        from its sound, its last piece heard with no words) shows it as said, with no empty
        line of what was said under it."""
        if turn.translated and not turn.words.strip():
            return self._render(turn.name, turn.translated, None)
        return self._render(turn.name, turn.words, turn.translated)

    def _size(self, lines: list[_Turn | str]) -> int:
        return len(self._text(lines))


def with_transcript(
    bye: str, transcript: LongTranscript | None, locale: str
) -> tuple[str, list[discord.File]]:
    """A call's goodbye with its transcript, where one was kept, as files (text and subtitles)
    and the line that introduces them."""
    if transcript is None:
        return bye, []
    caption, made = call_files(transcript, locale)
    files = [discord.File(io.BytesIO(file.data), filename=file.name) for file in made]
    return f"{bye}\n{caption}", files
