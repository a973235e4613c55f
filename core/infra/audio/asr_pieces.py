"""Speech recognition input: any recording becomes pieces MiMo can take, cut in pauses,
handed over while later ones are still converting (`asr_pieces`; `to_asr_pieces`, all at once)::

    voice note / audio file / video
      -> a short Ogg Opus note (a minute or less, one piece) is decoded, measured and written
         as its one WAV piece by one ffmpeg and Python (`short_voice_notes`); the rest goes on:
      -> probe: ffmpeg demuxes the first audio stream (no decoding) and counts its real length
      -> limits checked; cuts planned evenly, then each moved into the quietest pause within a
         few seconds (`pauses`): ONE ffmpeg run decodes only those windows, side by side
      -> the pieces are split into one contiguous range per worker (2 on a 2-core machine), and
         one ffmpeg per range decodes it (seeking to its start; Opus inside the filter graph,
         `ffmpeg_inputs`), downmixes to mono, resamples to 16 kHz, writes 16-bit WAV or encodes MP3
         48 kbps CBR (`asr_formats`), and its segment muxer writes one file per piece (no PCM
         in Python)
      -> with `compact_pauses`, the same ffmpeg also shortens long pauses (`pauses`): the
         pieces hold less silence, their offsets and durations stay in the recording's time
      -> each piece is handed over as soon as ffmpeg moves on to the next file, so the first
         request starts while later pieces are still converting
      -> AsrPiece(bytes, offset, duration) per file, read and deleted when the caller takes it

Why ranges in parallel: decoding the Opus is most of a pass, and one decoder works on one
core at a time; two ranges on two cores finish in a bit over half the time. Why not one process
per piece: each ffmpeg start costs about 40 ms of CPU, more than converting a one-minute piece.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from core.domain.errors import EmptyAudio, UndecodableAudio
from core.domain.recordings.pause_cut_rules import CutPlan, plan_cuts
from core.domain.shared_values import AsrPiece
from core.infra.audio.asr_formats import MONO_16K, WAV, AsrFormat
from core.infra.audio.ffmpeg_inputs import AudioSource, source_of
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.audio.media_probe import MIN_AUDIO_SECONDS, check_length, inspect_quickly
from core.infra.audio.pauses import pause_cuts, pause_filter
from core.infra.audio.piece_files import PieceFile, PieceFormat, Range, follow, load_piece
from core.infra.audio.short_voice_notes import decode_short_note
from core.ports import background_tasks

__all__ = ["AsrPieceStream", "asr_pieces", "to_asr_pieces"]

MIN_PIECE_SECONDS = 1.0
# A cut lands on the next packet (an MP3 frame is 36 ms), and an MP3's first piece also carries
# 69 ms of encoder delay.
_CUT_SLACK = 0.2
_PIECES = ("-f", "segment", "-reset_timestamps", "1", "-avoid_negative_ts", "disabled",
           "-segment_list_type", "csv")  # fmt: skip
_ONE_PIECE = ("-segment_time", "1000000000")


async def to_asr_pieces(
    path: Path,
    *,
    processes: FfmpegProcesses,
    max_base64: int,
    piece_seconds: float = 600,
    max_seconds: float | None = None,
    compact_pauses: bool = False,
    encoding: AsrFormat = WAV,
) -> list[AsrPiece]:
    """Convert any audio or video to mono 16 kHz pieces (`encoding`) of at most `piece_seconds`
    each, cut in pauses, in order. `asr_pieces` hands the same pieces over as each is ready."""
    opened = asr_pieces(
        path,
        processes=processes,
        max_base64=max_base64,
        piece_seconds=piece_seconds,
        max_seconds=max_seconds,
        compact_pauses=compact_pauses,
        encoding=encoding,
    )
    async with opened as pieces:
        found = [piece async for piece in pieces]
    return sorted(found, key=lambda piece: piece.offset)


class AsrPieceStream:
    """The pieces of one recording, as ffmpeg finishes them. Ranges convert side by side, so
    pieces can arrive out of order: each carries its offset. Iterate it once."""

    def __init__(self, duration: float) -> None:
        self.duration = duration  # seconds of the whole recording, known before any piece
        self._ready: asyncio.Queue[PieceFile | AsrPiece | BaseException | None] = asyncio.Queue()

    def __aiter__(self) -> AsyncIterator[AsrPiece]:
        return self._pieces()

    def put(self, item: PieceFile | AsrPiece | BaseException | None) -> None:
        """A finished piece (a file, or in memory), the error that stopped the conversion,
        or None at the end."""
        self._ready.put_nowait(item)

    async def _pieces(self) -> AsyncIterator[AsrPiece]:
        heard = 0.0
        while (item := await self._ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            if isinstance(item, PieceFile):
                piece = await asyncio.to_thread(load_piece, item)
            else:
                piece = item
            if piece is not None:
                heard += piece.duration
                yield piece
        if heard < MIN_AUDIO_SECONDS:
            raise EmptyAudio("the audio is empty")


@asynccontextmanager
async def asr_pieces(
    path: Path,
    *,
    processes: FfmpegProcesses,
    max_base64: int,
    piece_seconds: float = 600,
    max_seconds: float | None = None,
    workers: int | None = None,
    compact_pauses: bool = False,
    encoding: AsrFormat = WAV,
) -> AsyncIterator[AsrPieceStream]:
    """Probe `path`, check its length, and start converting it into ASR pieces in the
    background; the stream yields each piece once it is ready. Leaving the block stops any
    ffmpeg still running and deletes what was not taken. `compact_pauses`: long pauses are
    shortened in the pieces (`pauses`), their offsets and durations still in the
    recording's own time. `encoding`: WAV or MP3 (`asr_formats`); with `max_base64`, one
    request's cap (`AudioCaps.asr`), it bounds a piece's length too, to what fits one request."""
    limit = _piece_limit(piece_seconds, encoding, max_base64)
    if encoding is WAV:
        short = await decode_short_note(path, processes=processes, longest=limit)
        if short is not None:  # one ffmpeg has done it all (`short_voice_notes`)
            check_length(short.duration, max_seconds)
            stream = AsrPieceStream(short.duration)
            piece = await asyncio.to_thread(short.piece, compact_pauses=compact_pauses)
            stream.put(piece)
            stream.put(None)
            yield stream
            return
    media = await inspect_quickly(path, processes=processes)
    check_length(media.info.duration, max_seconds)
    with tempfile.TemporaryDirectory(prefix="voicebridge-asr-") as tmp:
        stream = AsrPieceStream(media.info.duration)
        count = workers or default_workers()
        slots = asyncio.Semaphore(count)
        job = _PieceJob(
            source_of(path, media), Path(tmp), media.info.duration, limit, count, slots, processes,
            compact_pauses, encoding,
        )  # fmt: skip
        producer = background_tasks.start(_produce(job, stream), name="pieces")
        try:
            yield stream
        finally:
            await _stop(producer)


def default_workers() -> int:
    """ffmpeg processes converting one recording at once: one per core, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class _PieceJob:
    source: AudioSource
    folder: Path
    duration: float
    limit: float  # longest piece, seconds
    workers: int
    # Every ffmpeg of the job takes a slot: each costs about 30 MB however little it does.
    slots: asyncio.Semaphore
    processes: FfmpegProcesses  # ...and a process slot, shared with every other conversion
    compact_pauses: bool
    encoding: AsrFormat
    pauses: list[str] = field(default_factory=list)  # the filter that shortens them, once known


def _piece_limit(piece_seconds: float, encoding: AsrFormat, max_base64: int) -> float:
    """The longest piece allowed: as asked, but never over what fits under the base64 cap."""
    if piece_seconds < MIN_PIECE_SECONDS:
        raise ValueError(f"piece_seconds must be at least {MIN_PIECE_SECONDS}")
    return min(piece_seconds, encoding.max_piece_seconds(max_base64))


async def _produce(job: _PieceJob, stream: AsrPieceStream) -> None:
    """Plan the cuts and convert the ranges side by side, handing pieces to `stream`. The first
    piece is a range of its own, started as soon as its cut is known: the first request need
    not wait for every other pause to be found."""
    plan = plan_cuts(job.duration, job.limit, slack=_CUT_SLACK)
    try:
        if job.compact_pauses:
            found = await pause_filter(
                job.source, job.duration, processes=job.processes, keep_times=True
            )
            job.pauses.extend((found,) if found else ())
        async with asyncio.TaskGroup() as group:
            if not plan.targets:
                whole = Range(0, 0.0, job.duration, (), last=True)
                group.create_task(_encode_range(job, whole, stream.put))
            else:
                (first,) = await _pause_cuts(job, plan, plan.targets[:1])
                head = Range(0, 0.0, first, (), last=False)
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
    """`targets` moved into pauses, measured with the job's slots and processes."""
    return await pause_cuts(
        job.source, plan, targets, workers=job.workers, slots=job.slots, processes=job.processes
    )


def _ranges(start: float, end: float, cuts: Sequence[float], workers: int) -> list[Range]:
    """The pieces from `start` to the end of the recording (`end`), grouped into one range of
    consecutive pieces per worker, about equally long. Numbered from 1 (0 is the head)."""
    bounds = [start, *cuts, end]
    pieces = len(bounds) - 1
    count = min(workers, pieces)
    edges = [round(pieces * i / count) for i in range(count + 1)]
    return [Range(number, bounds[a], bounds[b], tuple(bounds[a + 1 : b]), last=b == pieces)
            for number, (a, b) in enumerate(itertools.pairwise(edges), start=1)]  # fmt: skip


async def _encode_range(
    job: _PieceJob, part: Range, hand_over: Callable[[PieceFile], None]
) -> None:
    """One ffmpeg converting `part` into piece files, each handed over once it is complete."""
    listing = job.folder / f"range{part.number}.csv"
    pattern = f"range{part.number}-%05d{job.encoding.suffix}"
    reading = job.source.reading(0, part.start, None if part.last else part.end)
    chain = job.pauses[0] if job.pauses else MONO_16K
    inner = ",".join(f"{cut - part.start:.3f}" for cut in part.cuts)
    # Without cut points the segment muxer would cut every 2 s: ask for one endless piece.
    times = ("-segment_times", inner) if inner else _ONE_PIECE
    finished = asyncio.Event()
    piece = PieceFormat(pattern, job.encoding.mime)
    follower = background_tasks.start(
        follow(listing, piece, part, finished, hand_over), name="piece files", awaited=True
    )
    try:
        output = (
            "-filter_complex",
            f"{reading.head}{chain}[pieces]",
            "-map",
            "[pieces]",
            "-map_metadata",
            "-1",
            *job.encoding.codec,
            *_PIECES,
            *job.encoding.segment,
            *times,
            "-segment_list",
            str(listing),
            str(job.folder / pattern),
        )
        async with job.slots:
            run = await job.processes.run(
                *reading.inputs, *output, audio_seconds=part.end - part.start
            )
        if run.returncode != 0:
            raise UndecodableAudio("the audio could not be decoded")
    except BaseException:
        follower.cancel()
        await asyncio.wait([follower])
        raise
    finished.set()
    await follower
