"""Following ffmpeg's segment muxer while it runs: which piece files are complete, where each
sits in the recording, and reading them back."""

from __future__ import annotations

import asyncio
import contextlib
import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.domain.shared_values import AsrPiece

__all__ = ["PieceFile", "PieceFormat", "Range", "follow", "load_piece"]

_POLL_SECONDS = 0.05  # how often a worker's segment list is checked for finished pieces


@dataclass(frozen=True)
class Range:
    """A stretch of the recording one ffmpeg converts, and the cuts inside it."""

    number: int
    start: float
    end: float
    cuts: tuple[float, ...]  # seconds from the start of the recording
    last: bool  # runs to the end of the file


@dataclass(frozen=True)
class PieceFormat:
    """How one ffmpeg names its piece files (`%05d` counts them), and what they hold."""

    pattern: str
    mime: str


@dataclass(frozen=True)
class PieceFile:
    """A finished piece on disk, and where it sits in the recording (seconds)."""

    path: Path
    mime: str
    offset: float
    duration: float


async def follow(
    listing: Path,
    piece: PieceFormat,
    part: Range,
    finished: asyncio.Event,
    hand_over: Callable[[PieceFile], None],
) -> None:
    """Watch the segment list while ffmpeg runs and hand over each piece that is complete."""
    handed = 0
    while True:
        done = finished.is_set()
        rows = await asyncio.to_thread(_complete_rows, listing, piece.pattern, done, handed)
        for i in range(handed, len(rows)):
            final = done and i == len(rows) - 1
            found = _piece_file(listing.parent, rows[i], part, piece.mime, final=final)
            if found is not None:
                hand_over(found)
        handed = len(rows)
        if done:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(finished.wait(), _POLL_SECONDS)


def _complete_rows(listing: Path, pattern: str, done: bool, known: int) -> list[list[str]]:
    """The segment list's rows (file name, start, end) whose files are complete, `known` of
    them already handed over (and maybe deleted). ffmpeg lists a piece before it closes the
    file, and opens the next file after: a piece is complete once the next one exists, or once
    ffmpeg has exited."""
    try:
        text = listing.read_text()
    except FileNotFoundError:
        return []
    lines = text.splitlines(keepends=True)
    rows = [row for row in csv.reader(line for line in lines if line.endswith("\n"))
            if len(row) == 3]  # fmt: skip
    if done:
        return rows
    count = known
    while count < len(rows) and (listing.parent / (pattern % (count + 1))).exists():
        count += 1
    return rows[:count]


def _piece_file(
    folder: Path, row: list[str], part: Range, mime: str, *, final: bool
) -> PieceFile | None:
    """Where a listed piece sits in the recording. The list counts from the range's start; the
    first piece may start a frame early (encoder delay), and a range's last piece ends where the
    next range starts, or where the recording ends: a trailing pause shortened away still
    belongs to it."""
    name, start_text, end_text = row
    start = part.start + max(0.0, float(start_text))
    end = part.end if final else part.start + float(end_text)
    return PieceFile(folder / name, mime, start, end - start) if end > start else None


def load_piece(item: PieceFile) -> AsrPiece | None:
    """Read a piece file and delete it (the caller holds it now); None when it is empty."""
    data = item.path.read_bytes()
    item.path.unlink()
    if not data:
        return None
    return AsrPiece(data=data, mime=item.mime, offset=item.offset, duration=item.duration)
