"""Find ffmpeg: the one on PATH when it can do all we ask of it, otherwise the binary in the
`imageio-ffmpeg` wheel.

All we ask includes compacting pauses (`compaction`), which needs silenceremove's `timestamp`
option, new in ffmpeg 6.1: with an older ffmpeg on PATH (Debian 12 ships 5.1) the bundled one
runs instead, rather than send MiMo the silence it bills. The start says in one line which
ffmpeg runs and why.

The wheel has no ffprobe, so nothing here relies on it: probing runs ffmpeg itself, and pydub is
always given explicit `format=`/`codec=` hints.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess

from pydub import AudioSegment

logger = logging.getLogger(__name__)

_ASK_SECONDS = 30  # for `ffmpeg -h filter=...`, which answers at once


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary to run (chosen once, and said in the log); also points pydub
    at it. Blocks for a moment the first time: the composition root asks at start."""
    on_path = shutil.which("ffmpeg")
    if on_path is not None and keeps_timestamps(on_path):
        found, why = on_path, "on PATH"
    else:
        import imageio_ffmpeg  # imported lazily: a recent system ffmpeg makes the wheel unneeded

        found = imageio_ffmpeg.get_ffmpeg_exe()
        why = (
            "bundled: none on PATH"
            if on_path is None
            else f"bundled: {on_path} on PATH cannot compact pauses (ffmpeg before 6.1)"
        )
    logger.info("ffmpeg: %s (%s)", found, why)
    AudioSegment.converter = found
    return found


@functools.cache
def keeps_timestamps(exe: str) -> bool:
    """Whether `exe`'s silenceremove has the `timestamp` option (ffmpeg 6.1 on)."""
    try:
        asked = subprocess.run(
            [exe, "-hide_banner", "-h", "filter=silenceremove"],
            capture_output=True, text=True, timeout=_ASK_SECONDS, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "timestamp" in asked.stdout
