"""Running ffmpeg: at most so many processes at once, never blocking the event loop, killed
when their caller is cancelled, and their output kept bounded for the DEBUG log.

Every ffmpeg runs under Linux's batch scheduling policy (`batch_scheduling`). Since ffmpeg 7
the command line runs its demuxer, decoder, filters, encoder and muxer in threads of their own
and hands every 20 ms packet of a voice note from one to the next: with the default policy
each hand-over wakes the next thread at once, and an hour of Opus costs as much CPU in those
wake-ups as in decoding. Batch threads are not woken ahead of what is running, so the
hand-overs queue up and each thread works through several at a time: a quarter less CPU for an
hour's conversion on ffmpeg 9 while every recording was an input, and about 8 % since Opus is
read inside the filter graph with fewer hand-overs left (`ffmpeg_inputs`; bench/RESULTS.md, "The
60-minute conversion on ffmpeg"). The bot's own thread is never pushed aside by a decoder
waking up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import weakref
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from core.domain.errors import AudioTimedOut
from core.infra.audio.ffmpeg_binary import ffmpeg_exe
from core.ports import background_tasks

logger = logging.getLogger(__name__)

__all__ = [
    "RECORDING_FORMATS",
    "FfmpegProcesses",
    "FfmpegRun",
    "TimeLimit",
    "batch_scheduling",
    "file_url",
]

KEEP_OUTPUT = 64 * 1024  # bytes of ffmpeg output kept from each end of a stream
# What an input may open: its file, or a pipe. A playlist or a script inside a user's file (HLS,
# DASH, concat, SDP) would otherwise make ffmpeg open other files, or reach out over the network.
_INPUT_PROTOCOLS = ("-protocol_whitelist", "file,pipe")
# What an input may be read as, unless the command names its format (`-f`): the containers a
# recording comes in, none of which opens anything but its own file. The protocol whitelist
# alone lets a playlist or a list (HLS, concat) open other files by `file:`, which a user's
# file may name (`../music/file_1.mp3`): read as one of these, it is refused before ffmpeg opens
# a single entry. A demuxer is named by any of its names ("mov" is "mov,mp4,m4a,3gp,3g2,mj2").
RECORDING_FORMATS = (
    "ogg", "matroska", "mov", "mp3", "wav", "w64", "flac", "aac", "ac3", "eac3", "dts", "asf",
    "aiff", "caf", "amr", "au", "avi", "flv", "mpegts", "mpeg", "wv", "ape", "tta",
)  # fmt: skip
# Pictures open nothing either: one sent for a recording is told it has no audio in it.
_PICTURES = ("png_pipe", "jpeg_pipe", "webp_pipe", "gif")
_INPUT_FORMATS = ("-format_whitelist", ",".join(RECORDING_FORMATS + _PICTURES))


@dataclass(frozen=True)
class TimeLimit:
    """How long one ffmpeg run may take before it is killed: `floor_seconds`, plus
    `per_audio_second` for each second of audio it reads. ffmpeg converts many times faster
    than real time even on a busy machine; one that runs over is stuck (a file that makes it
    wait or loop for ever) and must not hold its process slot for ever."""

    floor_seconds: float = 120.0
    per_audio_second: float = 1.0

    def seconds(self, audio_seconds: float) -> float:
        return self.floor_seconds + self.per_audio_second * max(0.0, audio_seconds)


@dataclass(frozen=True)
class FfmpegRun:
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class FfmpegOutput:
    returncode: int
    stdout: bytes  # all of it, up to the `most` asked for (one byte more when there was more)
    stderr: str


class FfmpegProcesses:
    """At most `limit` ffmpeg processes at once in this process, all chats together (None:
    three per CPU core, at least four, so that two long recordings, which convert with two
    processes each, still leave room for voice notes). A hundred voice notes arriving at once
    queue for a slot instead of starting a hundred decoders of some 30 MB each.

    The composition root builds one and hands it to the audio adapter (`FfmpegAudio`).
    """

    def __init__(
        self,
        limit: int | None = None,
        *,
        time_limit: TimeLimit | None = None,
        executable: str | None = None,
    ) -> None:
        self.limit = limit or max(4, 3 * (os.cpu_count() or 1))
        self.time_limit = time_limit or TimeLimit()
        # The ffmpeg every run starts (`ffmpeg_binary.choose_ffmpeg`); None: the bundled build.
        self.executable = executable or ffmpeg_exe()
        # An asyncio primitive belongs to the loop it first waits in: one set of slots per loop
        # (a process runs one; tests run one per test).
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Slots] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:
        return f"FfmpegProcesses(limit={self.limit})"

    @property
    def waiting(self) -> int:
        """ffmpeg runs queued for a process slot right now (`/metrics`)."""
        return sum(slots.waiting for slots in list(self._slots.values()))

    def slot(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold one process slot for the block: for ffmpeg started by others (pydub)."""
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = _Slots(self.limit)
        return slots.held()

    async def run(self, *args: str, audio_seconds: float, keep: int = KEEP_OUTPUT) -> FfmpegRun:
        """Run ffmpeg with `args` once a process slot is free; kill it if the caller is
        cancelled, or when it runs over the time limit for `audio_seconds` of audio
        (`AudioTimedOut`). Every input may open only its file or a pipe, and is read only as a
        recording's container unless `args` name its format. Of each output stream, the first
        and last `keep` bytes are kept."""
        within = self.time_limit.seconds(audio_seconds)
        async with self.slot():
            code, out, err = await _run_ffmpeg(
                self.executable, *_files_and_pipes_only(args), within=within,
                stdout=_Bounded(keep),
            )  # fmt: skip
        return FfmpegRun(code, out.decode(errors="replace"), err)

    async def output(
        self,
        *args: str,
        audio_seconds: float,
        most: int,
        fed: AsyncIterable[bytes] | None = None,
    ) -> FfmpegOutput:
        """`run` for a command whose stdout is the result (decoded samples, say): all of it
        is kept, up to `most` bytes (one more says there was more; the rest is read and
        dropped). `fed`: ffmpeg's input (`pipe:0`), written as it comes, so that ffmpeg works
        while the caller still makes it; what `fed` raises kills ffmpeg and is raised."""
        within = self.time_limit.seconds(audio_seconds)
        async with self.slot():
            code, out, err = await _run_ffmpeg(
                self.executable, *_files_and_pipes_only(args), within=within,
                stdout=_Whole(most), fed=fed,
            )  # fmt: skip
        return FfmpegOutput(code, out, err)


def file_url(path: Path) -> str:
    """`path` for ffmpeg's command line: the file: prefix stops a name like `-x.ogg` or
    `a:b.ogg` being read as an option or a protocol."""
    return f"file:{path}"


class _Slots:
    """The ffmpeg slots of one event loop, counting who waits for one."""

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


def _files_and_pipes_only(args: tuple[str, ...]) -> list[str]:
    """`args` with the protocol whitelist before each input, and the recordings' formats before
    each whose format the command does not name."""
    guarded: list[str] = []
    named, previous = False, ""  # named: a `-f` among the next input's options
    for arg in args:
        if arg == "-i":
            guarded += [*_INPUT_PROTOCOLS, *(() if named else _INPUT_FORMATS)]
        elif previous == "-i":  # an input's file: the next input's options start after it
            named = False
        elif arg == "-f":
            named = True
        guarded.append(arg)
        previous = arg
    return guarded


async def _run_ffmpeg(
    executable: str,
    *args: str,
    within: float,
    stdout: _Bounded | _Whole,
    fed: AsyncIterable[bytes] | None = None,
) -> tuple[int, bytes, str]:
    stdin = asyncio.subprocess.DEVNULL if fed is None else asyncio.subprocess.PIPE
    spawn = background_tasks.start(asyncio.create_subprocess_exec(
        executable, "-nostdin", "-hide_banner", "-nostats", "-y", *args,
        stdin=stdin, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    ), name="ffmpeg spawn", awaited=True)  # fmt: skip
    try:
        proc = await asyncio.shield(spawn)
    except asyncio.CancelledError:
        # Cancelled while the process was starting: it still starts, so stop it before leaving.
        proc = await spawn
        await _kill(proc)
        raise
    batch_scheduling(proc.pid)
    assert proc.stdout is not None and proc.stderr is not None
    try:
        async with asyncio.timeout(within):
            out, err, _ = await asyncio.gather(
                stdout.read(proc.stdout), _Bounded(KEEP_OUTPUT).read(proc.stderr),
                _write(fed, proc.stdin),
            )  # fmt: skip
            returncode = await proc.wait()
    except TimeoutError:
        await _kill(proc)
        logger.warning("ffmpeg ran over its %.0f s and was stopped: %s", within, " ".join(args))
        raise AudioTimedOut(f"ffmpeg ran over {within:.0f} s") from None
    except BaseException:
        await _kill(proc)
        raise
    text = err.decode(errors="replace")
    logger.debug("ffmpeg %s exited with %d:\n%s", " ".join(args), returncode, text)
    return returncode, out, text


async def _write(fed: AsyncIterable[bytes] | None, stdin: asyncio.StreamWriter | None) -> None:
    """Each piece of `fed` into ffmpeg's input as it comes, then its end."""
    if fed is None or stdin is None:
        return
    try:
        async for piece in fed:
            stdin.write(piece)
            await stdin.drain()
    finally:
        stdin.close()


def batch_scheduling(pid: int) -> None:
    """Put process `pid` and its threads under SCHED_BATCH, where the system has it: its main
    thread first, so the threads it starts from now on inherit the policy, then any it already
    started. Only a hint: a process that has already exited, or a system without the policy,
    leaves things as they were."""
    policy = getattr(os, "SCHED_BATCH", None)
    if policy is None:
        return
    try:
        os.sched_setscheduler(pid, policy, os.sched_param(0))
        threads = [int(tid) for tid in os.listdir(f"/proc/{pid}/task") if int(tid) != pid]
    except OSError:
        logger.debug("ffmpeg %d keeps the default scheduling policy", pid, exc_info=True)
        return
    for tid in threads:
        with contextlib.suppress(OSError):  # a thread that has ended meanwhile
            os.sched_setscheduler(tid, policy, os.sched_param(0))


async def _kill(proc: asyncio.subprocess.Process) -> None:
    """Kill ffmpeg and wait until it is reaped, even through further cancellations: its files
    may be deleted as soon as this returns."""
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    reaped = background_tasks.start(_reap(proc), name="ffmpeg reap", awaited=True)
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


@dataclass(frozen=True)
class _Bounded:
    """Reads all a stream says, keeping only its head and tail, `keep` bytes each: a corrupt
    file can make ffmpeg print a line per broken packet, and memory must not grow with that."""

    keep: int

    async def read(self, stream: asyncio.StreamReader) -> bytes:
        head, tail, dropped = bytearray(), bytearray(), False
        while chunk := await stream.read(65536):
            room = max(0, self.keep - len(head))
            head += chunk[:room]
            tail += chunk[room:]
            dropped = dropped or len(tail) > self.keep
            del tail[: -self.keep]
        gap = b"\n[...]\n" if dropped else b""
        return bytes(head + gap + tail)


@dataclass(frozen=True)
class _Whole:
    """Reads all a stream says and keeps it, up to `most` bytes and one more (which tells the
    caller there was more)."""

    most: int

    async def read(self, stream: asyncio.StreamReader) -> bytes:
        kept = bytearray()
        while chunk := await stream.read(262144):
            kept += chunk[: self.most + 1 - len(kept)]
        return bytes(kept)
