"""Section 3 of bench/RESULTS.md: bursts of voice notes through the Telegram and the Discord
adapter, one column per run (bench/load.py, bench/load_discord.py), with the targets."""

from __future__ import annotations

from typing import Any

from bench.sections import reflow, replace_section

HEADING = "## 3. Load: "
MB = 1024 * 1024
TARGET_RATIO = 1.3  # all transcripts within this many times the floor
TARGET_FFMPEG_PER_NOTE = 1.2
TARGET_CPU_PER_NOTE = 0.05  # seconds, for a 5-second note: a third of 2026-11's 0.15 s
TARGET_LAG_P99 = 0.05
PARTS = ("ffmpeg", "event loop", "SQLite threads", "executor threads", "other")


def with_section(results: str, runs: dict[str, dict[str, Any]]) -> str:
    """RESULTS.md with section 3 replaced by `runs` (label: what the driver printed)."""
    return replace_section(results, HEADING, section(runs))


def section(runs: dict[str, dict[str, Any]]) -> str:
    if not runs:
        return f"{HEADING}voice notes from many chats at once\n\nNot measured in this run.\n"
    first = next(iter(runs.values()))
    notes, delay = first["notes"], first["mimo_delay"]
    labels = list(runs)
    columns = [_column(runs[label]) for label in labels]
    rows = "\n".join(
        "| " + " | ".join([name, *(column[n] for column in columns), target]) + " |"
        for n, (name, target) in enumerate(_rows(notes))
    )
    head = "| | " + " | ".join(labels) + " | target |\n|---" + "|---" * (len(labels) + 1) + "|"
    dates = "; ".join(
        f"{label}: {r['date']}, load average {r['load_before']} before, {r['load_after']} after"
        for label, r in runs.items()
    )
    text = f"""{HEADING}{notes} voice notes from {notes} chats at once, on Telegram and Discord

Measured by `.venv/bin/python -m bench --only load` ({dates}). `voicebridge run` as the command
line starts it (`bots.platform_runner.run_bots`, SQLite, the real MimoClient,
`core.infra.audio`) runs in a process of its own, configured by environment variables alone, against
the platform's stand-in (in the driver's process) and tests/standins/mimo.py (in a third process),
which holds every request **{delay:g} s** before answering, as a busy speech service would. Every
chat sends the same voice note ({first["note"]}: {first["note_seconds"]:.1f} s of OGG/Opus,
{first["note_bytes"] / 1024:.0f} KB). After one note from another chat (so that what the bot does
only once is not counted), {notes} notes arrive at once: on Telegram from {notes} private chats, in
one getUpdates answer (bench/load.py); on Discord in the #general of {notes} servers, as {notes}
gateway events, each transcribed automatically as a reply (bench/load_discord.py). The time runs
until the last chat reads its final transcript. A chat without its transcript fails the benchmark,
which keeps the bot's log in bench/out/load-bot.log. A column named after an ffmpeg ran the bot with
`FFMPEG_BINARY` set to it (`--ffmpeg`); the others, the bundled build. Each column ran
{_rounds(first)} times, the drivers alternating; it shows the run with the median time, and in
brackets the range of every run's time and CPU per note.

{head}
{rows}

The floor is what the far ends allow at best: {notes} requests to MiMo, at most
{first["asr_max_in_flight"]} in flight (`ASR_MAX_IN_FLIGHT`) and {delay:g} s each, need
{first["mimo_floor"]:.2f} s; one message per chat at Telegram's 30 a second (the first 30 at
once), or within Discord's global 50 requests a second, needs less. Requests to chats are
every request the bot made to a chat or channel (messages, edits, drafts, chat actions or
typing); "typing" counts the chats that were shown it. CPU per note is the bot process's own
(split by thread: its event loop, aiosqlite's thread per SQLite connection, the threads asyncio
runs blocking calls in, the rest) plus that of the ffmpegs it reaped, during the burst, over
{notes}.
{_per_second(runs)}
How: a task in the bot's event loop sleeps 10 ms at a time and notes how late it wakes (only
wake-ups during the burst count). A wake-up more than 50 ms late counts as "working" when the
loop's thread was on a CPU for most of the wait (code held the loop), else it waited (for a core
on the busy machine, or in a blocking system call); "in GC" when a garbage collection took most
of it. ffmpeg processes are counted in the bot, by asyncio's own record of its child processes
(from each start until the loop hears of its exit, so never fewer than were alive). The bot's
memory is polled from /proc every 10 ms. The ffmpeg limit is `FFMPEG_MAX_PROCESSES`, by default
3 per core and at least 4. The stand-ins share the cores with the bot, as does whatever else
runs here; the benchmark's own harness does not poll the processes' memory meanwhile.
{_profiles(runs)}"""
    return reflow(text)


def _rows(notes: int) -> list[tuple[str, str]]:
    """Each row's name and target, in the order `_column` gives its cells."""
    return [
        (f"all {notes} transcripts in their chats", ""),
        ("the floor", ""),
        ("all transcripts / floor", f"at most {TARGET_RATIO}x"),
        ("one chat's wait: first, median", ""),
        ("replies that are the stand-in's transcript", "all"),
        ("requests to chats per note (chats shown typing)", ""),
        ("ffmpeg processes per note", f"at most {TARGET_FFMPEG_PER_NOTE}"),
        ("CPU per note, bot and ffmpeg", f"at most {TARGET_CPU_PER_NOTE * 1000:.0f} ms"),
        ("...of it " + " / ".join(PARTS), ""),
        ("event loop late, p50 / p99 / max", "p99 under 50 ms"),
        ("wake-ups more than 50 ms late: all; working; in GC", ""),
        ("peak RSS: the bot; with its ffmpegs", ""),
        ("ffmpeg processes at once, at most", "FFMPEG_MAX_PROCESSES"),
        ("CPU of the bot and its ffmpegs, of the cores' time", ""),
    ]


def _column(r: dict[str, Any]) -> list[str]:
    """One run's cells, row by row (`_rows`)."""
    parts = " / ".join(f"{r['cpu_parts_per_note'].get(part, 0) * 1000:.0f}" for part in PARTS)
    lag = " / ".join(f"{r[key] * 1000:.1f}" for key in ("lag_p50", "lag_p99", "lag_max"))
    share = r["cpu_seconds"] / (r["cores"] * r["seconds"])
    return [
        f"{r['seconds']:.1f} s{_spread(r.get('round_seconds'), 1, ' s')}",
        f"{r['floor']:.2f} s",
        f"{r['ratio']:.2f}x {_met(r['ratio'] <= TARGET_RATIO)}",
        f"{r['wait_first']:.1f} s, {r['wait_median']:.1f} s",
        f"{r['transcripts_ok']} of {r['notes']} {_met(r['transcripts_ok'] == r['notes'])}",
        f"{r['chat_calls_per_note']:.2f} ({r['typing_chats']})",
        f"{r['ffmpeg_per_note']:.2f} {_met(r['ffmpeg_per_note'] <= TARGET_FFMPEG_PER_NOTE)}",
        f"{r['cpu_per_note'] * 1000:.0f} ms{_spread(r.get('round_cpu_per_note'), 1000, ' ms')} "
        f"{_met(r['cpu_per_note'] <= TARGET_CPU_PER_NOTE)}",
        f"{parts} ms",
        f"{lag} ms {_met(r['lag_p99'] < TARGET_LAG_P99)}",
        f"{r['stalls']}; {r['stalls_on_cpu']}; {r['stalls_in_gc']}",
        f"{r['bot_peak_rss'] / MB:.0f} MB; {r['tree_peak_rss'] / MB:.0f} MB",
        f"{r['ffmpeg_most']} {_met(r['ffmpeg_most'] <= r['ffmpeg_limit'])}",
        f"{r['cpu_seconds']:.1f} s, {share:.0%}",
    ]


def _rounds(r: dict[str, Any]) -> int:
    return len(r.get("round_seconds", [r["seconds"]]))


def _spread(values: list[float] | None, scale: float, unit: str) -> str:
    """The range of every round's `values` (times `scale`) in brackets, as " (7.2–8.8 s)",
    when there were several rounds."""
    if not values or len(values) < 2:
        return ""
    low, high = min(values) * scale, max(values) * scale
    digits = 1 if scale == 1 else 0
    return f" ({low:.{digits}f}–{high:.{digits}f}{unit})"


def _per_second(runs: dict[str, dict[str, Any]]) -> str:
    lines = []
    for label, r in runs.items():
        pace = ", ".join(str(n) for n in r["chat_calls_per_second"])
        calls = ", ".join(f"{name} {n}" for name, n in sorted(r["calls"].items()))
        refused = f"; refused with 429: {r['refused']}" if r.get("refused") else ""
        lines.append(f"- {label}: requests to chats in each second: {pace}. All calls: {calls}"
                     f"{refused}.")  # fmt: skip
    return "\n" + "\n".join(lines) + "\n"


def _profiles(runs: dict[str, dict[str, Any]]) -> str:
    """What `--profile` saw during the stalls, innermost frames first."""
    parts = []
    for label, r in runs.items():
        profile = r.get("profile")
        if not profile:
            continue
        lines = []
        for stall in profile["late"][:8]:
            seen = "; ".join(" <- ".join(s[:3]) for s in stall["stacks"]) or "nothing sampled"
            gc = ", mostly in a garbage collection" if stall["gc"] else ""
            lines.append(f"- {stall['late_ms']} ms late, {stall['cpu_ms']} ms on a CPU{gc}: {seen}")
        stalls = "\n".join(lines or ["- no wake-up was more than 50 ms late"])
        parts.append(f"\n{label}, with `--profile` (its sampling thread adds work of its own): "
                     f"what the loop's thread ran while a wake-up was more than 50 ms late:\n\n"
                     f"{stalls}\n")  # fmt: skip
    return "".join(parts)


def _met(met: bool) -> str:
    return "(met)" if met else "(NOT met)"
