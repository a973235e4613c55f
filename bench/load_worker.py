"""Benchmark 3's bot: `voicebridge run` as the command line starts it (settings from the
environment, the redacting log set-up, `bots.platform_runner.run_bots`), plus a sampler task in its
event loop. Started by bench/load.py, which points it at its stand-ins; runs until its stdin
closes, then prints one JSON line.

    python -m bench.load_worker [--profile]

The sampler sleeps 10 ms again and again and records when it woke and how late: a callback
that holds the loop for 80 ms shows as a wake-up some 80 ms late. The garbage collector's pauses
are recorded too, and, from asyncio's own bookkeeping, when each child process (ffmpeg) starts
and ends. With --profile, a thread also
watches the sampler and, whenever the loop is more than 15 ms late, records the stack of the
loop's thread: what was running instead (every 5 ms, so a stall of 40 ms gives about five
samples of what held it). The thread needs the GIL to look, and the loop's thread lets go of
it at system calls and every 5 ms of Python: samples land on those points, so a system call
(fork, stat, a socket write) is seen more often than pure Python work of the same length, and
one long call into C that keeps the GIL (a garbage collection) is not seen at all.
"""

from __future__ import annotations

import asyncio
import gc
import json
import resource
import sys
import threading
import time
import traceback
from types import FrameType
from typing import Any

from bots.platform_runner import run_bots
from core.config import Settings
from core.infra.log_redaction import configure_logging

PERIOD = 0.010  # the sampler's sleep
STALL = 0.015  # with --profile: stacks are taken while the loop is this much late or more
PROFILE_EVERY = 0.005
STACK_DEPTH = 12  # innermost frames kept per sample


class LoopLag:
    """How late the event loop wakes a task that asks to sleep PERIOD seconds, and how much CPU
    the loop's thread used meanwhile: a late wake-up with the thread on the CPU all along was
    work holding the loop; one with the thread off the CPU was the process waiting (for a
    core on a busy machine, or in a blocking system call)."""

    def __init__(self) -> None:
        # (woke at, seconds late, CPU seconds of the loop's thread since it went to sleep);
        # times are time.monotonic(), comparable across processes.
        self.samples: list[tuple[float, float, float]] = []
        self.asked = time.monotonic()  # when the current sleep began, read by the profiler

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            cpu = time.thread_time()
            self.asked = asked = loop.time()  # loop.time() is time.monotonic()
            await asyncio.sleep(PERIOD)
            woke = loop.time()
            self.samples.append((woke, woke - asked - PERIOD, time.thread_time() - cpu))


class Collections:
    """The garbage collector's pauses: (began at, seconds, generation) of each collection."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, float, int]] = []
        self._began = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.monotonic()
        else:
            self.pauses.append((self._began, time.monotonic() - self._began, info["generation"]))


class Children:
    """Child processes (ffmpeg: the bot starts no others here) alive at once, counted in
    asyncio's own bookkeeping: from the moment one starts until the event loop hears that it
    exited, a little after it did. So the count is never below the truth."""

    def __init__(self) -> None:
        self.events: list[tuple[float, int]] = []  # (time.monotonic(), +1 started / -1 exited)

    def install(self) -> None:
        transport: Any = asyncio.unix_events._UnixSubprocessTransport  # type: ignore[attr-defined]
        start, exited = transport._start, transport._process_exited

        def counted_start(self_: object, *args: object, **kwargs: object) -> None:
            start(self_, *args, **kwargs)  # raises if the process could not start
            self.events.append((time.monotonic(), 1))

        def counted_exit(self_: object, returncode: int) -> None:
            self.events.append((time.monotonic(), -1))
            exited(self_, returncode)

        transport._start, transport._process_exited = counted_start, counted_exit


class ThreadNames:
    """The name of every thread the bot starts, by its native id: most end before the bot
    reports (SQLite's, when its connections close), and the driver splits CPU time by them."""

    def __init__(self) -> None:
        self.names = {str(threading.get_native_id()): "MainThread"}

    def install(self) -> None:
        start = threading.Thread.start

        def named_start(thread: threading.Thread) -> None:
            start(thread)
            self.names[str(thread.native_id)] = thread.name

        threading.Thread.start = named_start  # type: ignore[method-assign]


class StallProfiler(threading.Thread):
    """Stacks of the loop's thread, taken while the loop is late (see the module docstring)."""

    def __init__(self, lag: LoopLag) -> None:
        super().__init__(daemon=True)
        self.lag = lag
        self.loop_thread = threading.get_ident()
        self.stacks: dict[tuple[str, ...], int] = {}  # stack -> its number
        self.samples: list[tuple[float, int]] = []  # (taken at, stack number)
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(PROFILE_EVERY):
            if time.monotonic() - self.lag.asked < PERIOD + STALL:
                continue
            frame = sys._current_frames().get(self.loop_thread)
            if frame is not None:
                number = self.stacks.setdefault(_stack(frame), len(self.stacks))
                self.samples.append((time.monotonic(), number))

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def report(self) -> dict[str, object]:
        return {"samples": self.samples, "stacks": [list(stack) for stack in self.stacks]}


def _stack(frame: FrameType) -> tuple[str, ...]:
    entries = traceback.extract_stack(frame)[-STACK_DEPTH:]
    return tuple(f"{_short(e.filename)}:{e.lineno} {e.name}" for e in reversed(entries))


def _short(path: str) -> str:
    for marker in ("site-packages/", "/work/main/", "/lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


async def main(profile: bool) -> dict[str, object]:
    settings = Settings(_env_file=None)  # the environment bench/load.py gave, no .env
    configure_logging(settings.log_level, settings.secret_values())
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def wait_for_eof() -> None:  # a thread of its own: the default executor serves the bot
        sys.stdin.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=wait_for_eof, daemon=True).start()
    lag, collections, children, threads = LoopLag(), Collections(), Children(), ThreadNames()
    children.install()
    threads.install()
    gc.callbacks.append(collections)
    sampler = asyncio.create_task(lag.run())
    profiler = StallProfiler(lag) if profile else None
    if profiler is not None:
        profiler.start()
    try:
        await run_bots(settings, stop)
    finally:
        sampler.cancel()
        if profiler is not None:
            profiler.stop()
    gc.callbacks.remove(collections)
    return {
        "lag": lag.samples,
        "gc": collections.pauses,
        "children": children.events,
        "max_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "threads": threads.names,
        "profile": profiler.report() if profiler is not None else None,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main("--profile" in sys.argv[1:]))))
