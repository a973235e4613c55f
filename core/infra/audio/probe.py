"""What a file holds, as ffmpeg finds it: its first audio stream, its real length, whether
there is video. Headers lie (a cut-off MP3 keeps claiming its full length), so lengths are
counted from the packets, except an Ogg file's, which its last page states truthfully."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

from core.domain.errors import AudioTooLong, EmptyAudio, UndecodableAudio
from core.domain.quantities import Duration
from core.infra.audio.ogg import page_at
from core.infra.audio.processes import FfmpegProcesses, FfmpegRun, file_url

__all__ = [
    "MIN_AUDIO_SECONDS",
    "AudioInfo",
    "Media",
    "check_length",
    "inspect_media",
    "inspect_quickly",
    "probe",
]

MIN_AUDIO_SECONDS = 0.05  # shorter than anything a person can say
# Containers measure a little over the nominal length (a 60:00 recording reads 3600.01 s): a
# limit stated in whole seconds allows what rounds to it.
_DURATION_TOLERANCE = 0.5
_INPUT = re.compile(r"^Input #0, (.+?), from ", re.MULTILINE)
_STREAM = re.compile(r"^\s*Stream #0:\d+\S*: (Audio|Video): ([\w-]+)(.*)$", re.MULTILINE)
_OUT_TIME = re.compile(r"^out_time_us=(\d+)\s*$", re.MULTILINE)
_DURATION = re.compile(r"^\s*Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?),", re.MULTILINE)
_START = re.compile(r"^\s*Duration: .*?, start: (-?\d+(?:\.\d+)?)", re.MULTILINE)
# Containers whose stated length is where the audio really ends: an Ogg stream's length is the
# granule position of its last page, which ffmpeg reads at the end of the file.
_TRUE_LENGTH = frozenset({"ogg"})
_EMPTY_OGG_MAX_BYTES = 64 * 1024  # header pages (Opus or Vorbis tags) are far smaller
# A probe reads the whole file before its length is known: its time limit counts the seconds
# the file would last at 32 kbit/s, a voice note's rate (a lower one gets the limit's floor).
_LOWEST_BYTES_PER_SECOND = 4000


@dataclass(frozen=True)
class AudioInfo:
    duration: float  # seconds of the first audio stream
    has_audio: bool
    codec: str | None  # ffmpeg's decoder name: opus, mp3, aac, pcm_s16le, ...
    container: str | None  # ffmpeg's demuxer name: ogg, mp3, wav, "mov,mp4,m4a,3gp,3g2,mj2", ...


@dataclass(frozen=True)
class Media:
    info: AudioInfo
    has_video: bool  # a real video track, not an mp3's cover picture
    size: int  # bytes
    start: float = 0.0  # seconds where the file's timeline starts, as ffmpeg reports it


async def probe(path: Path, *, processes: FfmpegProcesses) -> AudioInfo:
    """Describe the first audio stream, its duration measured by decoding it all (headers lie)."""
    return (await inspect_media(path, processes=processes, decode=True)).info


async def inspect_media(path: Path, *, processes: FfmpegProcesses, decode: bool) -> Media:
    """What ffmpeg finds in `path`. Demuxing alone already counts the packets really there;
    decoding also proves they decode, at several times the cost."""
    size = (await asyncio.to_thread(path.stat)).st_size
    if size == 0:
        raise EmptyAudio("the file is empty")
    copy = () if decode else ("-c", "copy")
    run = await processes.run(
        "-progress",
        "pipe:1",
        "-i",
        file_url(path),
        "-map",
        "0:a:0",
        *copy,
        "-f",
        "null",
        "-",
        audio_seconds=size / _LOWEST_BYTES_PER_SECOND,
    )
    if _INPUT.search(run.stderr) is None and await asyncio.to_thread(_is_empty_ogg, path):
        raise EmptyAudio("an Ogg stream that ends after its headers")
    return _parse_probe(run, size)


async def inspect_quickly(path: Path, *, processes: FfmpegProcesses) -> Media:
    """`inspect_media` without decoding, except that an Ogg file's length is read from its last
    page (10 ms) instead of demuxing it all (a second per hour of voice note): other
    containers' stated lengths can lie (an MP3's Xing header keeps claiming the whole length
    after the file is cut short)."""
    size = (await asyncio.to_thread(path.stat)).st_size
    if size == 0:
        raise EmptyAudio("the file is empty")
    run = await processes.run(
        "-i", file_url(path), "-map", "0:a:0", "-t", "0", "-f", "null", "-", audio_seconds=0
    )
    container, stated = _INPUT.search(run.stderr), _DURATION.search(run.stderr)
    if run.returncode or not container or not stated or container.group(1) not in _TRUE_LENGTH:
        return await inspect_media(path, processes=processes, decode=False)
    hours, minutes, seconds = stated.groups()
    return _parse_probe(run, size, duration=int(hours) * 3600 + int(minutes) * 60 + float(seconds))


def check_length(duration: float, max_seconds: float | None) -> None:
    """Refuse a recording measured longer than `max_seconds`, MAX_AUDIO_SECONDS (None: no
    limit)."""
    if max_seconds is not None and duration > max_seconds + _DURATION_TOLERANCE:
        limit = Duration(round(max_seconds))
        raise AudioTooLong("the recording is too long", limit=limit, setting="MAX_AUDIO_SECONDS")


def _is_empty_ogg(path: Path) -> bool:
    """Whether `path` is whole Ogg pages that carry no audio (granule positions 0 or -1), as a
    recording stopped at once leaves it: ffmpeg refuses to open one ("End of file"), yet it is
    empty rather than corrupt. A page cut short or any other content makes it False."""
    with path.open("rb") as file:
        data = file.read(_EMPTY_OGG_MAX_BYTES + 1)
    if len(data) > _EMPTY_OGG_MAX_BYTES:
        return False
    offset = 0
    while offset < len(data):
        page = page_at(data, offset)
        if page is None or page.granule > 0:
            return False
        offset = page.end
    return offset == len(data) > 0


def _parse_probe(run: FfmpegRun, size: int, *, duration: float | None = None) -> Media:
    """Translate ffmpeg's description of its input and its progress report (or the given
    `duration`) into a `Media`."""
    inputs = run.stderr.split("Stream mapping:")[0]  # what follows describes the output
    container = _INPUT.search(inputs)
    if container is None:
        raise UndecodableAudio("not a readable audio or video file")
    streams = _STREAM.findall(inputs)
    codecs = [codec for kind, codec, _ in streams if kind == "Audio"]
    has_video = any(kind == "Video" and "(attached pic)" not in rest for kind, _, rest in streams)
    if not codecs:
        raise EmptyAudio("the file has no audio track")
    if run.returncode != 0:
        raise UndecodableAudio("the audio could not be decoded")
    if duration is None:
        times = _OUT_TIME.findall(run.stdout)
        duration = int(times[-1]) / 1_000_000 if times else 0.0
    if duration < MIN_AUDIO_SECONDS:
        raise EmptyAudio("the audio is empty")
    start = _START.search(inputs)
    info = AudioInfo(duration, True, codecs[0], container.group(1))
    return Media(info, has_video, size, float(start.group(1)) if start else 0.0)
