"""A call's pieces lengthened while the calls' speech would take more of the account's minute of
speech recognition than it holds (`core.domain.listening.live_speech_rules.stretch`,
`core.app.listening.piece_stretching.Stretching`): up at once, down only once the shorter
pieces fit with room to spare, never past the ceiling, and never while the minute is not paced."""

from __future__ import annotations

import base64

from core.app.listening.piece_stretching import Stretching
from core.domain.listening.live_speech_rules import (
    CHEAPER,
    LONGER,
    LONGEST,
    SOONER,
    STRETCHES,
    cut_length,
    piece_rules,
    stretch,
)
from core.domain.mimo.account_minute_rules import ASR_MINUTE, ModelMinute, Seen
from core.infra.audio.short_voice_notes import wav
from core.infra.mimo import MIMO_AUDIO_CAPS


def test_one_speaker_talking_all_minute_keeps_the_soonest_pieces() -> None:
    assert stretch(60, ASR_MINUTE) == 0  # some 67 requests of MiMo's 100


def test_more_speech_than_the_minute_holds_lengthens_the_pieces_as_far_as_needed() -> None:
    assert STRETCHES == (SOONER, CHEAPER, LONGER, LONGEST)
    assert stretch(120, ASR_MINUTE) == 1  # two speakers at once: CHEAPER's 2-4 s
    assert stretch(300, ASR_MINUTE) == 2  # five: 4-8 s
    assert stretch(600, ASR_MINUTE) == 3  # ten: 8-16 s
    assert stretch(100_000, ASR_MINUTE) == 3  # never past the ceiling


def test_pieces_cut_short_by_turn_ends_count_as_the_requests_they_are() -> None:
    # Five speakers' speech in 4-8 s pieces is 50 requests; in turns of 7 s, cut into two
    # pieces each (3.5 s on average), it is 86, past four fifths of the minute.
    assert cut_length(LONGER, [7.0, 7.0]) == 3.5
    assert cut_length(LONGEST, [7.0, 7.0]) == 7.0
    assert stretch(300, ASR_MINUTE) == 2
    assert stretch(300, ASR_MINUTE, turns=[7.0] * 5) == 3


def test_the_pieces_shorten_only_once_the_shorter_ones_fit_with_room_to_spare() -> None:
    # 70 s of speech would take 0.79 of the minute at SOONER's pieces: not past STRETCH_UP,
    # but not under STRETCH_DOWN either, so CHEAPER's stay.
    assert stretch(70, ASR_MINUTE, now=0) == 0
    assert stretch(70, ASR_MINUTE, now=1) == 1
    assert stretch(40, ASR_MINUTE, now=1) == 0
    assert stretch(120, ASR_MINUTE, now=3) == 1  # down as far as fits, in one step


def test_a_call_that_asked_for_cheaper_pieces_never_gets_shorter_ones() -> None:
    assert piece_rules(cheaper=True, stretch=0) == CHEAPER
    assert piece_rules(cheaper=False, stretch=0) == SOONER
    assert piece_rules(cheaper=True, stretch=2) == LONGER


def test_the_longest_piece_fits_in_one_request_at_the_highest_rate_a_call_is_cut_at() -> None:
    pcm = bytes(round(LONGEST.longest * 48_000) * 2)  # 16-bit mono at 48 kHz
    assert len(base64.b64encode(wav(pcm, 48_000))) < MIMO_AUDIO_CAPS.asr


class Seconds:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_calls_speech_lengthens_their_pieces_at_once_and_they_shorten_a_minute_later() -> None:
    clock = Seconds()
    minute = ModelMinute(requests=12, tokens=10_000, seconds=12.0)  # a sixth: 2 s
    stretching = Stretching(minute, clock=clock)
    assert stretching.step() == 0
    steps = []
    piece = (SOONER.shortest + SOONER.longest) / 2
    for _ in range(14):  # a second of speech a second, all minute long, in SOONER's pieces
        clock.now += piece
        stretching.sent(piece)
        steps.append(stretching.step())
    # 12 s of speech a minute: 13 requests at SOONER's, felt within the minute's first sixth.
    assert steps[:1] == [0] and set(steps[1:]) == {1}
    clock.now += 3.0
    assert stretching.step() == 1  # quiet since, but the minute still holds most of it
    clock.now += 12.0
    assert stretching.step() == 0


def test_the_turns_ended_lately_count_as_the_pieces_they_are_cut_into() -> None:
    """Five speakers' worth of speech a minute in turns of 7 s: at 4 to 8 s, each turn is two
    pieces, so the pieces go on to 8 to 16 s; told nothing of the turns, they would stay."""
    clock = Seconds()
    told, untold = Stretching(ASR_MINUTE, clock=clock), Stretching(ASR_MINUTE, clock=clock)
    for _ in range(43):
        clock.now += 1.4
        told.sent(7.0, turn=7.0)
        untold.sent(7.0)
    assert (told.step(), untold.step()) == (3, 2)


def test_nothing_is_lengthened_where_the_minute_is_not_paced() -> None:
    stretching = Stretching(None)
    for _ in range(100):
        stretching.sent(10.0)
    assert stretching.step() == 0


def test_pieces_shorten_only_on_every_replicas_speech_where_replicas_share_the_minute() -> None:
    """A replica whose own calls say little keeps its pieces' length while the minute it shares
    has not been looked at lately: the other replicas' calls may still need it."""
    clock = Seconds()
    heard: list[Seen | None] = [Seen(live_speech=600.0, live_requests=1)]
    stretching = Stretching(ASR_MINUTE, shared=lambda: heard[0], clock=clock)
    assert stretching.step() == 3  # ten speakers' worth, every replica's
    heard[0] = None  # not looked at lately
    clock.now += 1.0
    assert stretching.step() == 3
    heard[0] = Seen()  # the calls have ended everywhere
    assert stretching.step() == 0
