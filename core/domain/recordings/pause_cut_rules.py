"""Where to cut a long recording: near evenly spaced targets, in the quietest pause around each.

Pure arithmetic; `core.infra.audio.pauses` runs ffmpeg to measure the loudness it works on.

A piece may be at most `limit` seconds long. The recording is first split into the fewest equal
pieces that leave every cut room to move up to `search` seconds either way (so a piece stays
under `limit` wherever its two cuts land). Then each cut moves to the middle of the quietest
pause within its window: the quietest run of `PAUSE_BLOCKS` loudness blocks, widened to every
neighbouring block within `QUIET_MARGIN_DB` of it.

Why the quietest run and not a fixed silence threshold: recorded speech rarely falls silent. In
the 1961 JFK recording the pauses sit at -25 to -30 dBFS; `silencedetect` at -35 dB finds none of
them, at -20 dB it starts finding quiet syllables. The quietest stretch of the window is a pause
whatever the recording's noise floor, and the run length keeps it from being the closure of a
stop consonant inside a word (those last 50 to 150 ms).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "BLOCK_SECONDS",
    "KEPT_PAUSE_SECONDS",
    "PAUSE_BLOCKS",
    "PAUSE_CEILING_DB",
    "CutPlan",
    "parse_levels",
    "pause_threshold",
    "plan_cuts",
    "quietest_pause",
    "search_seconds",
]

BLOCK_SECONDS = 0.05  # loudness is measured per 50 ms
PAUSE_BLOCKS = 5  # a pause is at least 250 ms quiet
QUIET_MARGIN_DB = 3.0
MAX_SEARCH_SECONDS = 3.0  # speech pauses every few seconds; a wider window only costs decoding
_LEVEL = re.compile(r"pts_time:([\d.]+)\s+lavfi\.astats\.Overall\.RMS_level=(\S+)")


@dataclass(frozen=True)
class CutPlan:
    targets: tuple[float, ...]  # evenly spaced cut points, seconds from the start
    search: float  # seconds each cut may move either way; 0 when pieces are too short to search

    @property
    def window_blocks(self) -> int:
        return round(2 * self.search / BLOCK_SECONDS)


def plan_cuts(duration: float, limit: float, *, slack: float = 0.0) -> CutPlan:
    """Evenly spaced targets for pieces of at most `limit` seconds (less `slack` for the encoder
    rounding a cut up), with room around each to move into a pause."""
    if duration <= limit - slack:
        return CutPlan((), 0.0)
    search = search_seconds(limit)
    count = math.ceil(duration / (limit - slack - 2 * search))
    return CutPlan(tuple(duration * i / count for i in range(1, count)), search)


def search_seconds(limit: float) -> float:
    """How far a cut may move: a tenth of the piece, at most `MAX_SEARCH_SECONDS`, in whole
    blocks; 0 when the window could not hold a pause."""
    blocks = math.floor(min(MAX_SEARCH_SECONDS, limit / 10) / BLOCK_SECONDS + 1e-9)
    return blocks * BLOCK_SECONDS if 2 * blocks >= PAUSE_BLOCKS else 0.0


def quietest_pause(levels: Sequence[float]) -> float:
    """Seconds into a window of block `levels` (dBFS) at which to cut: the middle of its quietest
    pause; among equally quiet pauses, the one nearest the window's centre."""
    count = len(levels)
    if count < PAUSE_BLOCKS:
        return count * BLOCK_SECONDS / 2
    runs = [max(levels[i : i + PAUSE_BLOCKS]) for i in range(count - PAUSE_BLOCKS + 1)]
    centre = (count - PAUSE_BLOCKS) / 2
    best = min(range(len(runs)), key=lambda i: (runs[i], abs(i - centre)))
    ceiling = runs[best] + QUIET_MARGIN_DB
    low, high = best, best + PAUSE_BLOCKS
    while low > 0 and levels[low - 1] <= ceiling:
        low -= 1
    while high < count and levels[high] <= ceiling:
        high += 1
    return (low + high) / 2 * BLOCK_SECONDS


def parse_levels(report: str, *, windows: int, window_blocks: int) -> list[list[float]]:
    """Block levels per window from ffmpeg's `ametadata` print of astats' RMS level, for windows
    laid end to end. A block that is missing or unreadable counts as loud: never cut there."""
    levels = [[math.inf] * window_blocks for _ in range(windows)]
    for match in _LEVEL.finditer(report):
        block = round(float(match.group(1)) / BLOCK_SECONDS)
        window, position = divmod(block, window_blocks)
        if window < windows:
            levels[window][position] = _decibels(match.group(2))
    return levels


def _decibels(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return math.inf
    return math.inf if math.isnan(value) else value


# Compacting pauses before a recording is sent (`core.infra.audio.pauses`): MiMo bills the
# seconds it receives, and a voice note's dead air is paid for like speech.
KEPT_PAUSE_SECONDS = 0.5  # a longer pause is cut down to about this: still a sentence break
PAUSE_ABOVE_FLOOR_DB = 6.0
# Never call louder than this a pause, whatever the floor: a recording without any pause (music,
# nonstop speech) would otherwise have its quietest syllables taken for its floor.
PAUSE_CEILING_DB = -35.0
# Quieter than this is a pause whatever the floor, which may be digital silence (-inf): what a
# codec and a resampler leave of it can measure -60 dBFS in silenceremove's window at 24 kHz
# while astats' blocks measure -inf. Speech this quiet would be a whisper metres away.
_LOWEST_DB = -55.0


def pause_threshold(levels: Sequence[float]) -> float | None:
    """The level (dBFS) under which a stretch counts as a pause to shorten: the recording's
    noise floor, its quietest run of `PAUSE_BLOCKS` blocks, plus `PAUSE_ABOVE_FLOOR_DB`, never
    above `PAUSE_CEILING_DB`. None when the blocks measured hold no such run."""
    runs = [max(levels[i : i + PAUSE_BLOCKS]) for i in range(len(levels) - PAUSE_BLOCKS + 1)]
    floor = min(runs, default=math.inf)
    if math.isinf(floor) and floor > 0:
        return None
    return max(_LOWEST_DB, min(PAUSE_CEILING_DB, floor + PAUSE_ABOVE_FLOOR_DB))
