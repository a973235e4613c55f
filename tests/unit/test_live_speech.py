"""Live speech in pieces (`core.domain.listening.live_speech_rules`): where a turn is cut while it
lasts (levels in, cut points out), how two pieces' words meet at a seam, and a turn's pieces in the
order said whatever order MiMo answered them in."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from core.domain.listening.live_speech_rules import (
    CHEAPER,
    SOONER,
    PieceCutter,
    PieceRules,
    TurnEnds,
)
from core.domain.listening.piece_words import TurnPieces, joined, settles

LOUD, HUSH = 3000, 20
FRAMES_A_SECOND = 50


def cuts(levels: list[int], rules: PieceRules = CHEAPER) -> list[int]:
    """Where the cutter cut, in frames from the start of the turn."""
    cutter, at, found = PieceCutter(rules), 0, []
    for n, level in enumerate(levels, start=1):
        cut = cutter.add(level)
        if cut is not None:
            at += cut
            found.append(at)
            assert at <= n
    return found


def seconds(count: float, level: int = LOUD) -> list[int]:
    return [level] * round(count * FRAMES_A_SECOND)


def test_a_short_pause_after_two_seconds_cuts_the_piece_as_it_is_heard() -> None:
    levels = [*seconds(2.5), *seconds(0.3, HUSH), *seconds(1.0)]
    assert cuts(levels) == [125 + 10]  # 0.2 s into the pause: not waiting for its end


def test_a_pause_before_two_seconds_does_not_cut() -> None:
    levels = [*seconds(1.0), *seconds(0.3, HUSH), *seconds(0.6)]
    assert cuts(levels) == []


def test_where_nobody_pauses_a_piece_is_cut_at_four_seconds() -> None:
    assert cuts(seconds(9.0)) == [199, 398]


def test_at_four_seconds_the_cut_is_where_it_was_quietest_in_the_last_second() -> None:
    # Between two words at 3.3 s: quieter, too briefly for a pause (60 ms)...
    levels = [*seconds(3.3), *seconds(0.06, LOUD // 3), *seconds(1.0)]
    [cut] = cuts(levels)
    assert 165 <= cut <= 168  # ...is where the piece ends, not inside the word at 4 s


def test_a_word_is_never_cut_where_a_pause_was_within_the_last_second() -> None:
    # A short silence (0.1 s, under the pause) at 3.4 s: the piece ends inside it.
    levels = [*seconds(3.4), *seconds(0.1, HUSH), *seconds(1.0)]
    [cut] = cuts(levels)
    assert 170 <= cut <= 175


def test_the_level_that_is_quiet_follows_the_speaker() -> None:
    # A soft speaker: their dips are quiet against their own voice, not an absolute level.
    soft = 600
    levels = [*seconds(2.2, soft), *seconds(0.25, 40), *seconds(1.0, soft)]
    assert cuts(levels) == [110 + 10]


def test_packets_stopping_end_a_piece_long_enough() -> None:
    cutter = PieceCutter(CHEAPER)
    for level in seconds(1.5):
        cutter.add(level)
    assert not cutter.stopped(0.3)  # too short a piece yet
    for level in seconds(0.6):
        cutter.add(level)
    assert not cutter.stopped(0.1)
    assert cutter.stopped(0.2)
    assert cutter.cut_all() == 105 and cutter.frames == 0


def test_sooner_a_piece_ends_where_the_packets_stop_however_short_and_a_sliver_is_nothing() -> None:
    """The end of a sentence, 0.3 s after the piece before was cut through it, then the few
    frames of silence a client sends as it stops: the piece is sent 0.2 s after, at a pause,
    not at the member's next word or the turn's end. A sliver of sound so cut holds nothing to
    hear."""
    cutter = PieceCutter(SOONER)
    for level in [*seconds(0.3), *seconds(0.1, HUSH)]:
        cutter.add(level)
    assert not cutter.stopped(0.1)
    assert cutter.stopped(0.2)
    assert cutter.cut_all() == 20 and cutter.at_pause and not cutter.nothing
    for level in [LOUD, LOUD, LOUD, HUSH, HUSH]:  # a word's last frames
        cutter.add(level)
    assert cutter.stopped(0.2)
    assert cutter.cut_all() == 5 and cutter.nothing


def test_packets_lost_in_the_middle_of_a_word_cut_no_short_piece_and_no_pause() -> None:
    """The packets stop while the piece is loud (lost or late on the network, not a client
    going quiet): a piece shorter than `shortest` waits for them; a longer one is cut, but not
    at a pause (an interpreter takes no sentence to end there)."""
    cutter = PieceCutter(SOONER)
    for level in seconds(0.5):
        cutter.add(level)
    assert not cutter.stopped(0.3)
    for level in seconds(0.4):
        cutter.add(level)
    assert cutter.stopped(0.3)
    assert cutter.cut_all() == 45 and not cutter.at_pause


@given(st.lists(st.sampled_from([HUSH, 150, LOUD // 4, LOUD]), max_size=1500))
def test_every_frame_is_in_one_piece_and_no_piece_is_longer_than_four_seconds(
    levels: list[int],
) -> None:
    found = cuts(levels)
    edges = [0, *found, len(levels)]
    lengths = [b - a for a, b in itertools.pairwise(edges)]
    assert all(0 < length <= 200 for length in lengths[:-1])
    assert lengths[-1] <= 200 and sum(lengths) == len(levels)


def test_words_heard_twice_at_a_seam_are_shown_once() -> None:
    assert joined("we met on", "on Tuesday at noon") == "we met on Tuesday at noon"
    assert joined("see you at the", "at the station.") == "see you at the station."
    assert joined("it is a transcrip", "transcription of it") == "it is a transcription of it"
    assert joined("it is a transcription", "tion of it") == "it is a transcription of it"


def test_pieces_without_a_seam_are_joined_as_said() -> None:
    assert joined("", "hello") == "hello"
    assert joined("Hello there.", "") == "Hello there."
    assert joined("I came.", "I saw.") == "I came. I saw."
    assert joined("we went to the", "shop") == "we went to the shop"
    assert joined("the cat", "at home") == "the cat at home"  # a short word is no fragment


def test_a_full_stop_the_next_piece_goes_on_from_is_taken_off() -> None:
    assert joined("so we went to the shop.", "and bought bread") == (
        "so we went to the shop and bought bread"
    )


def test_a_turn_shows_its_pieces_in_the_order_said_whatever_order_they_came() -> None:
    turn = TurnPieces()
    turn.add(1, "second part", seconds=3, last=False)
    assert turn.text() == "" and not turn.whole  # the first one is still awaited
    turn.add(0, "first part", seconds=3, last=False)
    assert turn.text() == "first part second part"
    turn.add(3, "the end", seconds=1, last=True)
    assert turn.text() == "first part second part" and not turn.whole
    turn.add(2, None, seconds=2, last=False)  # a piece that gave no words
    assert turn.whole and turn.seconds == 9
    assert turn.text() == "first part second part the end"


def test_a_turn_ended_with_a_piece_missing_keeps_what_was_heard_in_order() -> None:
    turn = TurnPieces()
    turn.add(2, "three", seconds=1, last=True)
    turn.add(0, "one", seconds=1, last=False)
    assert not turn.whole and turn.every_text() == "one three"


def test_a_turn_ends_at_a_pause_by_the_senders_clock_or_by_arrival_where_it_is_known() -> None:
    turns = TurnEnds(silence_gap=0.6)
    assert turns.paused(sent_gap=0.7, arrival_gap=0.02, arrival_known=False)  # the sender paused
    assert turns.paused(sent_gap=0.0, arrival_gap=0.6, arrival_known=True)  # nothing came
    # Read from a backlog: its late arrival says nothing of a pause.
    assert not turns.paused(sent_gap=0.0, arrival_gap=2.0, arrival_known=False)
    assert not turns.paused(sent_gap=0.5, arrival_gap=0.5, arrival_known=True)
    assert turns.over(0.6) and not turns.over(0.59)


# --- /listen as it comes (SOONER): pieces under a whole second ---------------------------------


def test_sooner_pieces_are_under_a_second_and_cut_at_a_pause_once_they_hold_most_of_one() -> None:
    levels = [*seconds(3.0), *seconds(0.3, HUSH), *seconds(0.5), *seconds(0.3, HUSH)]
    found = cuts(levels, SOONER)
    assert found[:3] == [48, 96, 144]  # under 0.98 s each: MiMo bills each one second
    pieces = [b - a for a, b in itertools.pairwise([0, *found])]
    assert all(size <= 49 for size in pieces)
    # 0.5 s of speech then a pause: too short a piece to cut at the pause (it would cost a
    # whole second for half of one); it goes on.
    assert 150 + 15 + 25 + 10 not in found


def test_a_pause_just_after_a_cut_through_speech_cuts_a_sliver_with_nothing_to_hear() -> None:
    """A sentence ending a frame after a cut at 0.98 s: the pause is still where a piece ends
    (an interpreter speaks the sentence there), and its sliver of sound is not heard."""
    cutter = PieceCutter(SOONER)
    forced = [cutter.add(level) for level in seconds(1.0)]
    assert forced[48] == 48 and not cutter.at_pause  # through her speech
    rest = [cutter.add(level) for level in seconds(0.4, HUSH)]
    [sliver] = [cut for cut in rest if cut is not None]
    assert sliver == 2 + 10 and cutter.at_pause and cutter.nothing


def test_what_ends_a_sentence_settles_a_part_and_what_goes_on_does_not() -> None:
    for words in (
        "Hello everyone.",
        "Shall we start?",
        "好的，我们开始吧。",
        'He said "go!"',
        "Wait…",
    ):
        assert settles(words), words
    for words in ("we met on", "好的，", "First, ", ""):
        assert not settles(words), words


def test_a_turns_pieces_between_two_places_are_joined_as_said() -> None:
    turn = TurnPieces()
    for index, words in enumerate(["Hello everyone.", "Shall we", "we start?"]):
        turn.add(index, words, seconds=1.0, last=index == 2)
    assert turn.text_between(1, 2) == "Shall we start?"
    assert turn.text_between(0, 0) == "Hello everyone."
