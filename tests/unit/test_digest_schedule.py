"""`/digest` arguments and the next due time, across time zones and daylight-saving changes."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.domain.errors import BadDigest, UnknownTimeZone
from core.domain.summaries.digest_times import (
    DigestAt,
    DigestOff,
    next_run,
    parse_digest_args,
    time_zone,
)

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Shanghai", "Australia/Lord_Howe"]


def test_digest_arguments() -> None:
    assert parse_digest_args("") is None
    assert parse_digest_args("off") == DigestOff()
    assert parse_digest_args("18:00") == DigestAt(time(18, 0), None)
    assert parse_digest_args("8:05 europe/berlin") == DigestAt(time(8, 5), "Europe/Berlin")
    assert parse_digest_args("07.30 utc") == DigestAt(time(7, 30), "UTC")


@pytest.mark.parametrize(
    "argument", ["24:00", "18", "18:60", "six", "18:00 Berlin extra", "off now"]
)
def test_bad_digest_times_are_usage_errors(argument: str) -> None:
    with pytest.raises(BadDigest):
        parse_digest_args(argument)


def test_an_unknown_time_zone_is_named_in_the_error() -> None:
    with pytest.raises(UnknownTimeZone) as caught:
        time_zone("Mars/Olympus")
    assert caught.value.params == {"value": "Mars/Olympus"}


def test_the_next_run_is_today_if_still_ahead_else_tomorrow() -> None:
    morning = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    assert next_run(morning, time(18, 0), "UTC") == datetime(2026, 11, 21, 18, 0, tzinfo=UTC)
    evening = datetime(2026, 11, 21, 18, 0, tzinfo=UTC)  # exactly at the time: the next day
    assert next_run(evening, time(18, 0), "UTC") == datetime(2026, 11, 22, 18, 0, tzinfo=UTC)


def test_local_time_holds_across_a_daylight_saving_change() -> None:
    # Berlin leaves summer time on 2026-10-25: 18:00 local is 16:00 UTC before, 17:00 after.
    before = next_run(datetime(2026, 10, 24, 12, tzinfo=UTC), time(18, 0), "Europe/Berlin")
    after = next_run(before, time(18, 0), "Europe/Berlin")
    assert (before.hour, after.hour) == (16, 17)
    assert after - before == timedelta(hours=25)


def test_a_time_skipped_by_the_spring_jump_still_fires_that_day() -> None:
    # 2026-03-29 02:30 does not exist in Berlin (clocks jump from 02:00 to 03:00).
    due = next_run(datetime(2026, 3, 28, 12, tzinfo=UTC), time(2, 30), "Europe/Berlin")
    assert due.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).date().isoformat() == "2026-03-29"


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    ),
    st.times(),
    st.sampled_from(ZONES),
)
def test_the_next_run_is_soon_after_and_shows_the_wall_time(
    after: datetime, at: time, zone: str
) -> None:
    tz = zoneinfo.ZoneInfo(zone)
    at = at.replace(second=0, microsecond=0)
    due = next_run(after, at, zone)
    assert after < due <= after + timedelta(hours=25)
    local = due.astimezone(tz)
    assert local.time() == at or in_gap(local.date(), at, tz)  # the wall clock shows `at`
    day_before = datetime.combine(local.date() - timedelta(days=1), at, tzinfo=tz)
    assert day_before.astimezone(UTC) <= after  # and it is the first time it does


def in_gap(day: date, at: time, tz: zoneinfo.ZoneInfo) -> bool:
    """`at` does not exist on `day` in `tz` (skipped by a daylight-saving jump)."""
    wall = datetime.combine(day, at, tzinfo=tz)
    return wall.astimezone(UTC).astimezone(tz).time() != at
