"""Loudness around the planned cuts of a long recording, measured by ffmpeg, so that each cut
moves into the quietest pause near it (the arithmetic is `core.domain.pauses`)."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence

from core.domain.errors import UndecodableAudio
from core.domain.pauses import BLOCK_SECONDS, CutPlan, parse_levels, quietest_pause
from core.infra.audio.processes import FfmpegProcesses
from core.infra.audio.sources import AudioSource, mono

__all__ = ["MEASURE_RATE", "pause_cuts", "window_levels"]

MEASURE_RATE = 16_000


# Loudness per 50 ms block, printed to stdout as `pts_time:...` / `...RMS_level=...` pairs.
def _levels(rate: int) -> str:
    return (f"asetnsamples=n={round(rate * BLOCK_SECONDS)}:p=0,"
            "astats=metadata=1:reset=1:measure_perchannel=none:measure_overall=RMS_level,"
            "ametadata=mode=print:key=lavfi.astats.Overall.RMS_level:file='pipe\\:1'")  # fmt: skip


# Every window is an input of its own (threads of its own) or, for Opus, a source filter (a file
# opened): keep either count sane.
_WINDOWS_PER_RUN = 16
_LEVELS_OUTPUT = 4 * 1024 * 1024  # about 85 bytes per block: room for 32 windows of 1000 blocks


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
