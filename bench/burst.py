"""Benchmark 3's machinery, shared by its Telegram and Discord drivers (bench/load.py,
bench/load_discord.py): the bot in a process of its own, watched from outside while a burst of
voice notes is answered, and what it did meanwhile summed up per note.

    async with BotUnderLoad(env) as bot:     bench/load_worker.py, configured by `env` alone
        ...warm-up...
        bot.count()                          CPU, threads, ffmpeg runs counted from here
        ...the burst...
        bot.stop_counting()
    bot.summary(started, finished, notes)    lateness, garbage collections, ffmpeg, CPU, memory

The bot reports how late its event loop woke a task that sleeps 10 ms at a time, its garbage
collections, when each ffmpeg process started and ended, and its threads' names. Watched from
here, from /proc, every 10 ms: the bot's RSS, the RSS of its ffmpeg processes, and (as a
cross-check of the bot's count) how many of those run at once. CPU time is read from /proc at
both ends of the burst: the bot's own per thread (its event loop, SQLite's threads, the rest)
and that of the ffmpegs it reaped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from bench import OUT, inputs, report, sized
from bench.load_worker import PERIOD
from core.config import Settings
from core.infra.audio.short_voice_notes import ogg_opus_seconds

NOTES = sized(100, 8)
NOTE_SECONDS = 5  # every chat sends the first 5 s of bench/inputs.py's one-minute note
WATCH_SECONDS = 0.01
STALL = 0.05  # a wake-up this late counts as a stall, and is looked into
START_TIMEOUT = 120.0
BURST_TIMEOUT = 600.0
BOT_LOG = OUT / "load-bot.log"  # kept when a chat went unanswered
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Run:
    """One burst as asked for (`main`): the note every chat sends, how long MiMo's stand-in
    holds each request, how many chats, which ffmpeg the bot runs; and when it started."""

    note: Path
    mimo_url: str
    mimo_key: str
    mimo_delay: float
    notes: int = NOTES
    ffmpeg: str | None = None
    profile: bool = False
    date: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    load_before: str = field(default_factory=report.load_average)

    @property
    def data(self) -> bytes:
        return self.note.read_bytes()

    @property
    def seconds(self) -> float:
        return ogg_opus_seconds(self.note) or float(NOTE_SECONDS)

    def env(self) -> dict[str, str]:
        """The settings every burst's bot gets besides its platform's."""
        ffmpeg = {"FFMPEG_BINARY": self.ffmpeg} if self.ffmpeg else {}
        return {"MIMO_BASE_URL": self.mimo_url, "MIMO_API_KEY": self.mimo_key, **ffmpeg}

    def outcome(
        self,
        bot: BotUnderLoad,
        *,
        started: float,
        finished: float,
        waits: list[float],
        wrong: dict[int, Any],
        chat_floor: float,
    ) -> dict[str, Any]:
        """What every burst reports: its floor (the slower of MiMo's, `notes` requests at most
        ASR_MAX_IN_FLIGHT at once, and the platform's `chat_floor`), the time against it,
        the chats' waits, and what the bot did meanwhile (`BotUnderLoad.summary`)."""
        if wrong:
            # Every chat must get its transcript: a benchmark of a bot that drops some measures
            # nothing worth writing down. The bot's log says why.
            shown = "\n".join(f"  {chat}: {got!r}" for chat, got in list(wrong.items())[:3])
            raise RuntimeError(
                f"{len(wrong)} of {self.notes} chats did not get their transcript, for example:"
                f"\n{shown}\nthe bot's log: {bot.keep_log()}"
            )
        found = bot.summary(started, finished, self.notes)
        mimo_floor = self.notes / found["asr_max_in_flight"] * self.mimo_delay
        floor = max(mimo_floor, chat_floor)
        ordered = sorted(waits)
        return {
            "date": self.date,
            "load_before": self.load_before,
            "load_after": report.load_average(),
            "ffmpeg": self.ffmpeg or "bundled",
            "notes": self.notes,
            "note": note_name(),
            "note_seconds": self.seconds,
            "note_bytes": len(self.data),
            "mimo_delay": self.mimo_delay,
            "seconds": finished - started,
            "mimo_floor": mimo_floor,
            "chat_floor": chat_floor,
            "floor": floor,
            "ratio": (finished - started) / floor,
            "wait_median": percentile(ordered, 50),
            "wait_first": ordered[0],
            "transcripts_ok": self.notes,
            **found,
        }


def note_name() -> str:
    return f"{inputs.source_name()}, its first {NOTE_SECONDS} s"


def main(burst: Callable[[Run], Coroutine[Any, Any, dict[str, Any]]], prog: str, doc: str) -> None:
    """A driver's command line: `prog NOTE MIMO_BASE_URL MIMO_API_KEY MIMO_DELAY [--notes N]
    [--profile] [--ffmpeg BINARY]`; MiMo's stand-in runs already (bench/mimo_server.py), and
    the bot is pointed at it. Prints `burst`'s outcome as a JSON line."""
    parser = argparse.ArgumentParser(prog=prog, description=doc)
    parser.add_argument("note", type=Path)
    parser.add_argument("base_url")
    parser.add_argument("api_key")
    parser.add_argument("delay", type=float)
    parser.add_argument("--notes", type=int, default=NOTES)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--ffmpeg")
    args = parser.parse_args()
    run = Run(
        args.note, args.base_url, args.api_key, args.delay, args.notes, args.ffmpeg, args.profile
    )
    print(json.dumps(asyncio.run(burst(run))))


class BotUnderLoad:
    """`voicebridge run` in a process of its own, with only `env` for settings (and MiMo's),
    watched while the block runs; `worker` holds what it reported once it has stopped."""

    def __init__(self, env: dict[str, str], *, profile: bool = False) -> None:
        self.env = env
        self.profile = profile
        self.worker: dict[str, Any] = {}
        self.log = ""
        self.process: asyncio.subprocess.Process | None = None
        self._watch: Watch | None = None
        self._output: asyncio.Future[list[str]] | None = None
        self._cpu_before: tuple[float, float, dict[int, float]] = (0.0, 0.0, {})
        self.cpu: tuple[float, float, dict[int, float]] = (0.0, 0.0, {})  # own, ffmpegs, threads

    async def __aenter__(self) -> Self:
        # Only what this run sets: a developer's own VOICEBRIDGE settings (a real
        # DISCORD_BOT_TOKEN, say) must not leak into the bot under test.
        names = {name.upper() for name in Settings.model_fields}
        env = {key: value for key, value in os.environ.items() if key.upper() not in names}
        self.process = process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.load_worker", *(["--profile"] if self.profile else []),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**env, **self.env},
        )  # fmt: skip
        self._watch = Watch(process.pid)
        self._watch.start()
        self._output = asyncio.gather(_drain(process.stdout), _drain(process.stderr))
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self.process is not None and self._watch is not None and self._output
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 60)
        finally:
            self._watch.stop()
            out, self.log = await self._output
        if error is None and self.process.returncode != 0:
            raise RuntimeError(f"the bot failed:\n{self.log[-3000:]}")
        if error is None:
            self.worker = json.loads(out.strip().splitlines()[-1])

    async def until(self, ready: Any) -> None:
        """Until `ready` (an awaitable) is done; raises if the bot exits first."""
        assert self.process is not None
        waiting = asyncio.ensure_future(ready)
        exited = asyncio.ensure_future(self.process.wait())
        await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
        exited.cancel()
        if not waiting.done():
            waiting.cancel()
            raise RuntimeError("the bot exited before it was ready")
        waiting.result()

    def count(self) -> None:
        """From now on the burst's CPU and ffmpeg processes count."""
        assert self.process is not None and self._watch is not None
        self._cpu_before = _cpu(self.process.pid)
        self._watch.counting = True

    def stop_counting(self) -> None:
        assert self.process is not None and self._watch is not None
        own, ffmpegs, threads = _cpu(self.process.pid)
        before_own, before_ffmpegs, before_threads = self._cpu_before
        spent = {tid: ticks - before_threads.get(tid, 0.0) for tid, ticks in threads.items()}
        self.cpu = (own - before_own, ffmpegs - before_ffmpegs, spent)
        self._watch.counting = False

    def keep_log(self) -> Path:
        """The bot's log, kept for a run that failed to answer every chat."""
        BOT_LOG.parent.mkdir(parents=True, exist_ok=True)
        BOT_LOG.write_text(self.log)
        return BOT_LOG

    def summary(self, started: float, finished: float, notes: int) -> dict[str, Any]:
        """What the bot did between `started` and `finished` (time.monotonic()), per note where
        that is what tells a regression."""
        assert self.process is not None and self._watch is not None
        worker, watch = self.worker, self._watch
        wakes = [(woke, late, cpu) for woke, late, cpu in worker["lag"]
                 if started <= woke <= finished]  # fmt: skip
        lag = [late for _, late, _ in wakes]
        stalls = [(woke, late, cpu) for woke, late, cpu in wakes if late > STALL]
        pauses = [(at, took) for at, took, _ in worker["gc"] if started <= at <= finished]
        runs = sum(started <= at <= finished for at, change in worker["children"] if change > 0)
        own, ffmpegs, threads = self.cpu
        return {
            "lag_samples": len(lag),
            "lag_p50": percentile(lag, 50),
            "lag_p99": percentile(lag, 99),
            "lag_max": max(lag),
            "stalls": len(stalls),
            "stalls_on_cpu": sum(_on_cpu(late, cpu) for _, late, cpu in stalls),
            "stalls_in_gc": sum(_in_gc(woke, late, pauses) for woke, late, _ in stalls),
            "gc_pauses": len(pauses),
            "gc_longest": max((took for _, took in pauses), default=0.0),
            "bot_peak_rss": max(watch.bot_rss, int(worker["max_rss"])),
            "tree_peak_rss": watch.tree_rss,
            "ffmpeg_most": _most_alive(worker["children"], started, finished),
            "ffmpeg_runs": runs,
            "ffmpeg_per_note": runs / notes,
            "ffmpeg_most_polled": watch.ffmpeg_most,
            "ffmpeg_runs_polled": len(watch.ffmpeg_seen),
            "ffmpeg_limit": max(4, 3 * (os.cpu_count() or 1)),  # FFMPEG_MAX_PROCESSES's default
            "asr_max_in_flight": Settings.model_fields["asr_max_in_flight"].default,
            "cpu_seconds": own + ffmpegs,
            "cpu_per_note": (own + ffmpegs) / notes,
            "cpu_parts_per_note": {
                part: seconds / notes
                for part, seconds in (
                    ("ffmpeg", ffmpegs),
                    *_threads_by_part(own, threads, worker["threads"], self.process.pid).items(),
                )
            },
            "cores": os.cpu_count() or 1,
            "profile": _profile(worker, started, finished, pauses) if self.profile else None,
        }


class Watch(threading.Thread):
    """The bot's process tree, polled from /proc: peak RSS of the bot and of the tree, and the
    most ffmpeg processes alive at once (and which ones ran) while `counting`."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.bot_rss = self.tree_rss = self.ffmpeg_most = 0
        self.ffmpeg_seen: set[int] = set()
        self.counting = False
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(WATCH_SECONDS):
            children = _children(self.pid)
            ffmpegs = [pid for pid in children if _read(f"/proc/{pid}/comm").startswith("ffmpeg")]
            rss = {pid: _rss(pid) for pid in [self.pid, *children]}
            self.bot_rss = max(self.bot_rss, rss[self.pid])
            self.tree_rss = max(self.tree_rss, sum(rss.values()))
            if self.counting:
                self.ffmpeg_most = max(self.ffmpeg_most, len(ffmpegs))
                self.ffmpeg_seen.update(ffmpegs)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def per_second(times: list[float], seconds: float) -> list[int]:
    """How many of `times` (seconds into the burst) fell in each whole second of it."""
    counted = Counter(int(at) for at in times)
    return [counted[n] for n in range(int(seconds) + 1)]


async def _drain(stream: asyncio.StreamReader | None) -> str:
    assert stream is not None
    return (await stream.read()).decode(errors="replace")


def _cpu(pid: int) -> tuple[float, float, dict[int, float]]:
    """User + system seconds of the process itself, of the children it has reaped (its
    ffmpegs), and of each of its threads now alive."""
    fields = _stat(f"/proc/{pid}/stat")
    threads = {int(tid): sum(int(x) for x in _stat(f"/proc/{pid}/task/{tid}/stat")[11:13])
               for tid in _listdir(f"/proc/{pid}/task")}  # fmt: skip
    own, reaped = sum(int(x) for x in fields[11:13]), sum(int(x) for x in fields[13:15])
    return own / CLOCK_TICKS, reaped / CLOCK_TICKS, {t: n / CLOCK_TICKS for t, n in threads.items()}


def _threads_by_part(
    own: float, spent: dict[int, float], names: dict[str, str], pid: int
) -> dict[str, float]:
    """The bot's own CPU (`own`) split: its event loop (the main thread), SQLite (aiosqlite's
    thread per connection), the threads asyncio runs blocking calls in, and the rest: other
    threads, and those that started and ended within the burst, which /proc no longer shows
    at its end (asyncio's thread per child process it waits for, a connection's thread)."""
    parts = {"event loop": 0.0, "SQLite threads": 0.0, "executor threads": 0.0, "other": 0.0}
    for tid, seconds in spent.items():
        name = names.get(str(tid), "")
        if tid == pid:
            part = "event loop"
        elif "_connection_worker_thread" in name:
            part = "SQLite threads"
        elif name.startswith("asyncio_"):
            part = "executor threads"
        else:
            part = "other"
        parts[part] += seconds
    parts["other"] += max(0.0, own - sum(spent.values()))
    return parts


def _stat(path: str) -> list[str]:
    return _read(path).rsplit(")", 1)[-1].split() or ["0"] * 20


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in _listdir(f"/proc/{pid}/task"):
        found.extend(int(child) for child in _read(f"/proc/{pid}/task/{task}/children").split())
    return found


def _rss(pid: int) -> int:
    fields = _read(f"/proc/{pid}/statm").split()
    return int(fields[1]) * PAGE if len(fields) > 1 else 0


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:  # the process ended meanwhile
        return ""


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _most_alive(events: list[tuple[float, int]], started: float, finished: float) -> int:
    """The most processes alive at once between `started` and `finished`, from the worker's
    (time, +1 started / -1 exited) events, which are in time order."""
    alive = most = sum(change for at, change in events if at < started)
    for at, change in events:
        if started <= at <= finished:
            alive += change
            most = max(most, alive)
    return most


def _on_cpu(late: float, cpu: float) -> bool:
    """Whether the loop's thread ran on a CPU for most of a stall (it worked rather than
    waited)."""
    return cpu > (late + PERIOD) / 2


def _in_gc(woke: float, late: float, pauses: list[tuple[float, float]]) -> bool:
    """Whether a garbage collection took most of a stall."""
    began = woke - late - PERIOD
    return sum(max(0.0, min(woke, at + took) - max(began, at)) for at, took in pauses) > late / 2


def _profile(
    worker: dict[str, Any], started: float, finished: float, pauses: list[tuple[float, float]]
) -> dict[str, Any]:
    """The profiler's stacks within the burst: the commonest, and what ran during each wake-up
    more than 50 ms late (the innermost frames of each stack sampled meanwhile)."""
    stacks = worker["profile"]["stacks"]
    samples = [(at, number) for at, number in worker["profile"]["samples"]
               if started <= at <= finished]  # fmt: skip
    common = Counter(number for _, number in samples).most_common(12)
    late = []
    for woke, lateness, cpu in worker["lag"]:
        if started <= woke <= finished and lateness > STALL:
            during = {n for at, n in samples if woke - lateness - PERIOD <= at <= woke}
            late.append({"late_ms": round(lateness * 1000), "cpu_ms": round(cpu * 1000),
                         "gc": _in_gc(woke, lateness, pauses),
                         "stacks": [stacks[n][:4] for n in sorted(during)]})  # fmt: skip
    return {
        "samples": len(samples),
        "common": [{"samples": k, "stack": stacks[n]} for n, k in common],
        "late": late,
    }
