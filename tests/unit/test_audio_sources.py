"""Where ffmpeg reads a recording from (`core.infra.audio.ffmpeg_inputs`): Opus inside the filter
graph, everything else as an input, and the pieces the same either way. Real ffmpeg, generated
audio."""

from __future__ import annotations

import math
import shutil
from array import array
from pathlib import Path

import pytest

import core.infra.audio.asr_pieces
from core.domain.shared_values import AsrPiece
from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_inputs import AudioSource, source_of
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.audio.media_probe import Media
from core.infra.mimo import MIMO_AUDIO_CAPS
from tests.audio_factory import AUDIO_FORMATS, make_speech_like, run_ffmpeg

AUDIO = FfmpegAudio(processes=FfmpegProcesses(), caps=MIMO_AUDIO_CAPS)


async def pieces_of(path: Path, *, compact: bool = False) -> list[AsrPiece]:
    """`path` in pieces of at most 10 s, as 16 kHz WAV."""
    audio = FfmpegAudio(processes=AUDIO.processes, caps=MIMO_AUDIO_CAPS, compact_pauses=compact)
    return await audio.to_asr_pieces(path, piece_seconds=10)


def same_sound(read: list[AsrPiece], as_input: list[AsrPiece]) -> bool:
    """The same pieces: at the same places in the recording, as long, with the same sound in
    every 50 ms (within 1 dB). Not the same bytes: the two ways differ by a few samples (a
    seek rounded to the other side of a 48 kHz sample, a WebM stream's first half
    millisecond)."""
    if [(p.offset, p.duration) for p in read] != [(p.offset, p.duration) for p in as_input]:
        return False
    for one, other in zip(read, as_input, strict=True):
        a, b = _levels(one.data), _levels(other.data)
        if abs(len(a) - len(b)) > 1:
            return False
        if any(abs(x - y) > 1 for x, y in zip(a, b, strict=False)):
            return False
    return True


def _levels(wav: bytes) -> list[float]:
    """dBFS of every 50 ms of a 16 kHz WAV's samples."""
    samples = array("h", wav[78:])  # past the header ffmpeg writes
    blocks = [samples[i : i + 800] for i in range(0, len(samples), 800)]
    return [10 * math.log10(max(1e-12, sum(x * x for x in block) / len(block) / 32768**2))
            for block in blocks]  # fmt: skip


def read_as_an_input(monkeypatch: pytest.MonkeyPatch) -> list[AudioSource]:
    """Make the conversion read every recording with `-i`; the sources it would have used are
    recorded in the returned list."""
    chosen: list[AudioSource] = []

    def as_input(path: Path, media: Media) -> AudioSource:
        chosen.append(source_of(path, media))
        return AudioSource(path, media.start, in_graph=False)

    monkeypatch.setattr(core.infra.audio.asr_pieces, "source_of", as_input)
    return chosen


@pytest.mark.parametrize("fmt", AUDIO_FORMATS)
async def test_the_pieces_are_the_same_whichever_way_ffmpeg_reads_the_recording(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 23 s of bursts and 1.5 s pauses: cut into three pieces.
    clip = make_speech_like(tmp_path, fmt=fmt, bursts=9, burst_seconds=1.2, pause_seconds=1.5)
    read = await pieces_of(clip)

    chosen = read_as_an_input(monkeypatch)
    as_input = await pieces_of(clip)

    assert [source.in_graph for source in chosen] == [fmt in ("ogg", "webm")]  # Opus only
    assert len(read) == len(as_input) == 3
    assert same_sound(read, as_input)


@pytest.mark.parametrize("fmt", ["ogg", "webm"])
async def test_pauses_are_compacted_alike_whichever_way_ffmpeg_reads_the_recording(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clip = make_speech_like(tmp_path, fmt=fmt, bursts=9, burst_seconds=1.2, pause_seconds=1.5)
    read = await pieces_of(clip, compact=True)

    read_as_an_input(monkeypatch)
    as_input = await pieces_of(clip, compact=True)

    assert [(p.offset, p.duration) for p in read] == [(p.offset, p.duration) for p in as_input]
    for one, other in zip(read, as_input, strict=True):
        # Every 1.5 s pause is cut to about 0.5 s; where exactly may differ by a few samples.
        assert len(one.data) == pytest.approx(len(other.data), abs=2 * 160)  # 10 ms
        assert len(one.data) < 32_000 * one.duration * 0.85


async def test_a_name_that_means_something_to_a_filter_graph_is_read_as_a_name(
    tmp_path: Path,
) -> None:
    clip = make_speech_like(tmp_path, bursts=3)
    odd = tmp_path / "it's a [voice] note, 100%; from: me \\ 'us'.ogg"
    shutil.copy(clip, odd)

    assert [p.data for p in await pieces_of(odd)] == [p.data for p in await pieces_of(clip)]


async def test_opus_in_a_file_whose_timeline_starts_late_keeps_its_timings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An MPEG-TS file's timeline starts where its clock did (1.4 s here), not at 0.
    clip = make_speech_like(tmp_path, bursts=9, burst_seconds=1.2, pause_seconds=1.5)
    stream = tmp_path / "broadcast.ts"
    run_ffmpeg("-i", str(clip), "-c:a", "copy", "-f", "mpegts", str(stream))
    read = await pieces_of(stream)

    chosen = read_as_an_input(monkeypatch)
    as_input = await pieces_of(stream)

    assert chosen[0].in_graph and chosen[0].start > 1
    assert sum(p.duration for p in read) == pytest.approx(22.8, abs=0.05)
    assert same_sound(read, as_input)
