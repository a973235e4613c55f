"""Which ffmpeg runs: the static build in the `imageio-ffmpeg` wheel, unless `FFMPEG_BINARY`
names another (a path, or a name on PATH: `ffmpeg` for the system's own).

Why the bundled build by default, with numbers (bench/RESULTS.md, section 3): a voice note costs
one ffmpeg run, and for a note of a few seconds starting ffmpeg is most of that run. The wheel's
static build starts in about 10 ms of CPU; a distribution's build, linked to a hundred shared
libraries, in about 50 ms (Debian 12's 5.1), five times as much for every note, while both
convert an hour equally fast. The bundled build can also compact the pauses of long recordings
(silenceremove's `timestamp` option, ffmpeg 6.1 on), which Debian 12's cannot. It is already a
dependency, so nothing else needs installing. Where the wheel has no binary for the platform
(a source install), the ffmpeg on PATH runs.

The composition root chooses once, at start (`choose_ffmpeg`), and hands the path to the
process limit (`FfmpegProcesses.executable`), which every run takes it from: nothing here keeps
a choice of its own. A named binary runs as asked. If it is older than 6.1, long recordings keep
their pauses (`pauses`); short notes are compacted in Python whatever the build
(`short_voice_notes`). The start says in one line which ffmpeg runs and why.

The wheel has no ffprobe, so nothing here relies on it: probing runs ffmpeg itself, and pydub
is always given explicit `format=`/`codec=` hints.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from pathlib import Path

from pydub import AudioSegment

from core.domain.errors import ConfigError

logger = logging.getLogger(__name__)

__all__ = ["choose_ffmpeg", "ffmpeg_exe", "ffmpeg_version", "keeps_timestamps", "point_pydub_at"]

_ASK_SECONDS = 30  # for `ffmpeg -h filter=...`, which answers at once


def choose_ffmpeg(binary: str | None) -> str:
    """The path of the ffmpeg to run, from FFMPEG_BINARY (None or empty: the bundled build),
    said in the log. `ConfigError` when the named one cannot be found. Blocks for a moment:
    the composition root asks at start."""
    found, why = _named_binary(binary) if binary else _bundled()
    if not keeps_timestamps(found):
        why += "; it cannot compact the pauses of long recordings (ffmpeg before 6.1)"
    logger.info("ffmpeg: %s (%s)", found, why)
    return found


@functools.cache
def ffmpeg_exe() -> str:
    """The bundled build's path (PATH's where the wheel has none): what runs when nothing else
    is configured, and what tests and benchmarks make their audio with."""
    return _bundled()[0]


def point_pydub_at(executable: str) -> None:
    """pydub runs the ffmpeg its class attribute names: `executable`, before it runs."""
    AudioSegment.converter = executable


def _named_binary(name: str) -> tuple[str, str]:
    found = shutil.which(name)
    if found is None:
        raise ConfigError(f"FFMPEG_BINARY={name}: no such program (a path, or a name on PATH)")
    return found, "FFMPEG_BINARY"


def _bundled() -> tuple[str, str]:
    import imageio_ffmpeg  # imported lazily: with FFMPEG_BINARY set, the wheel is not needed

    try:
        found = imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:  # no binary in the wheel for this platform, and none on PATH either
        raise ConfigError(
            "no ffmpeg: the imageio-ffmpeg wheel has none for this platform; install ffmpeg, "
            "or set FFMPEG_BINARY to one"
        ) from None
    found = shutil.which(found) or found  # without a binary of its own, the wheel says "ffmpeg"
    if Path(found).parent == Path(imageio_ffmpeg.__file__).parent / "binaries":
        return found, "bundled: the imageio-ffmpeg wheel's static build"
    return found, "the imageio-ffmpeg wheel has no binary here, or IMAGEIO_FFMPEG_EXE names one"


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


def ffmpeg_version(exe: str) -> str:
    """What `exe -version` says first ("ffmpeg version 7.0.2-static ..."), or why not."""
    try:
        asked = subprocess.run(
            [exe, "-hide_banner", "-version"],
            capture_output=True, text=True, timeout=_ASK_SECONDS, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"does not run ({type(exc).__name__})"
    first = asked.stdout.splitlines()[0] if asked.stdout else ""
    return " ".join(first.split()[:3]) or "no version"
