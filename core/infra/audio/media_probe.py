"""What an audio or video file holds, as ffmpeg finds it: its first audio stream, its real
length, whether there is video. Headers lie (a cut-off MP3 keeps claiming its full length), so
lengths are counted from the packets, except an Ogg file's, which its last page states
truthfully.

Ogg pages are also read in Python, without ffmpeg: enough to tell a voice note's length from its
last page, or that a file holds nothing but empty pages. A page is a header (the capture pattern
"OggS", version 0, flags, the granule position, the stream's serial number, a sequence number, a
checksum, a segment count), a segment table (one byte per segment) and a body as long as the
table's sum. For Opus the granule position counts 48 kHz samples up to the end of the page's last
packet, pre-skip included.
"""

from __future__ import annotations

import asyncio
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from core.domain.errors import AudioTooLong, EmptyAudio, UndecodableAudio
from core.domain.quantities import Duration
from core.infra.audio.ffmpeg_processes import FfmpegProcesses, FfmpegRun, file_url

__all__ = [
    "BEGINS_STREAM",
    "LONGEST_PAGE",
    "MIN_AUDIO_SECONDS",
    "AudioInfo",
    "Media",
    "check_length",
    "inspect_media",
    "inspect_quickly",
    "last_page",
    "page_at",
    "probe",
]

_HEADER = struct.Struct("<4sBBqIIIB")  # an Ogg page's header
BEGINS_STREAM = 0x02  # the flag of a stream's first page
LONGEST_PAGE = _HEADER.size + 255 + 255 * 255  # 65,307 bytes

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
class OggPage:
    flags: int
    granule: int  # -1: no packet ends on this page
    serial: int
    body: int  # where its body starts in the buffer it was read from
    end: int  # where it ends there


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


def page_at(data: bytes, at: int) -> OggPage | None:
    """The Ogg page at `at` in `data`, if a whole one is there."""
    if len(data) - at < _HEADER.size:
        return None
    capture, version, flags, granule, serial, _, _, count = _HEADER.unpack_from(data, at)
    table = data[at + _HEADER.size : at + _HEADER.size + count]
    if capture != b"OggS" or version != 0 or len(table) < count:
        return None
    body = at + _HEADER.size + count
    end = body + sum(table)
    return OggPage(flags, granule, serial, body, end) if end <= len(data) else None


def last_page(data: bytes) -> OggPage | None:
    """The last whole page of `data`, the tail of an Ogg file, if it ends exactly at its end."""
    at = data.rfind(b"OggS")
    while at >= 0:
        page = page_at(data, at)
        if page is not None and page.end == len(data):
            return page
        at = data.rfind(b"OggS", 0, at)
    return None
