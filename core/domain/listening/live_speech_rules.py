"""Live speech in pieces: when a member's turn ends, and where it is cut while they speak (how
the pieces' words are put back together: `core.domain.listening.piece_words`).

    TurnEnds     when a turn of speech is over: the member paused `silence_gap` seconds or
                 more (Discord clients stop sending as their voice activity detection hears
                 silence), by the sender's own clock where the packets carry it, by arrival
                 only where the arrival is known (a packet read from a backlog arrived earlier
                 than it was read); a turn whose packets stopped that long ago is over
    PieceCutter  the levels of a turn's 20 ms frames in, where to cut out: at a short pause
                 (a dip of `pause` seconds under the turn's speaking level) once a piece holds
                 `shortest` seconds, or where the member's packets stopped that long once it
                 holds `stalled`; where nobody pauses, at `longest`, at the quietest moment
                 of its last `look_back` seconds (between words, where there is such a moment);
                 whether each cut was at a pause; a pause right after a cut through speech
                 cuts too, its sliver of sound nothing to hear. The call's rules: SOONER (as
                 `/listen` comes) or CHEAPER (`cheaper:True`), longer still while the calls'
                 speech would take more than the account's minute of speech recognition holds
                 (`stretch`: LONGER, then LONGEST, the ceiling)
    Piece        one piece of a member's turn as the adapter cut it, handed to the core
    Caption      what the core heard in a piece, as its caption shows it

Pure: no clock, no audio library; the adapter measures each frame's level and its gaps, and
cuts the PCM where `TurnEnds` and `PieceCutter` say.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.domain import errors
from core.domain.mimo.account_minute_rules import ModelMinute
from core.domain.mimo.token_estimates import recognition_tokens

__all__ = [
    "CHEAPER", "LONGER", "LONGEST", "PIECES", "SOONER", "STRETCHES", "TURNS", "Caption", "Piece",
    "PieceCutter", "PieceRules", "TurnEnds", "cut_length", "piece_rules", "stretch",
]  # fmt: skip

FRAME_SECONDS = 0.02


@dataclass(frozen=True)
class PieceRules:
    """How a turn is cut into pieces while it lasts."""

    shortest: float = 2.0  # a piece is cut at a pause once it holds this many seconds...
    longest: float = 4.0  # ...and at the latest at this many, pause or not
    # ...and where the member's packets stopped for `pause` (their client sends nothing while
    # they are silent: a pause nobody may hear the end of before their next word) once it
    # holds this many
    stalled: float = 2.0
    pause: float = 0.2  # a dip of the level at least this long is a pause
    look_back: float = 1.0  # at `longest`: the quietest moment within this many seconds
    sliver: float = 0.1  # a pause after no more sound than this cuts too: the sliver is dropped
    quiet_ratio: float = 0.1  # quiet: under this part of the turn's loudest frame (-20 dB)...
    floor: int = 200  # ...or under this level (RMS of 16-bit samples) whatever the turn

    def frames(self, seconds: float) -> int:
        return max(1, round(seconds / FRAME_SECONDS))


# The product's two ways (bench 11 measures both). SOONER, as `/listen` comes: pieces of 0.8 to
# 0.98 s, so that a word shows within about three seconds of being said, and a piece is billed
# one whole second (MiMo's answer counts whole seconds: a piece of 1.1 s would be billed two);
# a piece whose speaker stopped (their client's last frames silence) is sent at once, however
# short (the end of a sentence, heard 0.2 s after it rather than at the next word or the turn's
# end, 0.4 s later).
# CHEAPER, `/listen cheaper:True`, and a call while MiMo falls behind: pieces of 2 to 4 s, a word
# shown four to six seconds after it is said, a third of the requests and fewer seconds billed.
SOONER = PieceRules(shortest=0.8, longest=0.98, look_back=0.3, stalled=0.0)
CHEAPER = PieceRules()
PIECES = SOONER  # the product's, unless a call asks for CHEAPER
# Longer still while the calls' speech would take more of the account's minute of speech
# recognition than it holds (`stretch`): a word shown some eight, then some sixteen seconds
# after it is said, in a half, then a quarter of CHEAPER's requests, rather than pieces that
# wait for the minute ever longer. LONGEST is the ceiling: a caption later than that is hardly
# live, and it stays far within MiMo's audio limit (10 MB of base64 a request, some 78 s of
# audio at 48 kHz, 234 s at the 16 kHz a call's pieces are sent at).
LONGER = PieceRules(shortest=4.0, longest=8.0, stalled=4.0)
LONGEST = PieceRules(shortest=8.0, longest=16.0, stalled=8.0)
STRETCHES = (SOONER, CHEAPER, LONGER, LONGEST)  # by how far a call's pieces are lengthened
# The calls' speech may take this share of the minute at the length their pieces are cut at;
# past it they are cut longer, and shorter again only once the shorter pieces would take less
# than STRETCH_DOWN (so that the length does not swing back and forth at the edge).
STRETCH_UP = 0.8
STRETCH_DOWN = 0.6


def piece_rules(*, cheaper: bool, stretch: int = 0) -> PieceRules:
    """A call's rules: SOONER, or CHEAPER where `cheaper`, or longer where the account's
    minute asks for it (`stretch`, an index of `STRETCHES`)."""
    return STRETCHES[min(len(STRETCHES) - 1, max(stretch, 1 if cheaper else 0))]


def stretch(
    speech_seconds: float, minute: ModelMinute, *, now: int = 0, turns: Sequence[float] = ()
) -> int:
    """How far the calls' pieces are to be lengthened (an index of `STRETCHES`), `now` at
    `now`, for `speech_seconds` of their speech a minute in the speech recognition `minute`:
    the shortest pieces whose requests and tokens take at most `STRETCH_UP` of it (else the
    ceiling); shorter than `now` only as far as the shorter take at most `STRETCH_DOWN`.
    `turns`: the lengths of the turns lately ended, whose ends cut their last pieces short
    (`cut_length`); none known, the pieces are taken as their rules' middle.

    Measured in seconds of speech rather than in requests, the calls' demand does not change
    with the length of their pieces: longer pieces do not make it look smaller, and their
    length does not swing back once they are longer."""
    shares = [_share(speech_seconds, rules, minute, turns) for rules in STRETCHES]
    ceiling = len(STRETCHES) - 1
    up = next((i for i, share in enumerate(shares) if share <= STRETCH_UP), ceiling)
    if up >= now:
        return up
    down = next((i for i, share in enumerate(shares) if share <= STRETCH_DOWN), ceiling)
    return max(up, min(now, down))


def cut_length(rules: PieceRules, turns: Sequence[float] = ()) -> float:
    """How long a piece cut by `rules` is on average, for turns of the lengths `turns`: each
    turn cut into pieces of the rules' middle, its last one what is left (so a turn of 7 s is
    two pieces of 3.5 s on average at 4 to 8 s); the middle where no turn is known."""
    typical = (rules.shortest + rules.longest) / 2
    pieces = sum(max(1, math.ceil(turn / typical)) for turn in turns)
    return sum(turns) / pieces if pieces else typical


def _share(
    speech_seconds: float, rules: PieceRules, minute: ModelMinute, turns: Sequence[float]
) -> float:
    """The share of `minute` that `speech_seconds` of speech cut by `rules` takes: by its
    requests or its tokens, whichever is more."""
    typical = cut_length(rules, turns)
    requests = speech_seconds / typical
    tokens = requests * recognition_tokens(typical)
    return max(requests / minute.requests, tokens / minute.tokens)


@dataclass(frozen=True)
class TurnEnds:
    """When a member's turn is over (see the module docstring)."""

    silence_gap: float = 0.6  # seconds without a member's speech that end their turn

    def paused(self, *, sent_gap: float, arrival_gap: float, arrival_known: bool) -> bool:
        """Whether a frame comes after a pause that ended the turn before it: `sent_gap`,
        the seconds the sender's clock went on beyond one frame since their last; `arrival_gap`,
        the seconds between the two frames' arrival, which counts only where `arrival_known`."""
        if sent_gap > self.silence_gap:
            return True  # the sender's clock went on: they paused
        return arrival_known and arrival_gap >= self.silence_gap

    def over(self, quiet_for: float) -> bool:
        """Whether a turn whose packets stopped `quiet_for` seconds ago is over."""
        return quiet_for >= self.silence_gap


TURNS = TurnEnds()  # the product's


class PieceCutter:
    """One turn's frames, by level, cut into pieces (see the module docstring). `add` takes
    each frame's level in order; a cut is how many frames of the piece so far make the piece
    (the others begin the next one)."""

    def __init__(self, rules: PieceRules = PIECES) -> None:
        self._levels: list[int] = []  # the piece so far
        self._loudest = 0  # of the turn
        self.use(rules)
        self.at_pause = True  # the last cut's: at a pause, or through speech
        self.nothing = False  # ...and whether its piece holds nothing to hear (a sliver)

    def use(self, rules: PieceRules) -> None:
        """Cut by `rules` from now on (the piece so far included)."""
        self.rules = rules
        self._shortest = rules.frames(rules.shortest)
        self._longest = rules.frames(rules.longest)
        self._pause = rules.frames(rules.pause)
        self._look_back = rules.frames(rules.look_back)
        self._sliver = rules.frames(rules.sliver)
        self._stalled = rules.frames(rules.stalled)  # at least one frame

    @property
    def frames(self) -> int:
        """Frames in the piece so far."""
        return len(self._levels)

    def add(self, level: int) -> int | None:
        """The next frame's level; where to cut the piece (frames), or None: not yet. After a
        cut, `at_pause` says whether it was at a pause (else through speech, at `longest`)."""
        self._levels.append(level)
        self._loudest = max(self._loudest, level)
        count = len(self._levels)
        if count >= self._pause and self._paused_at_end():
            if count >= self._shortest:
                return self._cut(count)
            if not self.at_pause and count - self._pause <= self._sliver:
                # A pause just after a cut through speech: the piece before ended there, all
                # but a sliver (a word's last frames); cut, nothing of it to hear.
                return self._cut(count, nothing=True)
        if count >= self._longest:
            at = self._quietest()
            # Cut where the member was quiet after all (a pause shorter than `pause`, or one
            # that began just before `longest`): nothing was cut through.
            quiet = all(self._quiet(level) for level in self._levels[max(0, at - 1) : at + 2])
            return self._cut(at, at_pause=quiet)
        return None

    def stopped(self, seconds: float, *, went_quiet: bool = False) -> bool:
        """The member's packets stopped `seconds` ago: whether that pause ends the piece here,
        as a dip would. A client that stops because its user went quiet says so (`went_quiet`:
        it sent its frames of silence) or trails off, and the piece, ending quietly, is cut
        once it holds `stalled`; packets lost or late in the middle of a word (the piece ends
        loud, no silence sent) cut it only once it holds `shortest`, and not at a pause. Then
        the whole piece is cut (`cut_all`), nothing to hear in it where it holds no more than
        a sliver."""
        if seconds < self.rules.pause or not self._levels:
            return False
        quietly = went_quiet or self._ends_quietly()
        return len(self._levels) >= (self._stalled if quietly else self._shortest)

    def nothing_to_hear(self) -> bool:
        """Whether the piece so far holds no more sound than a `sliver` (the end of a turn cut
        at a pause, or a word's last frames after a cut through it): nothing a recogniser
        would make a word of, not worth a request billed a whole second."""
        # By the floor alone: a knock that made the turn loud must not make soft speech quiet.
        return sum(1 for level in self._levels if level >= self.rules.floor) <= self._sliver

    def cut_all(self, *, went_quiet: bool = False) -> int:
        quietly, nothing = went_quiet or self._ends_quietly(), self.nothing_to_hear()
        return self._cut(len(self._levels), at_pause=quietly, nothing=nothing)

    def _ends_quietly(self) -> bool:
        return bool(self._levels) and self._quiet(self._levels[-1])

    def _quiet(self, level: int) -> bool:
        return level < max(self.rules.floor, self._loudest * self.rules.quiet_ratio)

    def _paused_at_end(self) -> bool:
        return all(self._quiet(level) for level in self._levels[-self._pause :])

    def _quietest(self) -> int:
        """Where to cut a piece nobody paused in: after the quietest three frames of its last
        `look_back` seconds (the latest of equals: the piece as long as it may be)."""
        levels, count = self._levels, len(self._levels)
        best, at = None, count
        for end in range(max(3, count - self._look_back), count + 1):
            loudness = sum(levels[end - 3 : end])
            if best is None or loudness <= best:
                best, at = loudness, end - 1  # cut in the middle of the three
        return at

    def _cut(self, at: int, *, at_pause: bool = True, nothing: bool = False) -> int:
        self._levels = self._levels[at:]
        self.at_pause, self.nothing = at_pause, nothing
        return at


@dataclass(frozen=True)
class Piece:
    """One piece of a member's turn (named `speaker`) as the adapter cut it: 16-bit mono `pcm`
    from `started_at`; `turn`: when the turn began (None: with this piece); `index`: its place
    in the turn; `last`: it ends the turn; `at_pause`: it ends where the member paused, not cut
    through their speech."""

    member_id: str
    speaker: str
    pcm: bytes
    sample_rate: int
    started_at: datetime
    turn: datetime | None = None
    index: int = 0
    last: bool = True
    at_pause: bool = True

    @property
    def began(self) -> datetime:
        """When its turn began."""
        return self.turn or self.started_at

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate

    @property
    def ended(self) -> datetime:
        """When its sound ended."""
        return self.started_at + timedelta(seconds=self.seconds)

    @property
    def turn_seconds(self) -> float | None:
        """How long the turn it ends lasted; None when it does not end one."""
        return (self.ended - self.began).total_seconds() if self.last else None


@dataclass(frozen=True)
class Caption:
    """What one member said in one piece, and its translation where captions are translated
    (None: not asked, already in that language, or not to be had). `refused`: MiMo refused the
    model the translations take, here first: the captions go on untranslated, and the chat is
    told once (the log has it)."""

    words: str
    translated: str | None = None
    refused: errors.MimoModelRefused | None = None
