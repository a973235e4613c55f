"""ffmpeg processes are limited across all conversions of the process."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

import pytest

from core.domain.errors import AudioTimedOut
from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses, TimeLimit, file_url
from core.infra.mimo import MIMO_AUDIO_CAPS
from tests.audio_factory import make_audio
from tests.processes import HAS_PROC, ffmpeg_children

pytestmark = pytest.mark.skipif(not HAS_PROC, reason="needs /proc")


@pytest.fixture
def audio() -> FfmpegAudio:
    return FfmpegAudio(processes=FfmpegProcesses(1), caps=MIMO_AUDIO_CAPS)


async def test_conversions_wait_for_a_free_ffmpeg_slot(audio: FfmpegAudio, tmp_path: Path) -> None:
    notes = [make_audio(tmp_path / f"note{i}.ogg", fmt="ogg", seconds=4) for i in range(4)]
    most = 0
    done = asyncio.Event()

    async def watch() -> None:
        nonlocal most
        while not done.is_set():
            most = max(most, len(await asyncio.to_thread(ffmpeg_children)))
            await asyncio.sleep(0.005)

    watcher = asyncio.create_task(watch())
    try:
        infos = await asyncio.gather(*(audio.probe(note) for note in notes))
        converted = await asyncio.gather(*(audio.to_asr_pieces(note) for note in notes))
    finally:
        done.set()
        await watcher

    assert [round(info.duration) for info in infos] == [4, 4, 4, 4]
    assert all(len(pieces) == 1 for pieces in converted)
    assert most <= 1


@pytest.mark.skipif(not hasattr(os, "SCHED_BATCH"), reason="a system without SCHED_BATCH")
async def test_every_ffmpeg_thread_runs_under_batch_scheduling() -> None:
    """ffmpeg 7 on hands each packet from thread to thread: under the batch policy those
    hand-overs do not preempt whatever runs (the bot's own thread included)."""
    policies: dict[int, int] = {}

    async def seen_at_work() -> None:
        """Until an ffmpeg of ours is seen with its main thread and a worker: each one's policy."""
        while len(policies) < 2:
            for pid in ffmpeg_children():
                with contextlib.suppress(OSError):  # it ended, or a thread did, while we looked
                    for task in Path(f"/proc/{pid}/task").iterdir():
                        policies[int(task.name)] = os.sched_getscheduler(int(task.name))
            await asyncio.sleep(0.01)

    # A source that never ends, paced at real speed: it works until its threads were seen,
    # however slowly this machine looks, and is stopped then (cancelled, ffmpeg is killed).
    run = asyncio.create_task(FfmpegProcesses().run(
        "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000",
        "-c:a", "pcm_s16le", "-f", "null", "-", audio_seconds=3600,
    ))  # fmt: skip
    try:
        await seen_at_work()
    finally:
        run.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await run
    assert len(policies) > 1  # the main thread and its workers
    assert set(policies.values()) == {os.SCHED_BATCH}
    assert ffmpeg_children() == []  # stopped and reaped


async def test_an_ffmpeg_that_hangs_is_stopped_by_its_time_limit_and_frees_its_slot(
    tmp_path: Path,
) -> None:
    """An input that never ends (a pipe nobody writes to) holds ffmpeg for ever: past the
    floor plus the recording's length it is killed, the caller hears of unusable audio, and
    the only slot serves the next conversion."""
    never = tmp_path / "never.ogg"
    os.mkfifo(never)
    processes = FfmpegProcesses(1, time_limit=TimeLimit(floor_seconds=1, per_audio_second=0.5))
    audio = FfmpegAudio(processes=processes, caps=MIMO_AUDIO_CAPS)

    with pytest.raises(AudioTimedOut):
        await asyncio.wait_for(
            processes.run("-i", file_url(never), "-f", "null", "-", audio_seconds=2), timeout=60
        )
    assert len(ffmpeg_children()) == 0
    info = await audio.probe(make_audio(tmp_path, fmt="ogg", seconds=2))
    assert info.duration == pytest.approx(2, abs=0.1)


async def test_every_input_may_open_only_files_and_pipes(tmp_path: Path) -> None:
    """A playlist inside a user's file cannot make ffmpeg read anything but the file itself,
    whichever input of the command it is: each input has options of its own, so a command
    that reads a recording first (or several times, as the loudness of a long one is
    measured) guards the next input as much as the first."""
    wav = make_audio(tmp_path, fmt="wav", seconds=1)
    both = ("-filter_complex", "[0:a][1:a]concat=n=2:v=0:a=1[a]", "-map", "[a]")
    inside = await FfmpegProcesses().run(
        "-i", file_url(wav), "-i", f"subfile,,start,0,end,0,,:{wav}", *both, "-f", "null", "-",
        audio_seconds=2,
    )  # fmt: skip
    plain = await FfmpegProcesses().run(
        "-i", file_url(wav), "-i", file_url(wav), *both, "-f", "null", "-", audio_seconds=2
    )

    assert plain.returncode == 0
    assert inside.returncode != 0
    assert "not on whitelist" in inside.stderr
