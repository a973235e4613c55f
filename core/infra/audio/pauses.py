"""The pauses of a recording, measured by ffmpeg: the loudness around the planned cuts of a long
recording, so that each cut moves into the quietest pause near it (the arithmetic is
`core.domain.recordings.pause_cut_rules`), and long pauses shortened in the ffmpeg pass that
converts a recording, so MiMo is not paid for dead air (it bills the seconds it receives) and the
chat does not wait for it.

Shortening the pauses:

    recording
      -> its noise floor: the quietest 250 ms in up to three 6-second windows spread over it,
         decoded in one short ffmpeg run (`core.domain.recordings.pause_cut_rules.pause_threshold`)
      -> `silenceremove` in the conversion's own filter chain: every stretch quieter than the
         floor plus 6 dB (never above -35 dBFS, always at least -55) for longer than
         `KEPT_PAUSE_SECONDS` is cut down to about that long, so the model still hears the
         sentence break

Why relative to the floor and not a fixed level: recorded speech rarely falls silent (the 1961
JFK recording pauses at -38 to -42 dBFS); a phone's noise suppression leaves -60. The same rule
finds where to cut a long recording.

Timings stay true: with `timestamp=copy` the frames silenceremove keeps carry their original
times, so the segment muxer cuts pieces at original times and lists each piece's start and end
in the original recording; only the audio inside a piece is shorter. That option came with the
rewritten silenceremove of ffmpeg 6.1, which the bundled build has: only an older ffmpeg named
by FFMPEG_BINARY (Debian 12 ships 5.1) leaves a long recording uncompacted rather than shift a
single timestamp. A short note is compacted in Python, whatever the build (`short_voice_notes`).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence

from core.domain.errors import UndecodableAudio
from core.domain.recordings.pause_cut_rules import (
    BLOCK_SECONDS,
    KEPT_PAUSE_SECONDS,
    CutPlan,
    parse_levels,
    pause_threshold,
    quietest_pause,
)
from core.infra.audio.ffmpeg_binary import keeps_timestamps
from core.infra.audio.ffmpeg_inputs import AudioSource, mono
from core.infra.audio.ffmpeg_processes import FfmpegProcesses

__all__ = ["MEASURE_RATE", "pause_cuts", "pause_filter", "window_levels"]

MEASURE_RATE = 16_000

# Every window is an input of its own (threads of its own) or, for Opus, a source filter (a file
# opened): keep either count sane.
_WINDOWS_PER_RUN = 16
_LEVELS_OUTPUT = 4 * 1024 * 1024  # about 85 bytes per block: room for 32 windows of 1000 blocks

_FLOOR_SEARCH = 3.0  # seconds either side of each place the floor is measured


async def pause_cuts(
    source: AudioSource,
    plan: CutPlan,
    targets: Sequence[float],
    *,
    workers: int,
    slots: asyncio.Semaphore,
    processes: FfmpegProcesses,
) -> list[float]:
    """`targets`, each moved into the quietest pause near it, measured in batches spread over
    `workers` runs of ffmpeg, each holding one of the recording's `slots`."""
    if not targets or not plan.search:
        return list(targets)

    async def measure(batch: Sequence[float]) -> list[list[float]]:
        async with slots:
            return await window_levels(source, batch, plan, processes)

    # A task group, not gather: when cancelled, gather returns as soon as one measurement has
    # stopped, while the others may still be killing their ffmpeg.
    async with asyncio.TaskGroup() as group:
        runs = [group.create_task(measure(b)) for b in _batches(targets, workers)]
    windows = [levels for run in runs for levels in run.result()]
    return [target - plan.search + quietest_pause(levels)
            for target, levels in zip(targets, windows, strict=True)]  # fmt: skip


def _batches(targets: Sequence[float], workers: int) -> list[Sequence[float]]:
    """The targets in runs of consecutive ones, about `_WINDOWS_PER_RUN` each, in a multiple of
    `workers` runs so that the workers finish together."""
    rounds = math.ceil(len(targets) / (_WINDOWS_PER_RUN * workers))
    count = min(len(targets), workers * rounds)
    size = math.ceil(len(targets) / count)
    return [targets[i : i + size] for i in range(0, len(targets), size)]


async def window_levels(
    source: AudioSource,
    targets: Sequence[float],
    plan: CutPlan,
    processes: FfmpegProcesses,
    *,
    rate: int = MEASURE_RATE,
) -> list[list[float]]:
    """Block loudness around each target, mono at `rate`: ffmpeg seeks to each window and
    decodes only those seconds, padded to the same length, and the windows are laid end to
    end."""
    samples = round(plan.window_blocks * BLOCK_SECONDS * rate)
    inputs: list[str] = []
    chains = []
    for i, target in enumerate(targets):
        start = max(0.0, target - plan.search)
        reading = source.reading(i, start, start + 2 * plan.search)
        inputs += reading.inputs
        chains.append(f"{reading.head}{mono(rate)},"
                      f"apad=whole_len={samples},atrim=end_sample={samples}[w{i}]")  # fmt: skip
    joined = "".join(f"[w{i}]" for i in range(len(targets)))
    graph = ";".join([*chains, f"{joined}concat=n={len(targets)}:v=0:a=1,{_levels(rate)}"])
    run = await processes.run(*inputs, "-filter_complex", graph, "-f", "null", "-",
                              audio_seconds=len(targets) * 2 * plan.search,
                              keep=_LEVELS_OUTPUT)  # fmt: skip
    if run.returncode != 0:
        raise UndecodableAudio("the audio could not be decoded")
    return parse_levels(run.stdout, windows=len(targets), window_blocks=plan.window_blocks)


# Loudness per 50 ms block, printed to stdout as `pts_time:...` / `...RMS_level=...` pairs.
def _levels(rate: int) -> str:
    return (f"asetnsamples=n={round(rate * BLOCK_SECONDS)}:p=0,"
            "astats=metadata=1:reset=1:measure_perchannel=none:measure_overall=RMS_level,"
            "ametadata=mode=print:key=lavfi.astats.Overall.RMS_level:file='pipe\\:1'")  # fmt: skip


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
    FFMPEG_BINARY may not (the start said so, `ffmpeg_binary`)."""
    return await asyncio.to_thread(keeps_timestamps, processes.executable)
