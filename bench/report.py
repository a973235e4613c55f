"""bench/RESULTS.md: the machine, the numbers, the targets, and how each number was taken."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import ffmpeg_exe, load_report
from bench.procs import Measured
from bench.sections import reflow

MB = 1024 * 1024
FFMPEG_HEADING = "## The 60-minute conversion on ffmpeg "
LABELS = {
    "voicebridge": "voicebridge (WAV pieces)",
    "voicebridge-mp3": "voicebridge, MP3 pieces",
    "voicebridge-unbatched": "voicebridge, default scheduling",
    "ffmpeg": "one bare ffmpeg pass (WAV)",
    "pydub": "naive pydub",
}


def machine_info() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())  # fmt: skip
    memory = next((int(line.split()[1]) * 1024 for line in _lines("/proc/meminfo")
                   if line.startswith("MemTotal")), 0)  # fmt: skip
    system = next((line.split("=", 1)[1].strip('"') for line in _lines("/etc/os-release")
                   if line.startswith("PRETTY_NAME")), platform.system())  # fmt: skip
    version = subprocess.run([ffmpeg_exe(), "-version"], capture_output=True, text=True)
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": f"{memory / 1024**3:.1f} GiB",
        "system": f"{system}, Linux {platform.release()}",
        "python": platform.python_version(),
        "ffmpeg": " ".join(version.stdout.split()[:3]),
        "ffmpeg_source": ffmpeg_source(),
        "load_before": load_average(),
    }


def ffmpeg_source() -> str:
    """Which ffmpeg ran: the imageio-ffmpeg wheel's, or the one FFMPEG_BINARY named."""
    path = ffmpeg_exe()
    return "the imageio-ffmpeg wheel's static build" if "imageio_ffmpeg" in path else path


def commit_measured() -> str:
    """The commit the benchmarks run, as `git rev-parse --short HEAD` names it, "plus uncommitted
    changes" when a tracked file differs from it; "an unknown commit" outside a git clone."""
    root = Path(__file__).parents[1]
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                          capture_output=True, text=True)  # fmt: skip
    if head.returncode != 0:
        return "an unknown commit"
    changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                             capture_output=True, text=True).stdout.strip()  # fmt: skip
    return f"{head.stdout.strip()}{' plus uncommitted changes' if changed else ''}"


@dataclass(frozen=True)
class WholeRun:
    """What the header says of the full run: the commit measured, its time (None until every
    benchmark has run) and the benchmarks that failed."""

    commit: str | None = None
    minutes: float | None = None
    failed: list[str] = field(default_factory=list)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def render(
    *,
    machine: dict[str, str],
    source: str,
    repeat: int,
    conversions: dict[int, dict[str, list[Measured]]],
    decode: Measured,
    workers: dict[int, list[Measured]],
    parallel: Measured,
    sequential: Measured,
    delay: float,
    minutes_taken: float,
    load: dict[str, dict[str, Any]] | None = None,
    whole: WholeRun | None = None,
) -> str:
    parts = [
        _header(machine, source, minutes_taken, whole or WholeRun()),
        _conversion(conversions, decode, repeat),
        _workers(workers),
        _long_audio(parallel, sequential, delay),
        load_report.section(load or {}),
        _bot_memory(parallel),
        _method(),
    ]
    return "\n".join(parts)


def _header(machine: dict[str, str], source: str, minutes: float, whole: WholeRun) -> str:
    commit = f" on commit {whole.commit}" if whole.commit else ""
    took = f"; the whole run took {whole.minutes:.0f} min" if whole.minutes is not None else ""
    failed = (
        f" These failed in this run, their sections left as an earlier run wrote them: "
        f"{', '.join(whole.failed)}." if whole.failed else ""
    )  # fmt: skip
    text = reflow(
        f"Measured{commit} by `.venv/bin/python -m bench`, started {machine['date']}{took}: "
        "every benchmark one after the other, sections 1, 2 and 4 first "
        f"({minutes:.0f} min, the load in the table below), each other section with its own "
        "date and load average."
        f"{failed} CI does not run this (it runs the quick form, which checks that every "
        "section is written); tests never assert timings. One machine, one run: read the "
        "ratios, which hold better than the absolute times on a shared machine."
    )
    load = f"{machine['load_before']} before, {machine['load_after']} after"
    return f"""# Benchmark results

{text}

| machine | |
|---|---|
| CPU | {machine["cpu"]}, {machine["cores"]} cores |
| memory | {machine["memory"]} |
| system | {machine["system"]} |
| Python | {machine["python"]} |
| ffmpeg | {machine["ffmpeg"]} ({machine.get("ffmpeg_source", "the imageio-ffmpeg build")}) |
| load average (1, 5, 15 min), sections 1, 2 and 4 | {load} |

{_busy(machine)}Inputs: Telegram-style voice notes (OGG/Opus, mono, 48 kHz, 32 kbps) of 1, 10
and 60 minutes, made from {source}.
"""


def _busy(machine: dict[str, str]) -> str:
    """A warning when the machine had more work than cores while the benchmarks ran."""
    loads = [float(x) for x in (machine["load_before"] + " " + machine["load_after"]).split()]
    if max(loads) <= float(machine["cores"]):
        return ""
    return ("Other work ran on the machine meanwhile (load average above the core count): times\n"
            "vary by 20% or so from run to run; the ratios between methods, measured in\n"
            "alternation, vary less.\n\n")  # fmt: skip


def _conversion(
    conversions: dict[int, dict[str, list[Measured]]], decode: Measured, repeat: int
) -> str:
    out = [
        f"""## 1. Conversion: voice note to what the speech API is sent

Median of {repeat} runs each, methods alternating. Time is the conversion's own (interpreter
start-up and imports excluded, as in a running bot); CPU is user + system time of the worker
and its ffmpeg processes. Memory is the peak over the worker and every process it started.
"""
    ]
    for minutes, runs in conversions.items():
        out.append(f"### {minutes} minute{'s' if minutes > 1 else ''}\n")
        out.append(_table(runs))
    out.append(_conversion_targets(conversions[max(conversions)], decode))
    return "\n".join(out)


def _table(runs: dict[str, list[Measured]]) -> str:
    out = ["| | " + " | ".join(LABELS[m] for m in runs) + " |", "|---" * (len(runs) + 1) + "|"]
    rows: list[tuple[str, Callable[[list[Measured]], str]]] = [
        ("time (median; min–max)", _time_range),
        ("CPU time", lambda r: f"{_med(r, 'cpu'):.2f} s"),
        ("peak memory, RSS sum", lambda r: _mb(_med_attr(r, "peak_rss"))),
        ("peak memory, PSS sum", lambda r: _mb(_med_attr(r, "peak_pss"))),
        ("...of which the Python process", lambda r: _mb(_med_attr(r, "peak_worker_rss"))),
        ("bytes sent (base64)", lambda r: _mb(_med(r, "base64"), 2)),
        ("requests", lambda r: f"{int(_med(r, 'pieces'))}"),
        ("first piece ready", _first_piece),
    ]
    for label, cell in rows:
        out.append(f"| {label} | " + " | ".join(cell(runs[m]) for m in runs) + " |")
    return "\n".join(out) + "\n"


def ffmpeg_section(
    machine: dict[str, str], runs: dict[str, list[Measured]], decode: Measured, repeat: int
) -> tuple[str, str]:
    """`python -m bench --only conversion`: the 60-minute conversion with one ffmpeg, under a
    heading naming it, so that a run with another ffmpeg adds a section of its own."""
    heading = f"{FFMPEG_HEADING}{machine['ffmpeg'].split()[-1]}"
    return (
        heading,
        f"""{heading}

Measured {machine["date"]} by `.venv/bin/python -m bench --only conversion` with
{machine["ffmpeg"]} ({machine["ffmpeg_source"]}); load average {machine["load_before"]} before,
{machine["load_after"]} after. As in section 1: median of {repeat} runs each, methods
alternating; every method, the naive one included, runs this ffmpeg.

{_table(runs)}
{_conversion_targets(runs, decode)}""",
    )


def _conversion_targets(runs: dict[str, list[Measured]], decode: Measured) -> str:
    ours, bare, naive = runs["voicebridge"], runs["ffmpeg"], runs["pydub"]
    rss = _med_attr(naive, "peak_rss") / _med_attr(ours, "peak_rss")
    pss = _med_attr(naive, "peak_pss") / _med_attr(ours, "peak_pss")
    bare_rss = _med_attr(bare, "peak_rss")
    python_rss = _med_attr(bare, "peak_worker_rss")
    speed = [_seconds(naive, pick) / _seconds(ours, pick) for pick in (statistics.median, min)]
    floor = [_seconds(ours, pick) / _seconds(bare, pick) for pick in (statistics.median, min)]
    cpu, sixth = _med(ours, "cpu"), _med(naive, "seconds") / 6
    bare_gain = _med_attr(naive, "peak_rss") / bare_rss
    rows = [
        ("at least 6x faster than the naive path",
         f"{speed[0]:.1f}x (best runs: {speed[1]:.1f}x)", _verdict(*(x >= 6 for x in speed))),
        ("at least 20x less peak memory than the naive path",
         f"{rss:.1f}x by RSS, {pss:.1f}x by PSS", _verdict(rss >= 20, pss >= 20)),
        ("no slower than one bare ffmpeg pass",
         f"{floor[0]:.2f}x its time (best runs: {floor[1]:.2f}x)",
         _verdict(*(x <= 1 for x in floor))),
    ]  # fmt: skip
    if "voicebridge-mp3" in runs:
        mp3 = runs["voicebridge-mp3"]
        by_mp3 = [_seconds(naive, pick) / _seconds(mp3, pick) for pick in (statistics.median, min)]
        rows.append(("with ASR_AUDIO_FORMAT=mp3: 6x faster than the naive path",
                     f"{by_mp3[0]:.1f}x (best runs: {by_mp3[1]:.1f}x)",
                     _verdict(*(x >= 6 for x in by_mp3))))  # fmt: skip
    if "voicebridge-unbatched" in runs:
        plain = runs["voicebridge-unbatched"]
        saved = 1 - _med(ours, "cpu") / _med(plain, "cpu")
        rows.append(("batch scheduling: less CPU than ffmpeg's default policy",
                     f"{100 * saved:.0f} % less ({_med(plain, 'cpu'):.1f} → {cpu:.1f} CPU-s)",
                     _verdict(saved > 0)))  # fmt: skip
    table = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    return f"""Targets at 60 minutes (medians, and the best run of each method):

| target | measured | |
|---|---|---|
{table}

Where the floor is: the conversion costs {cpu:.1f} CPU-seconds, and decoding the Opus alone
the plain way (`ffmpeg -i note -f null -`, nothing written) {decode.report["cpu"]:.1f}.
voicebridge reads Opus inside ffmpeg's filter graph (core/infra/audio/ffmpeg_inputs.py), which
spares ffmpeg 7 and later their command line's hand-overs between threads (5.1 has none to spare).
Two cores cannot spend {cpu:.1f} CPU-seconds in less than {cpu / 2:.1f} s; 6x the naive path is
{sixth:.1f} s. For memory: one ffmpeg of this build is {_mb(bare_rss - python_rss)} resident
and the worker's Python process {_mb(python_rss)}, so even the bare pass (one ffmpeg) is only
{bare_gain:.0f}x under the naive path by RSS; voicebridge runs two ffmpegs at once to be faster
than that pass. Two ranges in one ffmpeg would save the second process, but ffmpeg 7 and later
run two such filter graphs of one process one after the other (its scheduler feeds the output
that is furthest behind): measured, as slow as one.
"""


def _workers(workers: dict[int, list[Measured]]) -> str:
    out = [
        """### ffmpeg processes per recording (60 minutes, best of two runs each)

What the default (one per core, at most 4) was chosen from:
""",
        "| processes | time | CPU time | peak RSS sum | peak PSS sum |",
        "|---|---|---|---|---|",
    ]
    for count, runs in workers.items():
        run = min(runs, key=lambda r: float(r.report["seconds"]))
        out.append(f"| {count} | {run.report['seconds']:.2f} s | {run.report['cpu']:.2f} s | "
                   f"{_mb(run.peak_rss)} | {_mb(run.peak_pss)} |")  # fmt: skip
    return "\n".join(out) + "\n"


def _long_audio(parallel: Measured, sequential: Measured, delay: float) -> str:
    par, seq = parallel.report, sequential.report
    ratio = par["seconds"] / seq["seconds"]
    met = _verdict(ratio <= 1 / 6)
    floor = par["pieces"] / 8 * delay
    return f"""## 2. A 60-minute recording against MiMo's stand-in ({delay:g} s per request)

The bot's service, built by `core.bootstrap` as the bot builds it (SQLite, the real MimoClient,
`core.infra.audio`), transcribes the 60-minute note against tests/standins/mimo.py running in a
process of its own, which holds every request {delay:g} s before answering. Times run from the
call (the recording already downloaded) to the transcript; the first text is the first progress
report carrying a piece's text.

| | 8 requests in flight | one piece at a time |
|---|---|---|
| wall time | {par["seconds"]:.1f} s | {seq["seconds"]:.1f} s |
| first text | {par["first_text"]:.2f} s | {seq["first_text"]:.2f} s |
| pieces / missing | {par["pieces"]} / {par["missing"]} | {seq["pieces"]} / {seq["missing"]} |
| most requests in flight (counted) | {par["most_in_flight"]} | {seq["most_in_flight"]} |

| target | measured | |
|---|---|---|
| at most 1/6 of the sequential time with 8 in flight | {ratio:.3f} (1/{1 / ratio:.1f}) | {met} |
| first text within 5 s | {par["first_text"]:.2f} s | {_verdict(par["first_text"] <= 5)} |

The floor with 8 in flight is {par["pieces"]} pieces / 8 x {delay:g} s = {floor:.1f} s; the rest is
the stand-in decoding every piece to measure it (on the same two cores), HTTP, and the first
piece's conversion.
"""


def _bot_memory(parallel: Measured) -> str:
    worker = max(parallel.peak_worker_rss, int(parallel.report["worker_max_rss"]))
    return f"""## 4. Peak memory of the bot transcribing 60 minutes

Measured during benchmark 2's parallel run: the bot's service as `core.bootstrap` builds it, in
a process that has also imported the Telegram adapter (python-telegram-bot and all), but is not
polling Telegram (the adapter is wired to the new pipeline separately).

| | peak | target |
|---|---|---|
| the bot's process (RSS) | {_mb(worker)} | under 200 MB: {_verdict(worker < 200 * MB)} |
| with its ffmpeg processes, RSS sum | {_mb(parallel.peak_rss)} | |
| with its ffmpeg processes, PSS sum | {_mb(parallel.peak_pss)} | |
"""


def _method() -> str:
    return """## How the numbers are taken

- **Memory** is polled from /proc every 20 ms over the worker and all its descendants
  (bench/procs.py), and the highest sum is kept. RSS counts a page shared by several processes
  once per process (each ffmpeg maps the same code): an upper bound. PSS splits shared pages
  among the processes that map them: what the tree costs the machine. `getrusage` is not used
  for sums: its children figure is the largest single child, and a forked child is charged
  its parent's pages.
- **Naive pydub**: `AudioSegment.from_file(note, codec="opus")` then `.export(path,
  format="mp3")`, all defaults otherwise. pydub asks ffprobe about the stream unless it is told
  the codec, and the imageio-ffmpeg wheel has no ffprobe; naming the codec skips that probe, so
  the naive path is, if anything, measured faster than it is.
- **One bare ffmpeg pass**: `ffmpeg -i note` to one file with exactly voicebridge's output
  settings (mono, 16 kHz, 16-bit WAV), nothing probed or split, run as a plain subprocess.
- **Default scheduling** (`--only conversion`): voicebridge as below with its ffmpegs left
  under the system's default scheduling policy, as before batch scheduling.
- **voicebridge**: `FfmpegAudio.asr_pieces` with 60-second pieces (the default): the note's
  length from its last Ogg page, cuts moved into pauses (ffmpeg decodes the 6 s around each
  cut, nothing else), then two ffmpegs converting half the recording each, pieces handed over
  as they finish, every ffmpeg under the batch scheduling policy
  (`core.infra.audio.ffmpeg_processes`). Pauses are not compacted here (section 6 measures that).
  "MP3 pieces" is the same with `ASR_AUDIO_FORMAT=mp3` (48 kbps, LAME -compression_level 7, no bit
  reservoir).
- **Bytes sent** are the base64 the requests carry. The naive MP3 (64 kbps at 48 kHz) is over
  MiMo's 10 MB request cap past about 20 minutes, so a naive bot would have to split it as well.
"""


def _time_range(runs: list[Measured]) -> str:
    times = [float(r.report["seconds"]) for r in runs]
    return f"{statistics.median(times):.2f} s ({min(times):.2f}–{max(times):.2f})"


def _first_piece(runs: list[Measured]) -> str:
    firsts = [r.report.get("first_piece") for r in runs]
    found = [float(f) for f in firsts if f is not None]
    return f"{statistics.median(found):.2f} s" if found else "at the end"


def _seconds(runs: list[Measured], pick: Callable[[list[float]], float]) -> float:
    return pick([float(r.report["seconds"]) for r in runs])


def _med(runs: list[Measured], key: str) -> float:
    return statistics.median(float(r.report[key]) for r in runs)


def _med_attr(runs: list[Measured], name: str) -> float:
    return statistics.median(float(getattr(r, name)) for r in runs)


def _mb(size: float, digits: int = 0) -> str:
    return f"{size / MB:.{digits}f} MB"


def _verdict(*met: bool) -> str:
    if all(met):
        return "met"
    return "partly met" if any(met) else "**missed**"


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []
