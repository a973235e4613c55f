"""Values a sentence shows in the reader's language: amounts of time, sizes and words from the
catalogue. The core passes them as they are (an error's `limit`, `/usage`'s counts); how they
read ("5 h 12 min", "5 小时 12 分钟", "20 MB", "12 %") is decided where the sentence is written,
`core.chat.locale_formats`. Plain numbers need nothing of this: an `int` is a number everywhere.
A wait is rounded up before it is shown (`waiting`: seconds under a minute, else whole minutes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

__all__ = ["Duration", "Megabytes", "Share", "Term", "waiting"]


@dataclass(frozen=True)
class Duration:
    """An amount of time: whole hours, minutes and seconds, the zero ones left out."""

    seconds: int

    def parts(self) -> tuple[int, int, int]:
        """(hours, minutes, seconds)."""
        minutes, seconds = divmod(max(0, self.seconds), 60)
        hours, minutes = divmod(minutes, 60)
        return hours, minutes, seconds


def waiting(wait: timedelta) -> Duration:
    """How long until something is possible again: seconds under a minute, else whole minutes
    rounded up (`5 h 12 min`), so it never says "0 min"."""
    seconds = math.ceil(wait.total_seconds())
    if seconds < 60:
        return Duration(max(1, seconds))
    return Duration(math.ceil(seconds / 60) * 60)


@dataclass(frozen=True)
class Megabytes:
    """A size limit, in megabytes as the platforms state them ("20 MB")."""

    amount: float


@dataclass(frozen=True)
class Share:
    """A part of a whole (0.12 for twelve per cent), shown as the reader writes a percentage
    ("12%", "12 %", "%12")."""

    fraction: float


@dataclass(frozen=True)
class Term:
    """A word from the message catalogue (`key`), such as the name of a setting, shown in the
    reader's language."""

    key: str
