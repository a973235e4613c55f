"""Find ffmpeg: the one on PATH when present, otherwise the binary in the `imageio-ffmpeg` wheel.

The wheel has no ffprobe, so nothing here relies on it: probing runs ffmpeg itself, and pydub is
always given explicit `format=`/`codec=` hints.
"""

from __future__ import annotations

import functools
import logging
import shutil

from pydub import AudioSegment

logger = logging.getLogger(__name__)


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary to run; also points pydub at it."""
    found = shutil.which("ffmpeg")
    if found is None:
        import imageio_ffmpeg  # imported lazily: a system ffmpeg makes the wheel unnecessary

        found = imageio_ffmpeg.get_ffmpeg_exe()
        logger.debug("ffmpeg not on PATH, using the imageio-ffmpeg binary %s", found)
    AudioSegment.converter = found
    return found
