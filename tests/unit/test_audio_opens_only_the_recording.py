"""ffmpeg opens nothing but the recording it is given (core.infra.audio, real ffmpeg): a file
that is a playlist or a list of other files, whatever its name, is refused as not a recording
by every conversion a recording goes through, and as any input of a command that reads
several, and none of the files it names is read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from core.domain.errors import UndecodableAudio
from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses, file_url
from core.infra.mimo import MIMO_AUDIO_CAPS
from tests.audio_factory import make_audio
from tests.playlists import concat_list, hls_playlist, private_recording

AUDIO = FfmpegAudio(processes=FfmpegProcesses(), caps=MIMO_AUDIO_CAPS)


def _hls_absolute(folder: Path, private: Path) -> Path:
    return hls_playlist(folder / "files" / "song.m3u8", f"file:{private}")


def _hls_relative(folder: Path, private: Path) -> Path:
    # As the Bot API server keeps a sender's name's extension: documents/file_17.m3u8.
    return hls_playlist(folder / "documents" / "file_17.m3u8", f"../{private.name}")


def _concat(folder: Path, private: Path) -> Path:
    # Read by its content: named as a download is, beside the file it names.
    return concat_list(folder / "recording", private.name)


LISTS = {"hls-file-url": _hls_absolute, "hls-relative": _hls_relative, "concat": _concat}


async def _probe(audio: FfmpegAudio, path: Path) -> object:
    return await audio.probe(path)


async def _pieces(audio: FfmpegAudio, path: Path) -> object:
    return await audio.to_asr_pieces(path)


async def _question(audio: FfmpegAudio, path: Path) -> object:
    async with audio.understanding_input(path, max_seconds=600) as given:
        return given.path.read_bytes()


async def _clone(audio: FfmpegAudio, path: Path) -> object:
    return await audio.to_clone_sample(path, max_seconds=20)


USES: dict[str, Callable[[FfmpegAudio, Path], Awaitable[object]]] = {
    "measured": _probe, "transcribed": _pieces, "asked": _question, "cloned": _clone,
}  # fmt: skip


@pytest.mark.parametrize("use", USES)
@pytest.mark.parametrize("make", LISTS)
async def test_a_list_of_other_files_is_refused_as_not_a_recording(
    tmp_path: Path, make: str, use: str
) -> None:
    private = private_recording(tmp_path)
    assert (await AUDIO.probe(private)).duration > 1  # the file it names is a readable one
    listed = LISTS[make](tmp_path, private)

    with pytest.raises(UndecodableAudio):
        await USES[use](AUDIO, listed)


@pytest.mark.parametrize("make", LISTS)
async def test_a_list_given_after_a_recording_is_refused_as_much_as_the_first_input(
    tmp_path: Path, make: str
) -> None:
    """Each of ffmpeg's inputs has options of its own: a command reading several (the loudness
    of a long recording reads one window an input) keeps the list out however many inputs
    come before it, and opens none of the files it names."""
    recording = make_audio(tmp_path / "first", fmt="wav", seconds=1)
    listed = LISTS[make](tmp_path, private_recording(tmp_path))
    both = ("-filter_complex", "[0:a][1:a]concat=n=2:v=0:a=1[a]", "-map", "[a]")

    run = await FfmpegProcesses().run(
        "-i", file_url(recording), "-i", file_url(listed), *both, "-f", "null", "-",
        audio_seconds=10,
    )  # fmt: skip

    assert run.returncode != 0
    refused = [line for line in run.stderr.splitlines() if "not on whitelist" in line]
    assert [line.split(" @ ")[0] for line in refused] == ["[in#1"], run.stderr  # the list
