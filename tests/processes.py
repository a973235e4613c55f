"""The test process's own child processes, read from /proc (Linux)."""

from __future__ import annotations

import os
from pathlib import Path

HAS_PROC = Path("/proc/self/stat").exists()


def ffmpeg_children() -> list[int]:
    """The ffmpeg processes this process started and has not reaped yet (ended ones included,
    until they are reaped)."""
    me, found = os.getpid(), []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().rsplit(")", 1)
        except (OSError, ValueError):
            continue  # it ended while we looked
        if "ffmpeg" in name.split("(", 1)[-1] and int(rest.split()[1]) == me:
            found.append(int(stat.parent.name))
    return found
