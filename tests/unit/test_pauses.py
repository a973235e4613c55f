"""Planning cuts and finding the quietest pause: pure arithmetic, no ffmpeg."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.domain.recordings.pause_cut_rules import (
    BLOCK_SECONDS,
    PAUSE_BLOCKS,
    PAUSE_CEILING_DB,
    parse_levels,
    pause_threshold,
    plan_cuts,
    quietest_pause,
    search_seconds,
)

SPEECH, PAUSE = -20.0, -45.0


def test_a_recording_that_fits_one_piece_is_not_cut() -> None:
    plan = plan_cuts(59.0, 60, slack=0.2)
    assert plan.targets == ()


def test_cuts_are_even_and_leave_room_to_move() -> None:
    plan = plan_cuts(3600, 60, slack=0.2)
    assert plan.search == 3.0
    assert len(plan.targets) + 1 == math.ceil(3600 / (60 - 0.2 - 6))
    gaps = {round(b - a, 6) for a, b in itertools.pairwise((0, *plan.targets, 3600))}
    assert len(gaps) == 1


@given(
    duration=st.floats(min_value=1, max_value=4 * 3600),
    limit=st.floats(min_value=1, max_value=1200),
)
def test_pieces_stay_under_the_limit_wherever_the_cuts_move(duration: float, limit: float) -> None:
    plan = plan_cuts(duration, limit, slack=0.2)
    bounds = [0.0, *plan.targets, duration]
    for a, b in itertools.pairwise(bounds):
        # the worst case: the cut before moves back and the cut after moves on
        start = a - plan.search if a > 0 else a
        end = b + plan.search if b < duration else b
        assert end - start <= limit - 0.2 + 1e-6 or len(bounds) == 2


@pytest.mark.parametrize(
    ("limit", "search"), [(600, 3.0), (60, 3.0), (10, 1.0), (2, 0.2), (1, 0.0)]
)
def test_the_search_window_grows_with_the_piece_up_to_three_seconds(
    limit: float, search: float
) -> None:
    assert search_seconds(limit) == pytest.approx(search)


def test_the_cut_goes_to_the_middle_of_the_pause() -> None:
    levels = [SPEECH] * 20 + [PAUSE] * 10 + [SPEECH] * 30
    assert quietest_pause(levels) == pytest.approx(25 * BLOCK_SECONDS)


def test_a_stop_consonant_inside_a_word_is_not_a_pause() -> None:
    closure = [SPEECH] * 10 + [-70.0] * (PAUSE_BLOCKS - 2) + [SPEECH] * 10  # 150 ms of near-silence
    breath = [-35.0] * (PAUSE_BLOCKS + 1)  # 300 ms, louder, but a real pause
    levels = closure + breath + [SPEECH] * 10
    cut = quietest_pause(levels) / BLOCK_SECONDS
    assert len(closure) <= cut <= len(closure) + len(breath)


def test_a_pause_in_a_noisy_room_still_counts() -> None:
    levels = [-12.0] * 30 + [-28.0] * 8 + [-12.0] * 22  # no block below -30 dB
    assert quietest_pause(levels) == pytest.approx(34 * BLOCK_SECONDS)


def test_among_equal_pauses_the_one_nearest_the_target_wins() -> None:
    levels = [PAUSE] * 6 + [SPEECH] * 20 + [PAUSE] * 6 + [SPEECH] * 28  # centre at block 30
    assert quietest_pause(levels) == pytest.approx(29 * BLOCK_SECONDS)


def test_digital_silence_is_the_quietest_of_all() -> None:
    levels = [PAUSE] * 10 + [SPEECH] * 10 + [-math.inf] * 6 + [SPEECH] * 34
    assert quietest_pause(levels) == pytest.approx(23 * BLOCK_SECONDS)


def test_without_any_pause_the_cut_stays_at_the_target() -> None:
    assert quietest_pause([SPEECH] * 60) == pytest.approx(30 * BLOCK_SECONDS)


def test_ffmpeg_levels_are_read_per_window() -> None:
    report = "".join(
        f"frame:{i} pts:{i * 800} pts_time:{i * BLOCK_SECONDS:g}\n"
        f"lavfi.astats.Overall.RMS_level={value}\n"
        for i, value in enumerate(["-20.5", "-inf", "-30", "nan", "-40"])
    )
    levels = parse_levels(report, windows=2, window_blocks=3)
    assert levels == [[-20.5, -math.inf, -30.0], [math.inf, -40.0, math.inf]]


# --- how quiet a pause must be to be shortened -----------------------------------------------


def test_a_pause_is_measured_from_the_recordings_own_floor() -> None:
    # speech at -20 dBFS, its pauses at -50: shortened below -44, so speech is never taken
    levels = [SPEECH] * 20 + [PAUSE - 5] * PAUSE_BLOCKS + [SPEECH] * 20
    assert pause_threshold(levels) == pytest.approx(-44.0)


def test_the_floor_is_a_run_of_quiet_blocks_not_one_quiet_block() -> None:
    # one block dipping to -80 (a stop consonant's closure) is not the floor; the pause is
    levels = [SPEECH] * 10 + [-80.0] + [SPEECH] * 10 + [-60.0] * PAUSE_BLOCKS
    assert pause_threshold(levels) == pytest.approx(-54.0)


def test_a_recording_without_pauses_is_never_called_silent_at_speech_level() -> None:
    # nonstop speech whose quietest stretch is -25 dBFS: the ceiling keeps the syllables
    assert pause_threshold([-25.0] * 40) == PAUSE_CEILING_DB


def test_digital_silence_gives_a_finite_threshold_and_nothing_measured_none() -> None:
    assert pause_threshold([SPEECH] * 10 + [-math.inf] * PAUSE_BLOCKS) == pytest.approx(-55.0)
    assert pause_threshold([math.inf] * 20) is None
    assert pause_threshold([SPEECH] * (PAUSE_BLOCKS - 1)) is None
