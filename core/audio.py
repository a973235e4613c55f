"""Audio conversion: whatever users send becomes ASR pieces, synthesized WAV becomes voice notes.

Speech recognition input (`asr_pieces`, streaming; `to_asr_pieces`, all at once)::

    voice note / audio file / video
      -> probe: ffmpeg demuxes the first audio stream (no decoding) and counts its real length
      -> limits checked; cuts planned evenly, then each moved into the quietest pause within a
         few seconds (`core.pauses`): ONE ffmpeg run decodes only those windows, side by side
      -> the pieces are split into one contiguous range per worker (2 on a 2-core machine), and
         one ffmpeg per range decodes it (seeking to its start), downmixes to mono, resamples to
         16 kHz, encodes MP3 48 kbps CBR, and its segment muxer writes one file per piece
         (no PCM in Python, none on disk)
      -> each piece is handed over as soon as ffmpeg moves on to the next file, so the first
         request starts while later pieces are still converting
      -> AsrPiece(bytes, offset, duration) per file, read and deleted when the caller takes it

Why ranges in parallel: one ffmpeg pass is single-threaded, and Opus decoding is about half of
it; two ranges on two cores finish in a bit over half the time. Why not one process per piece:
each ffmpeg start costs about 40 ms of CPU, more than converting a one-minute piece.

Why MP3 and not WAV: MiMo caps the base64 string at 10 MB, about 7.5 MB of audio bytes. 16 kHz
16-bit WAV is 32 kB/s, about 4 minutes per request; MP3 at 48 kbps is 6 kB/s (360 kB a minute),
about 21 minutes per request, and five times less to upload. Why 48 kbps: at 16 kHz LAME keeps
speech up to about 7 kHz from 32 kbps up, but its error against the source levels off only at
48 kbps (pink noise: 11.3 dB SNR at 32k, 13.2 at 48k, 13.3 at 64k); 24 kbps cuts at 5.5 kHz and
dulls fricatives. Pieces are encoded without the bit reservoir and without a Xing/LAME header, so
each piece decodes on its own: no frame borrows bits from the previous piece, and no decoder
trims the encoder delay (which belongs to the first piece only) from the start of later pieces.

Voice notes (`to_voice_note`): pydub reads the WAV, exports OGG/Opus mono 48 kHz 32 kbps (clean
synthesized speech at 24 kHz is transparent there) and computes Discord's waveform bytes.

ffmpeg runs as asyncio subprocesses and pydub in a thread, so the event loop never blocks; a
cancelled caller kills its ffmpeg. Only `core.errors` types escape; ffmpeg's output goes to the
DEBUG log, never into a message.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import itertools
import logging
import math
import os
import re
import struct
import tempfile
import weakref
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydub import AudioSegment
from pydub.exceptions import CouldntEncodeError

from core.domain.errors import AudioTooLarge, EmptyAudio, TooLongToAsk, UndecodableAudio
from core.domain.pauses import BLOCK_SECONDS, CutPlan, parse_levels, plan_cuts, quietest_pause
from core.domain.values import AsrPiece, VoiceNote
from core.ffmpeg import ffmpeg_exe
from core.ports import ASR_MAX_BASE64, UNDERSTANDING_MAX_BASE64

logger = logging.getLogger(__name__)

MP3_BYTES_PER_SECOND = 48_000 // 8
# 10% margin: also fits a decimal reading of "10 MB" (10,000,000 characters: 1250 s).
MAX_PIECE_SECONDS = ASR_MAX_BASE64 * 3 / 4 * 0.9 / MP3_BYTES_PER_SECOND  # about 1180 s
MIN_PIECE_SECONDS = 1.0
MIN_AUDIO_SECONDS = 0.05  # shorter than anything a person can say
# A cut lands on the next 36 ms MP3 frame, and the first piece also carries 69 ms of encoder delay.
_CUT_SLACK = 0.2
# LAME's -q 7 skips its psychoacoustic noise shaping: 40% less encoding time, and on the JFK clip
# a smaller error against the source (25.8 dB SNR against 23.7 dB at the default -q 3).
_MP3 = ("-map", "0:a:0", "-map_metadata", "-1", "-ac", "1", "-ar", "16000",
        "-c:a", "libmp3lame", "-b:a", "48k", "-compression_level", "7")  # fmt: skip
_PIECES = ("-reservoir", "0", "-f", "segment", "-segment_format", "mp3",
           "-segment_format_options", "write_xing=0:id3v2_version=0", "-reset_timestamps", "1",
           "-avoid_negative_ts", "disabled", "-segment_list_type", "csv")  # fmt: skip
_ONE_PIECE = ("-segment_time", "1000000000")
_LEVEL_RATE = 16_000
# Loudness per 50 ms block, printed to stdout as `pts_time:...` / `...RMS_level=...` pairs.
_LEVELS = (f"asetnsamples=n={round(_LEVEL_RATE * BLOCK_SECONDS)}:p=0,"
           "astats=metadata=1:reset=1:measure_perchannel=none:measure_overall=RMS_level,"
           "ametadata=mode=print:key=lavfi.astats.Overall.RMS_level:file='pipe\\:1'")  # fmt: skip
_WINDOWS_PER_RUN = 16  # every window is an input of its own: keep ffmpeg's thread count sane
_LEVELS_OUTPUT = 4 * 1024 * 1024  # about 85 bytes per block: room for 32 windows of 1000 blocks
_POLL_SECONDS = 0.05  # how often a worker's segment list is checked for finished pieces
_PASSTHROUGH = {
    ("mp3", "mp3"): "audio/mpeg",
    ("wav", "pcm_s16le"): "audio/wav",
    ("flac", "flac"): "audio/flac",
    ("mov,mp4,m4a,3gp,3g2,mj2", "aac"): "audio/mp4",
    ("ogg", "opus"): "audio/ogg",
    ("ogg", "vorbis"): "audio/ogg",
}
WAVEFORM_BYTES = 256  # Discord's maximum
WAVEFORM_WINDOWS_PER_SECOND = 10
JOIN_PAUSE_MS = 300  # between pieces of speech joined into one voice note
_KEEP_OUTPUT = 64 * 1024  # bytes of ffmpeg output kept from each end of a stream
_INPUT = re.compile(r"^Input #0, (.+?), from ", re.MULTILINE)
_STREAM = re.compile(r"^\s*Stream #0:\d+\S*: (Audio|Video): ([\w-]+)(.*)$", re.MULTILINE)
_OUT_TIME = re.compile(r"^out_time_us=(\d+)\s*$", re.MULTILINE)
_DURATION = re.compile(r"^\s*Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?),", re.MULTILINE)
# Containers whose stated length is where the audio really ends: an Ogg stream's length is the
# granule position of its last page, which ffmpeg reads at the end of the file.
_TRUE_LENGTH = frozenset({"ogg"})
# An Ogg page header: capture pattern, version, (flags), granule position, (serial, sequence,
# checksum), segment count; the segment table follows.
_OGG_PAGE = struct.Struct("<4sBxq12xB")
_EMPTY_OGG_MAX_BYTES = 64 * 1024  # header pages (Opus or Vorbis tags) are far smaller


@dataclass(frozen=True)
class AudioInfo:
    duration: float  # seconds of the first audio stream
    has_audio: bool
    codec: str | None  # ffmpeg's decoder name: opus, mp3, aac, pcm_s16le, ...
    container: str | None  # ffmpeg's demuxer name: ogg, mp3, wav, "mov,mp4,m4a,3gp,3g2,mj2", ...


@dataclass(frozen=True)
class _Media:
    info: AudioInfo
    has_video: bool  # a real video track, not an mp3's cover picture
    size: int  # bytes


@dataclass(frozen=True)
class _Run:
    returncode: int
    stdout: str
    stderr: str


async def probe(path: Path) -> AudioInfo:
    """Describe the first audio stream, its duration measured by decoding it all (headers lie)."""
    return (await _inspect(path, decode=True)).info


async def to_asr_pieces(
    path: Path, *, piece_seconds: float = 600, max_seconds: float | None = None
) -> list[AsrPiece]:
    """Convert any audio or video to mono 16 kHz MP3 pieces of at most `piece_seconds` each,
    cut in pauses, in order. `asr_pieces` hands the same pieces over as each one is ready."""
    async with asr_pieces(path, piece_seconds=piece_seconds, max_seconds=max_seconds) as pieces:
        found = [piece async for piece in pieces]
    return sorted(found, key=lambda piece: piece.offset)


class AsrPieceStream:
    """The pieces of one recording, as ffmpeg finishes them. Ranges convert side by side, so
    pieces can arrive out of order: each carries its offset. Iterate it once."""

    def __init__(self, duration: float) -> None:
        self.duration = duration  # seconds of the whole recording, known before any piece
        self._ready: asyncio.Queue[_PieceFile | BaseException | None] = asyncio.Queue()

    def __aiter__(self) -> AsyncIterator[AsrPiece]:
        return self._pieces()

    def put(self, item: _PieceFile | BaseException | None) -> None:
        """A finished piece, the error that stopped the conversion, or None at the end."""
        self._ready.put_nowait(item)

    async def _pieces(self) -> AsyncIterator[AsrPiece]:
        heard = 0.0
        while (item := await self._ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            piece = await asyncio.to_thread(_load_piece, item)
            if piece is not None:
                heard += piece.duration
                yield piece
        if heard < MIN_AUDIO_SECONDS:
            raise EmptyAudio("the audio is empty")


@asynccontextmanager
async def asr_pieces(
    path: Path,
    *,
    piece_seconds: float = 600,
    max_seconds: float | None = None,
    workers: int | None = None,
) -> AsyncIterator[AsrPieceStream]:
    """Probe `path`, check its length, and start converting it into ASR pieces in the
    background; the stream yields each piece once it is ready. Leaving the block stops any
    ffmpeg still running and deletes what was not taken."""
    limit = _piece_limit(piece_seconds)
    media = await _inspect_quickly(path)
    _check_duration(media.info.duration, max_seconds)
    with tempfile.TemporaryDirectory(prefix="voicebridge-asr-") as tmp:
        stream = AsrPieceStream(media.info.duration)
        count = workers or default_workers()
        slots = asyncio.Semaphore(count)
        job = _PieceJob(path, Path(tmp), media.info.duration, limit, count, slots)
        producer = asyncio.create_task(_produce(job, stream))
        try:
            yield stream
        finally:
            await _stop(producer)


def default_workers() -> int:
    """ffmpeg processes converting one recording at once: one per core, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


async def to_voice_note(wav: bytes) -> VoiceNote:
    """Encode a WAV (any rate) as an OGG/Opus voice note with its duration and waveform."""
    ffmpeg_exe()  # points pydub at the binary before the worker thread needs it
    async with _process_slot().held():  # pydub runs ffmpeg too
        return await asyncio.to_thread(_voice_note, wav)


async def join_wavs(wavs: list[bytes]) -> bytes:
    """One WAV of several spoken one after the other, with a short pause between them (text
    too long for one TTS request is synthesised in pieces)."""
    if len(wavs) == 1:
        return wavs[0]
    return await asyncio.to_thread(_join_wavs, wavs)


async def to_understanding_input(
    path: Path, *, max_base64: int = UNDERSTANDING_MAX_BASE64
) -> tuple[bytes, str]:
    """Bytes and MIME type for audio understanding: the file itself when MiMo takes it, else MP3.
    A recording too long for one request even as MP3 is refused before converting; what is sent
    is checked against the cap by the MiMo adapter."""
    media = await _inspect(path, decode=False)
    mime = _passthrough_mime(media)
    if mime is not None and _base64_size(media.size) < max_base64:
        return await asyncio.to_thread(path.read_bytes), mime
    _check_understandable(int(media.info.duration * MP3_BYTES_PER_SECOND), max_base64)
    return await _encode_mp3(path), "audio/mpeg"


async def to_clone_sample(path: Path, *, max_seconds: float) -> tuple[bytes, str]:
    """A voice sample for cloning (`core.app.voices`): the first `max_seconds` of the recording as
    mono 24 kHz MP3 at 64 kbps (30 s is about 240 kB, 120 s under 1 MB: far under MiMo's cap on
    a voice sample, which `core.domain.tts.clone_voice` checks). Returns the bytes and their MIME
    type."""
    await _inspect(path, decode=False)  # empty, corrupt or not audio: one clear error
    with tempfile.TemporaryDirectory(prefix="voicebridge-sample-") as tmp:
        out = Path(tmp) / "sample.mp3"
        run = await _ffmpeg(
            "-i", _url(path), "-t", f"{max_seconds:g}", "-map", "0:a:0", "-map_metadata", "-1",
            "-ac", "1", "-ar", "24000", "-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3", str(out),
        )  # fmt: skip
        if run.returncode != 0:
            raise UndecodableAudio("the audio could not be decoded")
        data = await asyncio.to_thread(out.read_bytes)
    return data, "audio/mpeg"


# --- probing ---------------------------------------------------------------------------------


async def _inspect(path: Path, *, decode: bool) -> _Media:
    """What ffmpeg finds in `path`. Demuxing alone already counts the packets really there;
    decoding also proves they decode, at several times the cost."""
    size = (await asyncio.to_thread(path.stat)).st_size
    if size == 0:
        raise EmptyAudio("the file is empty")
    copy = () if decode else ("-c", "copy")
    run = await _ffmpeg(
        "-progress", "pipe:1", "-i", _url(path), "-map", "0:a:0", *copy, "-f", "null", "-"
    )
    if _INPUT.search(run.stderr) is None and await asyncio.to_thread(_is_empty_ogg, path):
        raise EmptyAudio("an Ogg stream that ends after its headers")
    return _parse_probe(run, size)


async def _inspect_quickly(path: Path) -> _Media:
    """`_inspect` without decoding, except that an Ogg file's length is read from its last
    page (10 ms) instead of demuxing it all (a second per hour of voice note): other
    containers' stated lengths can lie (an MP3's Xing header keeps claiming the whole length
    after the file is cut short)."""
    size = (await asyncio.to_thread(path.stat)).st_size
    if size == 0:
        raise EmptyAudio("the file is empty")
    run = await _ffmpeg("-i", _url(path), "-map", "0:a:0", "-t", "0", "-f", "null", "-")
    container, stated = _INPUT.search(run.stderr), _DURATION.search(run.stderr)
    if run.returncode or not container or not stated or container.group(1) not in _TRUE_LENGTH:
        return await _inspect(path, decode=False)
    hours, minutes, seconds = stated.groups()
    return _parse_probe(run, size, duration=int(hours) * 3600 + int(minutes) * 60 + float(seconds))


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
        if len(data) - offset < _OGG_PAGE.size:
            return False
        capture, version, granule, segments = _OGG_PAGE.unpack_from(data, offset)
        table = data[offset + _OGG_PAGE.size : offset + _OGG_PAGE.size + segments]
        if capture != b"OggS" or version != 0 or granule > 0 or len(table) < segments:
            return False
        offset += _OGG_PAGE.size + segments + sum(table)
    return offset == len(data) > 0


def _parse_probe(run: _Run, size: int, *, duration: float | None = None) -> _Media:
    """Translate ffmpeg's description of its input and its progress report (or the given
    `duration`) into a `_Media`."""
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
    return _Media(AudioInfo(duration, True, codecs[0], container.group(1)), has_video, size)


# --- speech recognition pieces ---------------------------------------------------------------


@dataclass(frozen=True)
class _PieceJob:
    src: Path
    folder: Path
    duration: float
    limit: float  # longest piece, seconds
    workers: int
    # Every ffmpeg of the job takes a slot: each costs about 30 MB however little it does.
    slots: asyncio.Semaphore


@dataclass(frozen=True)
class _Range:
    """A stretch of the recording one ffmpeg converts, and the cuts inside it."""

    number: int
    start: float
    end: float
    cuts: tuple[float, ...]  # seconds from the start of the recording
    last: bool  # runs to the end of the file


@dataclass(frozen=True)
class _PieceFile:
    path: Path
    offset: float
    duration: float


def _piece_limit(piece_seconds: float) -> float:
    """The longest piece allowed: as asked, but never over what fits under the base64 cap."""
    if piece_seconds < MIN_PIECE_SECONDS:
        raise ValueError(f"piece_seconds must be at least {MIN_PIECE_SECONDS}")
    return min(piece_seconds, MAX_PIECE_SECONDS)


async def _produce(job: _PieceJob, stream: AsrPieceStream) -> None:
    """Plan the cuts and convert the ranges side by side, handing pieces to `stream`. The first
    piece is a range of its own, started as soon as its cut is known: the first request need
    not wait for every other pause to be found."""
    plan = plan_cuts(job.duration, job.limit, slack=_CUT_SLACK)
    try:
        async with asyncio.TaskGroup() as group:
            if not plan.targets:
                whole = _Range(0, 0.0, job.duration, (), last=True)
                group.create_task(_encode_range(job, whole, stream.put))
            else:
                (first,) = await _pause_cuts(job, plan, plan.targets[:1])
                head = _Range(0, 0.0, first, (), last=False)
                group.create_task(_encode_range(job, head, stream.put))
                cuts = await _pause_cuts(job, plan, plan.targets[1:])
                for part in _ranges(first, job.duration, cuts, job.workers):
                    group.create_task(_encode_range(job, part, stream.put))
    except Exception as exc:
        stream.put(_first_error(exc))
    else:
        stream.put(None)


async def _stop(task: asyncio.Task[None]) -> None:
    """Cancel `task` and wait for it to finish, even when cancelled meanwhile: its ffmpeg
    processes must be gone before their folder is deleted."""
    task.cancel()
    interrupted = False
    while not task.done():
        try:
            await asyncio.wait([task])
        except asyncio.CancelledError:
            interrupted = True
    if interrupted:
        raise asyncio.CancelledError


def _first_error(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup):
        exc = exc.exceptions[0]
    return exc


async def _pause_cuts(job: _PieceJob, plan: CutPlan, targets: Sequence[float]) -> list[float]:
    """`targets`, each moved into the quietest pause near it."""
    if not targets or not plan.search:
        return list(targets)

    async def measure(batch: Sequence[float]) -> list[list[float]]:
        async with job.slots:
            return await _window_levels(job.src, batch, plan)

    measured = await asyncio.gather(*(measure(b) for b in _batches(targets, job.workers)))
    windows = [levels for batch in measured for levels in batch]
    return [target - plan.search + quietest_pause(levels)
            for target, levels in zip(targets, windows, strict=True)]  # fmt: skip


def _batches(targets: Sequence[float], workers: int) -> list[Sequence[float]]:
    """The targets in runs of consecutive ones, about `_WINDOWS_PER_RUN` each, in a multiple of
    `workers` runs so that the workers finish together."""
    rounds = math.ceil(len(targets) / (_WINDOWS_PER_RUN * workers))
    count = min(len(targets), workers * rounds)
    size = math.ceil(len(targets) / count)
    return [targets[i : i + size] for i in range(0, len(targets), size)]


async def _window_levels(src: Path, targets: Sequence[float], plan: CutPlan) -> list[list[float]]:
    """Block loudness around each target: every window is its own input (ffmpeg seeks to it
    and decodes only those seconds), padded to the same length and laid end to end."""
    samples = round(plan.window_blocks * BLOCK_SECONDS * _LEVEL_RATE)
    inputs: list[str] = []
    chains = []
    for i, target in enumerate(targets):
        start = max(0.0, target - plan.search)
        inputs += ["-ss", f"{start:.3f}", "-t", f"{2 * plan.search:.3f}", "-i", _url(src)]
        chains.append(f"[{i}:a:0]aformat=sample_rates={_LEVEL_RATE}:channel_layouts=mono,"
                      f"apad=whole_len={samples},atrim=end_sample={samples}[w{i}]")  # fmt: skip
    joined = "".join(f"[w{i}]" for i in range(len(targets)))
    graph = ";".join([*chains, f"{joined}concat=n={len(targets)}:v=0:a=1,{_LEVELS}"])
    run = await _ffmpeg(*inputs, "-filter_complex", graph, "-f", "null", "-",
                        keep=_LEVELS_OUTPUT)  # fmt: skip
    if run.returncode != 0:
        raise UndecodableAudio("the audio could not be decoded")
    return parse_levels(run.stdout, windows=len(targets), window_blocks=plan.window_blocks)


def _ranges(start: float, end: float, cuts: Sequence[float], workers: int) -> list[_Range]:
    """The pieces from `start` to the end of the recording (`end`), grouped into one range of
    consecutive pieces per worker, about equally long. Numbered from 1 (0 is the head)."""
    bounds = [start, *cuts, end]
    pieces = len(bounds) - 1
    count = min(workers, pieces)
    edges = [round(pieces * i / count) for i in range(count + 1)]
    return [_Range(number, bounds[a], bounds[b], tuple(bounds[a + 1 : b]), last=b == pieces)
            for number, (a, b) in enumerate(itertools.pairwise(edges), start=1)]  # fmt: skip


async def _encode_range(
    job: _PieceJob, part: _Range, hand_over: Callable[[_PieceFile], None]
) -> None:
    """One ffmpeg converting `part` into piece files, each handed over once it is complete."""
    listing = job.folder / f"range{part.number}.csv"
    pattern = f"range{part.number}-%05d.mp3"
    seek = ("-ss", f"{part.start:.6f}") if part.start > 0 else ()
    length = () if part.last else ("-t", f"{part.end - part.start:.6f}")
    inner = ",".join(f"{cut - part.start:.3f}" for cut in part.cuts)
    # Without cut points the segment muxer would cut every 2 s: ask for one endless piece.
    times = ("-segment_times", inner) if inner else _ONE_PIECE
    finished = asyncio.Event()
    follower = asyncio.create_task(_follow(listing, pattern, part, finished, hand_over))
    try:
        output = (*_MP3, *_PIECES, *times, "-segment_list", str(listing), str(job.folder / pattern))
        async with job.slots:
            run = await _ffmpeg(*seek, *length, "-i", _url(job.src), *output)
        if run.returncode != 0:
            raise UndecodableAudio("the audio could not be decoded")
    except BaseException:
        follower.cancel()
        await asyncio.wait([follower])
        raise
    finished.set()
    await follower


async def _follow(
    listing: Path,
    pattern: str,
    part: _Range,
    finished: asyncio.Event,
    hand_over: Callable[[_PieceFile], None],
) -> None:
    """Watch the segment list while ffmpeg runs and hand over each piece that is complete."""
    handed = 0
    while True:
        done = finished.is_set()
        rows = await asyncio.to_thread(_complete_rows, listing, pattern, done, handed)
        for i in range(handed, len(rows)):
            piece = _piece_file(listing.parent, rows[i], part, final=done and i == len(rows) - 1)
            if piece is not None:
                hand_over(piece)
        handed = len(rows)
        if done:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(finished.wait(), _POLL_SECONDS)


def _complete_rows(listing: Path, pattern: str, done: bool, known: int) -> list[list[str]]:
    """The segment list's rows (file name, start, end) whose files are complete, `known` of
    them already handed over (and maybe deleted). ffmpeg lists a piece before it closes the
    file, and opens the next file after: a piece is complete once the next one exists, or once
    ffmpeg has exited."""
    try:
        text = listing.read_text()
    except FileNotFoundError:
        return []
    lines = text.splitlines(keepends=True)
    rows = [row for row in csv.reader(line for line in lines if line.endswith("\n"))
            if len(row) == 3]  # fmt: skip
    if done:
        return rows
    count = known
    while count < len(rows) and (listing.parent / (pattern % (count + 1))).exists():
        count += 1
    return rows[:count]


def _piece_file(folder: Path, row: list[str], part: _Range, *, final: bool) -> _PieceFile | None:
    """Where a listed piece sits in the recording. The list counts from the range's start; the
    first piece may start a frame early (encoder delay), and a range's last piece ends where the
    next range starts."""
    name, start_text, end_text = row
    start = part.start + max(0.0, float(start_text))
    end = part.end if final and not part.last else part.start + float(end_text)
    return _PieceFile(folder / name, start, end - start) if end > start else None


def _load_piece(item: _PieceFile) -> AsrPiece | None:
    """Read a piece file and delete it (the caller holds it now); None when it is empty."""
    data = item.path.read_bytes()
    item.path.unlink()
    if not data:
        return None
    return AsrPiece(data=data, mime="audio/mpeg", offset=item.offset, duration=item.duration)


# --- audio understanding ---------------------------------------------------------------------


def _passthrough_mime(media: _Media) -> str | None:
    """The MIME type to send `media` as it is, or None when it needs converting."""
    if media.has_video:
        return None
    return _PASSTHROUGH.get((media.info.container or "", media.info.codec or ""))


async def _encode_mp3(src: Path) -> bytes:
    """The first audio stream of `src` as one mono 16 kHz MP3."""
    with tempfile.TemporaryDirectory(prefix="voicebridge-mp3-") as tmp:
        out = Path(tmp) / "audio.mp3"
        run = await _ffmpeg("-i", _url(src), *_MP3, "-f", "mp3", str(out))
        if run.returncode != 0:
            raise UndecodableAudio("the audio could not be decoded")
        return await asyncio.to_thread(out.read_bytes)


# --- voice notes -----------------------------------------------------------------------------


def _voice_note(wav: bytes) -> VoiceNote:
    """Synchronous body of `to_voice_note`, run in a worker thread."""
    clip = _read_wav(wav).set_channels(1)
    if clip.frame_count() == 0:
        raise EmptyAudio("the synthesized audio is empty")
    try:
        encoded = clip.export(format="ogg", codec="libopus", bitrate="32k",
                              parameters=["-ar", "48000"])  # fmt: skip
    except CouldntEncodeError as exc:
        logger.debug("libopus encoding failed: %s", exc)
        raise UndecodableAudio("the audio could not be encoded") from None
    with encoded:
        data = bytes(encoded.read())
    return VoiceNote(data=data, duration=float(clip.duration_seconds), waveform=_waveform(clip))


def _join_wavs(wavs: list[bytes]) -> bytes:
    """Synchronous body of `join_wavs`; pydub matches rates and channels, WAV needs no ffmpeg."""
    clips = [_read_wav(wav) for wav in wavs]
    pause = AudioSegment.silent(duration=JOIN_PAUSE_MS, frame_rate=clips[0].frame_rate)
    joined = clips[0]
    for clip in clips[1:]:
        joined = joined + pause + clip
    buffer = io.BytesIO()
    joined.export(buffer, format="wav")
    return buffer.getvalue()


def _read_wav(wav: bytes) -> Any:
    """The WAV bytes as a pydub AudioSegment, or UndecodableAudio."""
    if wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        raise UndecodableAudio("the synthesized audio is not a WAV file")
    try:
        return AudioSegment(data=wav)
    except Exception as exc:  # pydub raises several types on malformed headers
        logger.debug("pydub could not read the WAV: %r", exc)
        raise UndecodableAudio("the synthesized audio is not a WAV file") from None


def _waveform(clip: Any) -> bytes:
    """Discord's waveform: loudness per ~100 ms window (at most 256 windows), 0..255 relative
    to the loudest window."""
    frames = int(clip.frame_count())
    windows = -(-frames * WAVEFORM_WINDOWS_PER_SECOND // int(clip.frame_rate))  # ceiling
    count = max(1, min(WAVEFORM_BYTES, windows))
    bounds = [frames * i // count for i in range(count + 1)]
    levels = [int(clip.get_sample_slice(a, b).rms) for a, b in itertools.pairwise(bounds)]
    loudest = max(levels)
    return bytes(round(255 * level / loudest) if loudest else 0 for level in levels)


# --- helpers ---------------------------------------------------------------------------------


# Containers measure a little over the nominal length (a 60:00 recording reads 3600.01 s): a
# limit stated in whole seconds allows what rounds to it.
_DURATION_TOLERANCE = 0.5


def _check_duration(duration: float, max_seconds: float | None) -> None:
    if max_seconds is not None and duration > max_seconds + _DURATION_TOLERANCE:
        raise AudioTooLarge("the recording is too long", limit=_human_duration(max_seconds))


def _check_understandable(mp3_size: int, max_base64: int) -> None:
    """Audio understanding hears a recording in one request, so there is no splitting it: past
    the cap the user is told how much fits, in time (the file size they see means little once
    it is converted)."""
    if _base64_size(mp3_size) >= max_base64:
        seconds = max_base64 * 3 / 4 / MP3_BYTES_PER_SECOND
        limit = _human_duration(seconds // 60 * 60 or seconds // 1)  # whole minutes when long
        raise TooLongToAsk("too long for one audio-understanding request", limit=limit)


def _base64_size(size: int) -> int:
    return 4 * math.ceil(size / 3)


def _human_duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else "",
             f"{secs} s" if secs else ""]  # fmt: skip
    return " ".join(part for part in parts if part) or "0 s"


def _url(path: Path) -> str:
    """`path` for ffmpeg's command line: the file: prefix stops a name like `-x.ogg` or
    `a:b.ogg` being read as an option or a protocol."""
    return f"file:{path}"


def limit_processes(count: int | None) -> None:
    """At most `count` ffmpeg processes at once in this process, all chats together (None:
    three per CPU core, at least four, so that two long recordings, which convert with two
    processes each, still leave room for voice notes). A hundred voice notes arriving at once
    queue for a slot instead of starting a hundred decoders of some 30 MB each."""
    global _max_processes
    _max_processes = count or _default_processes()
    _process_slots.clear()


def _default_processes() -> int:
    return max(4, 3 * (os.cpu_count() or 1))


def processes_waiting() -> int:
    """ffmpeg runs queued for a process slot right now (`/metrics`)."""
    return sum(slots.waiting for slots in list(_process_slots.values()))


class _ProcessSlots:
    """The ffmpeg slots of one event loop (an asyncio primitive belongs to the loop it first
    waits in), counting who waits for one."""

    def __init__(self, count: int) -> None:
        self._free = asyncio.Semaphore(count)
        self.waiting = 0

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        self.waiting += 1
        try:
            await self._free.acquire()
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            self._free.release()


_max_processes = _default_processes()
_process_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _ProcessSlots] = (
    weakref.WeakKeyDictionary()
)


def _process_slot() -> _ProcessSlots:
    loop = asyncio.get_running_loop()
    slots = _process_slots.get(loop)
    if slots is None:
        slots = _process_slots[loop] = _ProcessSlots(_max_processes)
    return slots


async def _ffmpeg(*args: str, keep: int = _KEEP_OUTPUT) -> _Run:
    """Run ffmpeg without blocking the event loop, once a process slot is free (see
    `limit_processes`); kill it if the caller is cancelled. Of each output stream, the first and
    last `keep` bytes are kept."""
    async with _process_slot().held():
        return await _run_ffmpeg(*args, keep=keep)


async def _run_ffmpeg(*args: str, keep: int) -> _Run:
    spawn = asyncio.ensure_future(asyncio.create_subprocess_exec(
        ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-y", *args,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    ))  # fmt: skip
    try:
        proc = await asyncio.shield(spawn)
    except asyncio.CancelledError:
        # Cancelled while the process was starting: it still starts, so stop it before leaving.
        proc = await spawn
        await _kill(proc)
        raise
    assert proc.stdout is not None and proc.stderr is not None
    try:
        out, err = await asyncio.gather(
            _read_bounded(proc.stdout, keep), _read_bounded(proc.stderr, keep)
        )
        returncode = await proc.wait()
    except BaseException:
        await _kill(proc)
        raise
    logger.debug("ffmpeg %s exited with %d:\n%s", " ".join(args), returncode, err)
    return _Run(returncode, out, err)


async def _kill(proc: asyncio.subprocess.Process) -> None:
    """Kill ffmpeg and wait until it is reaped, even through further cancellations: its files
    may be deleted as soon as this returns."""
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    reaped = asyncio.ensure_future(_reap(proc))
    while not reaped.done():
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(reaped)


async def _reap(proc: asyncio.subprocess.Process) -> None:
    """Wait for a killed process, then read its pipes to the end (at once: nobody writes to
    them any more) so that asyncio closes its transport now, not when the event loop is gone."""
    await proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            await stream.read()
    await asyncio.sleep(0)  # the pipes' "connection lost" callbacks close the transport


async def _read_bounded(stream: asyncio.StreamReader, keep: int = _KEEP_OUTPUT) -> str:
    """All a stream says, keeping only its head and tail: a corrupt file can make ffmpeg print a
    line per broken packet, and memory must not grow with that."""
    head, tail, dropped = bytearray(), bytearray(), False
    while chunk := await stream.read(65536):
        room = max(0, keep - len(head))
        head += chunk[:room]
        tail += chunk[room:]
        dropped = dropped or len(tail) > keep
        del tail[:-keep]
    gap = b"\n[...]\n" if dropped else b""
    return (head + gap + tail).decode(errors="replace")
