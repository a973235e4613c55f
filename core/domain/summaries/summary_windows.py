"""The windows a summary covers (a daily digest's: the last 24 h, `DIGEST_WINDOW`), and reading
the argument of `/summary`: a window, `voice`, or the `on`/`off` logging switch.

    /summary              since the last summary (or the last 24 h, `FIRST_SUMMARY_SPAN`)
    /summary 2h           the last two hours (also 90m, 3d, 1w, "2 h", 2小时)
    /summary 200          the last 200 messages
    /summary voice 3d     any of the above, also spoken as a voice note
    /summary off | on     stop or resume logging (administrators; checked by `SummaryService`)

Anything else raises `BadWindow`, whose message is the usage line. Windows are bounded so a typo
like `/summary 99999999d` is a usage error rather than an overflow deep inside the storage layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.domain.errors import BadWindow

__all__ = [
    "DIGEST_WINDOW",
    "FIRST_SUMMARY_SPAN",
    "MAX_COUNT",
    "MAX_SPAN",
    "MAX_WINDOW_MESSAGES",
    "LastDuration",
    "LastMessages",
    "LoggingChoice",
    "SinceLastSummary",
    "SummaryRequest",
    "Window",
    "format_window",
    "parse_summary_args",
    "parse_window",
    "window_bounds",
]

# A chat's first summary, with none before it to start from, covers this long.
FIRST_SUMMARY_SPAN = timedelta(hours=24)


@dataclass(frozen=True)
class SinceLastSummary:
    """Everything after the previous summary, or the last `fallback` when there was none."""

    fallback: timedelta = FIRST_SUMMARY_SPAN


@dataclass(frozen=True)
class LastDuration:
    span: timedelta


# What a daily digest covers (`core.app.summaries.daily_digests`).
DIGEST_WINDOW = LastDuration(timedelta(hours=24))


@dataclass(frozen=True)
class LastMessages:
    count: int


Window = SinceLastSummary | LastDuration | LastMessages


@dataclass(frozen=True)
class SummaryRequest:
    """`/summary [window] [voice]`."""

    window: Window = SinceLastSummary()
    voice: bool = False


@dataclass(frozen=True)
class LoggingChoice:
    """`/summary on` or `/summary off`."""

    enabled: bool


MAX_SPAN = timedelta(days=90)  # the longest time a window may name (`/summary 90d`)
MAX_COUNT = 5000  # the most messages a window may name (`/summary 5000`)
# However long the window, at most this many of its newest stored messages are summarised: it
# bounds memory and the number of MiMo requests one command can cause. (A Discord channel's
# history is read up to its cog's own bound, `MAX_HISTORY`.)
MAX_WINDOW_MESSAGES = 5000

_UNITS: dict[str, timedelta] = {}
for _names, _size in (
    (("m", "min", "mins", "minute", "minutes", "分钟"), timedelta(minutes=1)),
    (("h", "hr", "hrs", "hour", "hours", "小时"), timedelta(hours=1)),
    (("d", "day", "days", "天"), timedelta(days=1)),
    (("w", "week", "weeks", "周"), timedelta(weeks=1)),
):
    _UNITS.update(dict.fromkeys(_names, _size))

_UNIT_WORDS = "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
_DURATION = re.compile(rf"^(\d{{1,7}})({_UNIT_WORDS})$")
_COUNT = re.compile(r"^\d{1,7}$")
# "2 h" is one window: glue a number to a unit word that follows it.
_SPACED_UNIT = re.compile(rf"(\d)\s+({_UNIT_WORDS})(?=\s|$)")
_VOICE = frozenset({"voice", "audio", "语音"})
_SWITCH = {"on": True, "off": False}
# Canonical spelling of a span, biggest unit first (see `format_window`).
_CANONICAL = (("w", timedelta(weeks=1)), ("d", timedelta(days=1)), ("h", timedelta(hours=1)))


def parse_summary_args(argument: str) -> SummaryRequest | LoggingChoice:
    """The request `argument` (the text after `/summary`) spells, or `BadWindow`."""
    words = _SPACED_UNIT.sub(r"\1\2", argument.strip().casefold()).split()
    if len(words) == 1 and words[0] in _SWITCH:
        return LoggingChoice(enabled=_SWITCH[words[0]])
    voice = any(word in _VOICE for word in words)
    rest = [word for word in words if word not in _VOICE]
    if len(rest) > 1:
        raise BadWindow(f"more than one window: {rest!r}")
    window = parse_window(rest[0]) if rest else SinceLastSummary()
    return SummaryRequest(window=window, voice=voice)


def parse_window(word: str) -> Window:
    """One window word: `2h`, `3d`, `90m`, `1w` (also `2 h`) or a message count such as `200`."""
    word = _SPACED_UNIT.sub(r"\1\2", word.strip().casefold())
    if _COUNT.match(word):
        count = int(word)
        if not 1 <= count <= MAX_COUNT:
            raise BadWindow(f"message count out of range: {count}")
        return LastMessages(count)
    match = _DURATION.match(word)
    if match is None:
        raise BadWindow(f"not a window: {word!r}")
    span = int(match.group(1)) * _UNITS[match.group(2)]
    if not timedelta(0) < span <= MAX_SPAN:
        raise BadWindow(f"span out of range: {span}")
    return LastDuration(span)


def format_window(window: Window) -> str:
    """The shortest word `parse_window` reads back as `window` (empty for the default)."""
    if isinstance(window, LastMessages):
        return str(window.count)
    if isinstance(window, SinceLastSummary):
        return ""
    for unit, size in _CANONICAL:
        if window.span % size == timedelta(0):
            return f"{window.span // size}{unit}"
    return f"{window.span // timedelta(minutes=1)}m"


def window_bounds(
    window: Window, last_summary_at: datetime | None, now: datetime
) -> tuple[datetime | None, int | None]:
    """Which messages a window covers: those sent after the first value (None: any time), the
    newest second-value many of them (None: all). Adapters reading history use it too."""
    if isinstance(window, LastMessages):
        return None, window.count
    if isinstance(window, LastDuration):
        return now - window.span, None
    assert isinstance(window, SinceLastSummary)
    return last_summary_at or now - window.fallback, None
