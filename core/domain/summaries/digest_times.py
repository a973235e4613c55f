"""Daily digest times: reading `/digest HH:MM [time zone]`, when the next one is due, and when
one found late is skipped (`missed`).

Times are wall-clock times in the chat's time zone, so "18:00 Europe/Berlin" stays 18:00 across
daylight-saving changes; the scheduler only ever sees the next due instant, in UTC.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from core.domain.errors import BadDigest, UnknownTimeZone

__all__ = ["GRACE", "DigestAt", "DigestOff", "missed", "next_run", "parse_digest_args", "time_zone"]

# A digest found more than this late (the bot was down at the time) is skipped, not posted in the
# middle of the night: the next one comes at the usual time.
GRACE = timedelta(hours=2)

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")


@dataclass(frozen=True)
class DigestOff:
    pass


@dataclass(frozen=True)
class DigestAt:
    at: time
    time_zone: str | None  # None: keep the chat's current one


DigestChoice = DigestOff | DigestAt | None  # None: show the current schedule


def parse_digest_args(argument: str) -> DigestChoice:
    """`off`, `HH:MM`, `HH:MM Area/City`, or nothing; anything else is `BadDigest`."""
    words = argument.split()
    if not words:
        return None
    if len(words) == 1 and words[0].casefold() == "off":
        return DigestOff()
    match = _TIME.match(words[0])
    if match is None or len(words) > 2:
        raise BadDigest(f"not a digest time: {argument!r}")
    zone = time_zone(words[1]) if len(words) == 2 else None
    return DigestAt(at=time(int(match.group(1)), int(match.group(2))), time_zone=zone)


def time_zone(name: str) -> str:
    """The IANA name (`Europe/Berlin`, `UTC`) however it was capitalised, or `UnknownTimeZone`."""
    found = _zones().get(name.strip().casefold())
    if found is None:
        raise UnknownTimeZone(value=name)
    return found


def next_run(after: datetime, at: time, zone: str) -> datetime:
    """The first instant strictly after `after` when the clock in `zone` shows `at`, in UTC.

    A time skipped by a daylight-saving jump fires at the equivalent instant just after the jump
    (zoneinfo's reading of a non-existent wall time), so the digest is never silently dropped.
    """
    tz = zoneinfo.ZoneInfo(zone)
    local = after.astimezone(tz)
    day = local.date()
    for _ in range(3):  # today, tomorrow, and one spare for the day a DST jump eats
        candidate = datetime.combine(day, at, tzinfo=tz).astimezone(UTC)
        if candidate > after:
            return candidate
        day += timedelta(days=1)
    raise AssertionError("unreachable: a wall time recurs within three days")  # pragma: no cover


def missed(due: datetime, now: datetime) -> bool:
    """Whether a digest due at `due`, found at `now`, is too late to post (`GRACE`)."""
    return now - due > GRACE


@functools.cache
def _zones() -> dict[str, str]:
    names = zoneinfo.available_timezones() | {"UTC"}
    return {name.casefold(): name for name in names}
