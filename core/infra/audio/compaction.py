"""Long pauses shortened in the ffmpeg pass that converts a recording, so MiMo is not paid for
dead air (it bills the seconds it receives) and the chat does not wait for it.

    recording
      -> its noise floor: the quietest 250 ms in up to three 6-second windows spread over it,
         decoded in one short ffmpeg run (`core.domain.pauses.pause_threshold`)
      -> `silenceremove` in the conversion's own filter chain: every stretch quieter than the
         floor plus 6 dB (never above -35 dBFS, always at least -55) for longer than
         `KEPT_PAUSE_SECONDS` is cut down to about that long, so the model still hears the
         sentence break

Why relative to the floor and not a fixed level: recorded speech rarely falls silent (the 1961
JFK recording pauses at -38 to -42 dBFS); a phone's noise suppression leaves -60. The same rule
as finding where to cut a long recording (`core.domain.pauses`).

Timings stay true: with `timestamp=copy` the frames silenceremove keeps carry their original
times, so the segment muxer cuts pieces at original times and lists each piece's start and end
in the original recording; only the audio inside a piece is shorter. That option came with the
rewritten silenceremove of ffmpeg 6.1, which the bundled build has: only an older ffmpeg named
by FFMPEG_BINARY (Debian 12 ships 5.1) leaves a long recording uncompacted rather than shift a
single timestamp. A short note is compacted in Python, whatever the build (`asr_short_notes`).
"""

from __future__ import annotations

import asyncio
import math

from core.domain.pauses import BLOCK_SECONDS, KEPT_PAUSE_SECONDS, CutPlan, pause_threshold
from core.infra.audio.ffmpeg import keeps_timestamps
from core.infra.audio.loudness import MEASURE_RATE, window_levels
from core.infra.audio.processes import FfmpegProcesses
from core.infra.audio.sources import AudioSource, mono

__all__ = ["pause_filter"]

_FLOOR_SEARCH = 3.0  # seconds either side of each place the floor is measured


async def pause_filter(
    source: AudioSource,
    duration: float,
    *,
    processes: FfmpegProcesses,
    keep_times: bool,
    sample_rate: int = MEASURE_RATE,
) -> str | None:
    """The filter that shortens `src`'s long pauses, for the conversion's `-af`; None when
    this ffmpeg cannot or the recording has no measurable floor. `keep_times`: kept audio
    keeps its original timestamps (pieces cut and listed in original time), else the output
    is timed as it plays (a clone sample's length is its speech). The filter resamples to
    `sample_rate` first, the output's rate, and the floor is measured at that rate too: a
    codec's hiss above 8 kHz, gone at 16 kHz, would lift a pause at 24 kHz over a threshold
    measured at 16 kHz."""
    if not await _keeps_timestamps(processes):
        return None
    threshold = pause_threshold(await _floor_levels(source, duration, processes, sample_rate))
    if threshold is None:
        return None
    stamps = "copy" if keep_times else "write"
    return (
        f"{mono(sample_rate)},"
        f"silenceremove=stop_periods=-1:stop_duration={KEPT_PAUSE_SECONDS:g}"
        f":stop_threshold={threshold:.1f}dB:detection=rms:window={BLOCK_SECONDS:g}"
        f":timestamp={stamps}"
    )


async def _floor_levels(
    source: AudioSource, duration: float, processes: FfmpegProcesses, rate: int
) -> list[float]:
    """Block levels of up to three windows spread over the recording, laid end to end."""
    # Whole blocks that fit: a window past the end would be padded with digital silence.
    search = min(_FLOOR_SEARCH, math.floor(duration / 2 / BLOCK_SECONDS) * BLOCK_SECONDS)
    if search < BLOCK_SECONDS:
        return []
    count = max(1, min(3, math.floor(duration / (2 * search))))
    targets = tuple(duration * (2 * i + 1) / (2 * count) for i in range(count))
    plan = CutPlan(targets, search)
    windows = await window_levels(source, targets, plan, processes, rate=rate)
    return [level for window in windows for level in window]


async def _keeps_timestamps(processes: FfmpegProcesses) -> bool:
    """Whether the ffmpeg that runs can keep timestamps: the bundled build can; one named by
    FFMPEG_BINARY may not (the start said so, `ffmpeg`)."""
    return await asyncio.to_thread(keeps_timestamps, processes.executable)
