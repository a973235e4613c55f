"""Benchmark 3's driver: a hundred voice notes from a hundred private chats at once, through the
real Telegram adapter. Prints a JSON line.

    python -m bench.load NOTE MIMO_BASE_URL MIMO_API_KEY MIMO_DELAY [--notes N] [--profile]

This process serves the Telegram Bot API's stand-in (tests/standins/telegram_api.py) and starts
the bot, bench/load_worker.py, in a process of its own, configured by the environment alone as a
user configures `voicebridge run` (MiMo's stand-in runs in a third process, bench/mimo_server.py,
started by the caller; MIMO_DELAY is what it holds each request, for the record). One note from
another chat goes first, so that what a bot does once (first imports, first connections) is not
counted. Then N updates, each a voice note from a different private chat, are queued together:
the bot's next getUpdates answer carries them all. The time runs until every chat reads its
final transcript (the reply's text no longer ends in "…").

The bot reports how late its event loop woke a task that sleeps 10 ms at a time, its garbage
collections, and when each of its ffmpeg processes started and ended; only what happened within
the burst counts. Watched from here, from /proc, every 10 ms: the bot's RSS, the RSS of its
ffmpeg processes, and (as a cross-check of the bot's count) how many of those run at once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import inputs, report
from bench.load_worker import PERIOD
from core.config import Settings
from core.infra.audio.converter import FfmpegAudio
from core.infra.audio.ffmpeg import ffmpeg_exe
from core.infra.audio.processes import FfmpegProcesses
from core.infra.mimo import MIMO_AUDIO_CAPS
from tests.standins.telegram_api import FakeBotApi

NOTES = 100
FIRST_CHAT = 1001  # the burst's chats are FIRST_CHAT, FIRST_CHAT + 1, ...
WARM_UP_CHAT = 1
TELEGRAM_NOTE = inputs.JFK.parent / "telegram.ogg"  # python-telegram-bot's sample voice note
WATCH_SECONDS = 0.01
STALL = 0.05  # a wake-up this late counts as a stall, and is looked into
START_TIMEOUT = 120.0
BURST_TIMEOUT = 600.0
TRANSCRIPT = re.compile(r"heard \d+\.\d seconds")  # what MiMo's stand-in answers
PROGRESS_END = "…"  # every progress text ends so; a final reply does not
# Bot API calls that name no chat: python-telegram-bot's rate limiter lets them through.
CHATLESS = frozenset({"getUpdates", "getFile", "getMe", "setMyCommands", "deleteWebhook"})
BOT_LOG = Path(__file__).parent / "out" / "load-bot.log"  # kept when a chat went unanswered
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def note() -> Path:
    """The voice note every chat sends: Telegram's own sample when the shared fixtures are
    there, else the first 5 s of bench/inputs.py's one-minute note."""
    if TELEGRAM_NOTE.exists():
        return TELEGRAM_NOTE
    path = inputs.OUT / f"note-5s-{inputs.voice_note(1).stem}.ogg"
    if not path.exists():
        command = [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y",
                   "-i", str(inputs.voice_note(1)), "-t", "5", "-c", "copy", str(path)]  # fmt: skip
        subprocess.run(command, check=True)
    return path


def note_name(path: Path) -> str:
    return "Telegram's sample voice note" if path == TELEGRAM_NOTE else f"{path.name} (5 s)"


async def run(
    source: Path, base_url: str, api_key: str, delay: float, notes: int, profile: bool
) -> dict[str, Any]:
    data = source.read_bytes()
    seconds = (
        await FfmpegAudio(processes=FfmpegProcesses(), caps=MIMO_AUDIO_CAPS).probe(source)
    ).duration
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_before = report.load_average()
    async with FakeBotApi() as api:
        with tempfile.TemporaryDirectory() as tmp:
            database_url = f"sqlite+aiosqlite:///{tmp}/voicebridge.db"
            bot = await _start_bot(api, base_url, api_key, database_url, profile)
            watch = Watch(bot.pid)
            watch.start()
            output = asyncio.gather(_drain(bot.stdout), _drain(bot.stderr))
            try:
                await _until_polling(api, bot)
                await Burst(api, [WARM_UP_CHAT], data, seconds).answered()
                await asyncio.sleep(1)  # let the warm-up's bookkeeping finish
                cpu_before, watch.counting = _cpu_seconds(bot.pid), True
                burst = Burst(api, list(range(FIRST_CHAT, FIRST_CHAT + notes)), data, seconds)
                started = burst.started
                await burst.answered()
                finished = time.monotonic()
                cpu = _cpu_seconds(bot.pid) - cpu_before
                watch.counting = False
            finally:
                assert bot.stdin is not None
                bot.stdin.close()
                try:
                    await asyncio.wait_for(bot.wait(), 60)
                finally:
                    watch.stop()
                    out, err = await output
            if bot.returncode != 0:
                raise RuntimeError(f"the bot failed:\n{err[-3000:]}")
    worker = json.loads(out.strip().splitlines()[-1])
    wakes = [(woke, late, cpu) for woke, late, cpu in worker["lag"] if started <= woke <= finished]
    lag = [late for _, late, _ in wakes]
    stalls = [(woke, late, cpu) for woke, late, cpu in wakes if late > STALL]
    pauses = [(at, took) for at, took, _ in worker["gc"] if started <= at <= finished]
    waits = sorted(at for at, _ in burst.done.values())
    wrong = {chat: texts for chat, (_, texts) in burst.done.items()
             if len(texts) != 1 or not TRANSCRIPT.fullmatch(texts[0])}  # fmt: skip
    if wrong:
        # Every chat must get its transcript: a benchmark of a bot that drops some measures
        # nothing worth writing down. The bot's log says why.
        BOT_LOG.parent.mkdir(parents=True, exist_ok=True)
        BOT_LOG.write_text(err)
        shown = "\n".join(f"  {chat}: {texts!r}" for chat, texts in list(wrong.items())[:3])
        raise RuntimeError(
            f"{len(wrong)} of {notes} chats did not get their transcript, for example:\n{shown}\n"
            f"the bot's log: {BOT_LOG}"
        )
    per_second = Counter(int(at) for at, method in burst.calls if method not in CHATLESS)
    return {
        "date": when,
        "load_before": load_before,
        "load_after": report.load_average(),
        "notes": notes,
        "note": note_name(source),
        "note_seconds": seconds,
        "note_bytes": len(data),
        "mimo_delay": delay,
        "seconds": finished - started,
        "wait_median": statistics.median(waits),
        "wait_first": waits[0],
        "transcripts_ok": notes - len(wrong),
        "wrong": [f"{chat}: {texts!r}" for chat, texts in list(wrong.items())[:3]],
        "lag_samples": len(lag),
        "lag_p50": _percentile(lag, 50),
        "lag_p99": _percentile(lag, 99),
        "lag_max": max(lag),
        "stalls": len(stalls),
        "stalls_on_cpu": sum(_on_cpu(late, cpu) for _, late, cpu in stalls),
        "stalls_in_gc": sum(_in_gc(woke, late, pauses) for woke, late, _ in stalls),
        "gc_pauses": len(pauses),
        "gc_longest": max((took for _, took in pauses), default=0.0),
        "bot_peak_rss": max(watch.bot_rss, int(worker["max_rss"])),
        "tree_peak_rss": watch.tree_rss,
        "ffmpeg_most": _most_alive(worker["children"], started, finished),
        "ffmpeg_runs": sum(
            started <= at <= finished for at, change in worker["children"] if change > 0
        ),
        "ffmpeg_most_polled": watch.ffmpeg_most,
        "ffmpeg_runs_polled": len(watch.ffmpeg_seen),
        "ffmpeg_limit": _default_ffmpeg_limit(),  # the bot's environment does not set one
        "asr_max_in_flight": Settings.model_fields["asr_max_in_flight"].default,
        "cpu_seconds": cpu,
        "cores": os.cpu_count() or 1,
        "calls": dict(Counter(method for _, method in burst.calls)),
        "chat_calls": sum(per_second.values()),
        "chat_calls_per_second": [per_second[n] for n in range(int(finished - started) + 1)],
        "profile": _profile(worker, started, finished, pauses) if profile else None,
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


async def _start_bot(
    api: FakeBotApi, base_url: str, api_key: str, database_url: str, profile: bool
) -> asyncio.subprocess.Process:
    # Only what this run sets: a developer's own VOICEBRIDGE settings (a real DISCORD_BOT_TOKEN,
    # say) must not leak into the bot under test.
    names = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key.upper() not in names}
    env.update(
        MIMO_API_KEY=api_key,
        MIMO_BASE_URL=base_url,
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_URL=api.root,
        DATABASE_URL=database_url,
    )
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.load_worker", *(["--profile"] if profile else []),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip


async def _until_polling(api: FakeBotApi, bot: asyncio.subprocess.Process) -> None:
    """Until the bot's first getUpdates; raises if the bot exits first."""
    polling = asyncio.create_task(api.wait_for("getUpdates", timeout=START_TIMEOUT))
    exited = asyncio.create_task(bot.wait())
    await asyncio.wait({polling, exited}, return_when=asyncio.FIRST_COMPLETED)
    if not polling.done():
        polling.cancel()
        raise RuntimeError("the bot exited before it polled for updates")
    exited.cancel()
    polling.result()


class Burst:
    """Voice notes from many chats at once, and what the bot sent back while they were
    answered."""

    def __init__(self, api: FakeBotApi, chats: list[int], data: bytes, seconds: float) -> None:
        self.api = api
        self.waiting = set(chats)
        self.done: dict[int, tuple[float, list[str]]] = {}  # chat -> (when final, its texts)
        self.calls: list[tuple[float, str]] = []  # (when seen, Bot API method) of each call
        self._seen = len(api.calls)
        self.started = time.monotonic()
        for chat in chats:
            api.push(
                api.voice_message(chat_id=chat, user_id=chat, data=data, duration=round(seconds))
            )

    async def answered(self) -> None:
        """Until every chat reads a final reply."""
        what = f"{len(self.waiting)} transcripts"
        await self.api.wait_until(self._all_final, timeout=BURST_TIMEOUT, what=what)

    def _all_final(self) -> bool:
        # Looks only at the chats the calls since the last look went to.
        now = time.monotonic() - self.started
        new = self.api.calls[self._seen :]
        self._seen += len(new)
        self.calls.extend((now, call.method) for call in new)
        for chat in {int(str(call.params.get("chat_id") or 0)) for call in new} & self.waiting:
            texts = self.api.texts(chat)
            if texts and not any(text.endswith(PROGRESS_END) for text in texts):
                self.done[chat] = (now, texts)
                self.waiting.discard(chat)
        return not self.waiting


async def _drain(stream: asyncio.StreamReader | None) -> str:
    assert stream is not None
    return (await stream.read()).decode(errors="replace")


def _cpu_seconds(pid: int) -> float:
    """User + system time of the process and of its children it has reaped (its ffmpegs)."""
    fields = _read(f"/proc/{pid}/stat").rsplit(")", 1)[-1].split()
    return sum(int(x) for x in fields[11:15]) / CLOCK_TICKS


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


def _percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def _default_ffmpeg_limit() -> int:
    return max(4, 3 * (os.cpu_count() or 1))  # FFMPEG_MAX_PROCESSES's default (FfmpegProcesses)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("note", type=Path)
    parser.add_argument("base_url")
    parser.add_argument("api_key")
    parser.add_argument("delay", type=float)
    parser.add_argument("--notes", type=int, default=NOTES)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(
        run(args.note, args.base_url, args.api_key, args.delay, args.notes, args.profile)
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
