"""Benchmark 14: a chat's past imported (`core.app.memory.importer`), and the live chat meanwhile.

export   a synthetic Telegram Desktop export of `MESSAGES` voice messages of
         `NOTE_SECONDS` each (an hour of speech for 2,000), read by the command's own reader
         (bots/cli/memory/telegram_export.py)
import   `Importer.run` through the bot's runtime (`core.bootstrap`: the same transcription,
         gate, keeper and database), with MiMo's stand-in (in a process of its own)
         answering every request after `MIMO_DELAY` seconds: minutes of speech imported per
         minute, beside the ceiling ASR_MAX_IN_FLIGHT sets (that many requests of
         `NOTE_SECONDS` each answered every `MIMO_DELAY`; an import takes one slot fewer,
         left free for live work)
live     a live voice note of `LIVE_SECONDS` in another chat every `LIVE_EVERY` seconds,
         `LIVE_NOTES` of them, from its arrival to its transcript: p50 and p95 with nothing
         else running, while the import runs behind live work (as it does), and while an
         import runs with the live work's priority (how it would without the gate's `last`)

python -m bench --only import [--repeat N]   (N: messages, 2,000 unless given)
"""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import sized
from bench.sections import reflow, replace_section
from bots.cli.memory.telegram_export import read_export
from core.bootstrap import bootstrap
from core.config import Settings
from core.domain.shared_values import ChatRef, Preferences
from tests.audio_factory import make_audio

HEADING = "## 14. Importing a chat's past: 2,000 voice messages, and the live chat meanwhile"
MESSAGES = sized(2000, 40)
NOTE_SECONDS = 1.8  # 2,000 of them: an hour of speech
MIMO_DELAY = 0.5
IN_FLIGHT = 8  # ASR_MAX_IN_FLIGHT's default
PER_CHAT = 4  # ASR_CONCURRENCY's default
LIVE_SECONDS, LIVE_EVERY, LIVE_NOTES = 4, 1.0, sized(30, 3)
HEAD_START = sized(5.0, 1.0)  # seconds the import runs before the first live note
LIVE = ChatRef("telegram", "-1009999")


def export_of(folder: Path, messages: int) -> Path:
    """An export in Telegram Desktop's layout: `messages` voice messages of NOTE_SECONDS, one
    an hour back from now."""
    folder.mkdir(parents=True, exist_ok=True)
    note = make_audio(folder, fmt="ogg", seconds=NOTE_SECONDS)
    export = folder / "ChatExport"
    (export / "voice_messages").mkdir(parents=True)
    now = datetime.now(UTC).replace(microsecond=0)
    listed = []
    for number in range(1, messages + 1):
        sent = now - timedelta(hours=messages - number + 1)
        name = f"voice_messages/audio_{number}@{sent:%d-%m-%Y_%H-%M-%S}.ogg"
        shutil.copy(note, export / name)
        listed.append({
            "id": number, "type": "message", "date": sent.replace(tzinfo=None).isoformat(),
            "date_unixtime": str(int(sent.timestamp())), "from": f"Member {number % 7}",
            "from_id": f"user{number % 7 + 1}", "text": "", "file": name,
            "media_type": "voice_message", "mime_type": "audio/ogg",
            "duration_seconds": round(NOTE_SECONDS),
        })  # fmt: skip
    result = {"name": "Bench", "type": "private_supergroup", "id": 4242, "messages": listed}
    (export / "result.json").write_text(json.dumps(result))
    return export


async def live_notes(runtime: Any, note: Path, stop: asyncio.Event | None) -> list[float]:
    """A live note every LIVE_EVERY seconds (at most LIVE_NOTES, or until `stop`): each one's
    seconds from its arrival to its transcript."""
    taken: list[float] = []

    async def one() -> None:
        started = time.monotonic()
        await runtime.transcription.transcribe_recording(
            LIVE, note, prefs=Preferences(), asker=None
        )
        taken.append(time.monotonic() - started)

    tasks = []
    for _ in range(LIVE_NOTES):
        if stop is not None and stop.is_set():
            break
        tasks.append(asyncio.create_task(one()))
        await asyncio.sleep(LIVE_EVERY)
    await asyncio.gather(*tasks)
    return taken


async def scenario(
    folder: Path, base_url: str, api_key: str, messages: int, *, how: str
) -> dict[str, Any]:
    """One run in a database of its own: `how` is none (live notes alone), last (the import
    behind live work) or equal (the import with live work's priority)."""
    database = folder / f"{how}.db"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        mimo_api_key=api_key, mimo_base_url=base_url,
        database_url=f"sqlite+aiosqlite:///{database}", daily_audio_seconds=0,
        daily_person_audio_seconds=0, summary_retention_days=365, asr_max_in_flight=IN_FLIGHT,
        log_level="WARNING",
    )  # fmt: skip
    live = make_audio(folder, fmt="ogg", seconds=LIVE_SECONDS)
    found: dict[str, Any] = {"how": how}
    async with bootstrap(settings) as runtime:
        if how == "none":
            found["live"] = await live_notes(runtime, live, None)
            return found
        export = read_export(export_of(folder / how, messages))
        plan = await runtime.imports.plan(export.past)
        stop = asyncio.Event()
        started = time.monotonic()

        async def imported() -> Any:
            done = await runtime.imports.run(plan, background=how == "last")
            found["import_seconds"] = time.monotonic() - started
            stop.set()  # live notes measured while it runs only
            return done

        importing = asyncio.create_task(imported())
        await asyncio.sleep(HEAD_START)  # the import under way first
        found["live"] = await live_notes(runtime, live, stop)
        done = await importing
        found["imported"] = len(done.transcribed)
        found["speech_seconds"] = done.seconds_done
    return found


async def measure(folder: Path, base_url: str, api_key: str, messages: int) -> dict[str, Any]:
    runs = {}
    for how in ("none", "last", "equal"):
        runs[how] = await scenario(folder, base_url, api_key, messages, how=how)
        print(f"import bench: {how} done", flush=True)
    return {"messages": messages, "runs": runs}


def _p(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def section(found: dict[str, Any], machine: dict[str, Any]) -> str:
    runs, messages = found["runs"], found["messages"]
    last, equal, none = runs["last"], runs["equal"], runs["none"]
    # Seconds of speech a second: what was said (the export declares whole seconds, 2 for 1.8).
    rate = last["imported"] * NOTE_SECONDS / last["import_seconds"]
    equal_rate = equal["imported"] * NOTE_SECONDS / equal["import_seconds"]
    per_chat = min(IN_FLIGHT, PER_CHAT) * NOTE_SECONDS / MIMO_DELAY
    ceiling = (IN_FLIGHT - 1) * NOTE_SECONDS / MIMO_DELAY
    full = IN_FLIGHT * NOTE_SECONDS / MIMO_DELAY
    rows = [
        ("nothing else running", none["live"]),
        ("the import running, behind live work (as it does)", last["live"]),
        ("an import running as live work (no `last`, no yielding)", equal["live"]),
    ]
    table = "\n".join(
        f"| {label} | {len(times)} | {_p(times, 50):.2f} s | {_p(times, 95):.2f} s |"
        for label, times in rows
    )
    text = f"""{HEADING}

{messages:,} voice messages of {NOTE_SECONDS} s ({messages * NOTE_SECONDS / 60:.0f} minutes of
speech) in a Telegram Desktop export, imported through the bot's runtime (`Importer.run`),
MiMo's stand-in answering every request after {MIMO_DELAY} s, ASR_MAX_IN_FLIGHT={IN_FLIGHT}, on
{machine.get("cpu", "this machine")} ({machine.get("cores", "?")} cores, shared). `python -m
bench --only import` (bench/imports.py){f", {machine['date']}" if "date" in machine else ""}.

The import took {last["import_seconds"]:.0f} s for {last["imported"]:,} messages: **{rate:.1f}
minutes of speech imported per minute**, against the ceiling of {ceiling:.1f} MiMo's delay sets
(the import's {IN_FLIGHT - 1} request slots, one left free for live work, each answering
{NOTE_SECONDS} s of speech every {MIMO_DELAY} s; {full:.1f} with all {IN_FLIGHT}). What keeps it
under the ceiling is the machine (each message read, converted by ffmpeg, kept in its own
transaction) and the live notes it made way for. Run as live work instead (one chat's
ASR_CONCURRENCY={PER_CHAT} requests at once, a ceiling of {per_chat:.1f}), the same import made
{equal_rate:.1f}.

A live voice note of {LIVE_SECONDS} s in another chat every {LIVE_EVERY:.0f} s while the import
runs (from its fifth second), from its arrival to its transcript; the machine's load average
was {machine.get("load_before", "?")} before and {machine.get("load_after", "?")} after (other
work shared it):

| while | notes | p50 | p95 |
|---|---|---|---|
{table}
"""
    return reflow(text)


def with_section(results: str, text: str) -> str:
    return replace_section(results, HEADING, text)
