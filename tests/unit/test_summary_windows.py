"""The `/summary` argument parser: windows, `voice`, `on`/`off`, and the usage error."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from core.domain.errors import BadWindow
from core.domain.summaries.summary_windows import (
    MAX_COUNT,
    MAX_SPAN,
    LastDuration,
    LastMessages,
    LoggingChoice,
    SinceLastSummary,
    SummaryRequest,
    format_window,
    parse_summary_args,
    parse_window,
)

UNITS = {
    "m": timedelta(minutes=1),
    "min": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "hours": timedelta(hours=1),
    "d": timedelta(days=1),
    "day": timedelta(days=1),
    "w": timedelta(weeks=1),
    "小时": timedelta(hours=1),
}

spans = st.builds(
    lambda n, unit: (n, unit),
    st.integers(min_value=1, max_value=200_000),
    st.sampled_from(sorted(UNITS)),
).filter(lambda pair: pair[0] * UNITS[pair[1]] <= MAX_SPAN)
windows = st.one_of(
    st.integers(min_value=1, max_value=MAX_COUNT).map(LastMessages),
    spans.map(lambda pair: LastDuration(pair[0] * UNITS[pair[1]])),
)


def test_no_argument_means_since_the_last_summary() -> None:
    assert parse_summary_args("") == SummaryRequest(SinceLastSummary(), voice=False)
    assert parse_summary_args("   ") == SummaryRequest(SinceLastSummary(), voice=False)


@pytest.mark.parametrize(
    ("argument", "window"),
    [
        ("2h", LastDuration(timedelta(hours=2))),
        ("3d", LastDuration(timedelta(days=3))),
        ("90m", LastDuration(timedelta(minutes=90))),
        ("1w", LastDuration(timedelta(weeks=1))),
        ("2 h", LastDuration(timedelta(hours=2))),
        ("2H", LastDuration(timedelta(hours=2))),
        ("200", LastMessages(200)),
        ("２h", LastDuration(timedelta(hours=2))),  # full-width, as Chinese keyboards type it
        ("3天", LastDuration(timedelta(days=3))),
    ],
)
def test_the_documented_windows(argument: str, window: object) -> None:
    assert parse_summary_args(argument) == SummaryRequest(window)  # type: ignore[arg-type]


def test_voice_combines_with_any_window_in_any_order() -> None:
    assert parse_summary_args("voice") == SummaryRequest(SinceLastSummary(), voice=True)
    assert parse_summary_args("voice 2h") == SummaryRequest(LastDuration(timedelta(hours=2)), True)
    assert parse_summary_args("200 VOICE") == SummaryRequest(LastMessages(200), voice=True)


def test_on_and_off_switch_logging() -> None:
    assert parse_summary_args("off") == LoggingChoice(enabled=False)
    assert parse_summary_args(" On ") == LoggingChoice(enabled=True)


@pytest.mark.parametrize(
    "argument",
    ["0", "0h", "5x", "2h 3d", "-2h", "2.5h", "yesterday", "off voice", "91d", "5001", "h2", "2hh"],
)
def test_bad_windows_are_usage_errors(argument: str) -> None:
    with pytest.raises(BadWindow):
        parse_summary_args(argument)


@given(st.integers(min_value=1, max_value=MAX_COUNT))
def test_every_count_in_range_is_that_many_messages(count: int) -> None:
    assert parse_window(str(count)) == LastMessages(count)


@given(spans)
def test_every_span_in_range_is_read_as_written(pair: tuple[int, str]) -> None:
    number, unit = pair
    assert parse_window(f"{number}{unit}") == LastDuration(number * UNITS[unit])
    assert parse_summary_args(f"voice {number} {unit}") == SummaryRequest(
        LastDuration(number * UNITS[unit]), voice=True
    )


@given(windows)
def test_formatting_a_window_reads_back_as_the_same_window(window: LastDuration) -> None:
    assert parse_window(format_window(window)) == window


@given(st.text(max_size=40))
@example("9" * 40 + "d")
@example("\u0661\u0662h")  # digits of another script
def test_any_text_is_a_bounded_request_or_the_usage_error(argument: str) -> None:
    try:
        request = parse_summary_args(argument)
    except BadWindow:
        return
    if isinstance(request, SummaryRequest):
        window = request.window
        if isinstance(window, LastDuration):
            assert timedelta(0) < window.span <= MAX_SPAN
        if isinstance(window, LastMessages):
            assert 1 <= window.count <= MAX_COUNT


def test_a_window_option_with_a_space_reads_like_the_command() -> None:
    # Discord passes the option as one value; Telegram's /summary 2 h reads the same.
    assert parse_window("2 h") == parse_window("2h") == LastDuration(timedelta(hours=2))
