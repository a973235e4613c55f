"""ffmpeg processes are limited across all conversions of the process."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from core.infra.audio.converter import FfmpegAudio
from core.infra.audio.processes import FfmpegProcesses
from tests.audio_factory import make_audio

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def ffmpeg_children() -> int:
    """How many ffmpeg processes this process has running now."""
    count = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
        except OSError:
            continue  # it ended while we looked
        name, rest = fields[0].split("(", 1)[-1], fields[-1].split()
        if "ffmpeg" in name and int(rest[1]) == os.getpid():
            count += 1
    return count


@pytest.fixture
def audio() -> FfmpegAudio:
    return FfmpegAudio(processes=FfmpegProcesses(1))


async def test_conversions_wait_for_a_free_ffmpeg_slot(audio: FfmpegAudio, tmp_path: Path) -> None:
    notes = [make_audio(tmp_path / f"note{i}.ogg", fmt="ogg", seconds=4) for i in range(4)]
    most = 0
    done = asyncio.Event()

    async def watch() -> None:
        nonlocal most
        while not done.is_set():
            most = max(most, await asyncio.to_thread(ffmpeg_children))
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
