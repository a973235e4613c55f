"""Run every benchmark and write bench/RESULTS.md: `.venv/bin/python -m bench`.

Without --only, the full run: sections 1, 2 and 4 (the conversions, the hour against MiMo),
then every benchmark below that --only names, one after the other (`plan`), each writing its
own section with its date and the load average before and after; one that fails is named at
the end (and in RESULTS.md's header, its section left as an earlier run wrote it) and the
others still run. The header names the commit measured and the whole run's time: about an
hour on a 2-core machine (57 minutes on 27 November 2026); benchmark 10 needs TEST_DATABASE_URL
(a PostgreSQL server).

    --repeat N   runs of each conversion (default 5; the report gives medians and best runs)
    --rewrite    write RESULTS.md again from the last run's measurements (bench/out/last-run.json)
    --only load  run benchmark 3 alone (about 3 minutes: Telegram and Discord, 3 times each,
                 alternating) and put its section into RESULTS.md
    --ffmpeg BINARY  in the full run, another ffmpeg measured beside the bundled one in
                 benchmark 8 and in a conversion section of its own (may be given again);
                 with --only load: run the Telegram burst with FFMPEG_BINARY=BINARY too, as a
                 column of its own (kept until the next plain --only load); with --only
                 builds, a build to measure beside the bundled one (may be given again)
    --only memory  run benchmark 5 alone (about 20 s) and put its section into RESULTS.md
    --only pauses  run benchmark 6 alone (a few minutes) and put its section into RESULTS.md
    --only encoders  run benchmark 7 alone (a few minutes) and put its section into RESULTS.md
    --only builds  benchmark 8 alone (about a minute): which ffmpeg to run, the bundled build
                 beside each --ffmpeg BINARY (say, a distribution's)
    --only listen  benchmark 9 alone (about a minute): 10 members speaking at once over 3 calls,
                 the bot's receive layer listening (bench/listen.py)
    --only captions  benchmark 11 alone (about 7 minutes): 10 members over 3 calls with /listen,
                 the whole bot, turns of 2, 10 and 30 s: from the moment each piece and each
                 word was said to its words in the chat, audio sent and billed, requests; three
                 runs of /listen as it comes, one of /listen cheaper:True, one with MiMo at 1 s
                 (bench/captions.py)
    --only replicas  benchmark 10 alone (about 7 minutes; needs TEST_DATABASE_URL, a PostgreSQL
                 server): 100 notes over two replicas, one killed with SIGKILL half-way, on
                 Telegram (webhook) and Discord (two shards' processes), 3 times each
    --only conversion  the 60-minute conversion alone (about 5 minutes), in a section named after
                 the ffmpeg that ran it: run it once with each ffmpeg to compare them
                 (FFMPEG_BINARY in the environment decides which, as for the bot; unset, the
                 imageio-ffmpeg wheel's)
    --only interpret  benchmark 13 alone (about 12 minutes): 4 members in one call with
                 `/listen interpret:True`, two speaking Chinese and two English, turns of two
                 sentences: from each sentence's end to the first sound of its interpretation in
                 the call, MiMo paced (bench/paced.py); both ways (DISCORD_INTERPRET_FROM text
                 and audio) with speech in slices and whole, two runs each (bench/interpret.py)
    --only find  benchmark 12 alone (about 10 minutes): /find in a bot holding a million kept
                 lines, and a transcript kept while 8 searches run, on SQLite, and on
                 PostgreSQL when TEST_DATABASE_URL is set (bench/find.py)
    --only import  benchmark 14 alone (about 10 minutes for 2,000 messages; --messages N for
                 fewer): a Telegram Desktop export imported against MiMo's stand-in answering
                 after 0.5 s, and live voice notes meanwhile (bench/imports.py)
    --only resume  benchmark 15 alone (about 4 minutes): 4 members speaking one after another in
                 a call with `/listen`, the bot's process SIGKILLed and started again mid-call, 3
                 runs: from the new process's start to the first caption, turns lost once it is
                 back, the transcript's lines (bench/resume.py)
    --only say   benchmark 17 alone (about 2 minutes): `/say in_voice_channel:True`, from the
                 command answered to the first sound in the call, MiMo making speech at a pace
                 (bench/paced.py), streamed in slices and whole, 3 rounds alternating
                 (bench/say_voice.py)
    --only reader  benchmark 18 alone (about 3 minutes): a channel read aloud, the silence
                 between two messages, after one made ahead and after one posted late, MiMo at
                 the same pace, streamed in slices and whole, 3 rounds alternating
                 (bench/reader_gap.py)
    --only long-audio  benchmark 19 alone (about 3 minutes): a 10-minute voice note sent to the
                 real bot in a private chat and in a group, 3 times each, alternating: from MiMo
                 answering its first piece to its words on screen (bench/long_audio_words.py)
    --only minute  benchmark 20 alone (about 20 minutes): the account's minute, MiMo's stand-in
                 holding MiMo's published limits over a minute shortened to 6 s, every rate
                 scaled with it: 1, 2, 4 and 8 listened calls, a burst of 1,000 notes from 200
                 chats, an import of 2,000 messages alone and beside calls, through the real
                 MimoClient and its pacing, on one process and on 3 replicas, paced and not
                 (bench/minute.py)
    --only walks  benchmark 21 alone (under a minute): the files a voice note and an imported
                 message pass and their moves between files, by the standard library's profiler,
                 3 runs in fresh processes, beside the same walks at 80d394b0 (bench/walks.py)
    --profile    with --only load: also record what holds the bot's event loop when it is late
    --quick      every benchmark (or the one --only names) at small sizes, through the same code,
                 in seconds rather than minutes: its report goes to a temporary folder, never to
                 RESULTS.md nor bench/out/, and each section is checked to be written (its figures
                 are not). CI runs `python -m bench --quick`; it ends non-zero when one fails

Each measurement runs in a fresh worker process (bench/procs.py), methods alternating, so that
a noisy machine slows all of them alike and the ratios hold. On a shared machine a burst of
someone else's work can still land on one method's runs: the best run shows what the method
costs undisturbed, the median what it costs on a busy day.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

from bench import (
    OUT,
    QUICK,
    RESULTS,
    builds,
    captions,
    encoders,
    find,
    imports,
    inputs,
    interpret,
    listen,
    load,
    load_report,
    long_audio_words,
    memory,
    mimo_stand_in,
    minute,
    minute_report,
    quick,
    reader_gap,
    replicas_report,
    report,
    resume,
    say_voice,
    sized,
    walks,
)
from bench import pauses_report as pauses
from bench.account import in_environment
from bench.procs import Measured, run_worker
from bench.sections import METHOD_HEADING, replace_section

METHODS = ("voicebridge", "voicebridge-mp3", "ffmpeg", "pydub")
# Each size is the full run's, then the quick form's (bench.sized).
MINUTES = sized((1, 10, 60), (1,))
WORKER_COUNTS = sized((1, 2, 3), (1, 2))
WORKER_RUNS = sized(2, 1)  # runs of each count of ffmpeg processes; the best is kept
MIMO_DELAY = sized(2.0, 0.5)
LOAD_MIMO_DELAY = 0.5  # benchmark 3: a realistic wait for one short note's transcript
LOAD_ROUNDS = sized(3, 1)  # benchmark 3: runs of each driver; the report gives the median run
LAST_RUN = OUT / "last-run.json"
LAST_LOAD = OUT / "last-load.json"
LAST_MEMORY = OUT / "last-memory.json"
LAST_PAUSES = OUT / "last-pauses.json"
LAST_ENCODERS = OUT / "last-encoders.json"
LAST_BUILDS = OUT / "last-builds.json"
LAST_LISTEN = OUT / "last-listen.json"
LAST_REPLICAS = OUT / "last-replicas.json"
REPLICAS_ROUNDS = sized(3, 1)  # benchmark 10: runs of each platform, alternating
LISTEN_MEMBERS, LISTEN_CALLS, LISTEN_SECONDS = sized((10, 3, 30.0), (2, 1, 3.0))
LAST_FIND = OUT / "last-find.json"
LAST_IMPORT = OUT / "last-import.json"
LAST_CAPTIONS = OUT / "last-captions.json"
CAPTIONS_MEMBERS, CAPTIONS_CALLS = sized((10, 3), (2, 1))
CAPTIONS_ROUNDS = sized(3, 1)  # benchmark 11: runs, each in a fresh process; the report pools them
LAST_INTERPRET = OUT / "last-interpret.json"
INTERPRET_ROUNDS, INTERPRET_RUNS = sized((3, 2), (2, 1))  # benchmark 13: the last round all at once
LAST_RESUME = OUT / "last-resume.json"
RESUME_RUNS = sized(3, 1)  # benchmark 15
LAST_LONG_AUDIO = OUT / "last-long-audio.json"
# Benchmarks 17 and 18: rounds, speech streamed in slices and whole alternating, each way a
# process of its own each round, making `/say`'s clip that many times (a channel reading once).
STREAMED_ROUNDS, SAY_RUNS = sized(3, 1), sized(2, 1)
STREAMED_DELAY = 0.5  # MiMo's recognition and chat, as bench/paced.py's model has it
LAST_WALKS = OUT / "last-walks.json"


ONLY = [
    "load", "memory", "pauses", "encoders", "conversion", "builds", "listen", "replicas",
    "captions", "find", "interpret", "import", "resume", "say", "reader", "long-audio", "minute",
    "walks",
]  # fmt: skip


def parser() -> argparse.ArgumentParser:
    """The command line's options (described in the module's docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--repeat", type=int, default=sized(5, 1))
    parser.add_argument("--rewrite", action="store_true")
    parser.add_argument(
        "--only",
        choices=ONLY,
    )
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--messages", type=int, default=imports.MESSAGES)
    parser.add_argument("--ffmpeg", action="append", default=[])
    parser.add_argument("--quick", action="store_true")
    return parser


def main() -> None:
    args = parser().parse_args()
    in_environment()  # every benchmark's bot on the raised account (bench/account.py)
    if args.quick and not QUICK:  # run again in a temporary folder (bench/quick.py)
        sys.exit(quick.run(sys.argv[1:]))
    if QUICK and not args.quick:
        raise SystemExit("BENCH_QUICK is set by `python -m bench --quick` alone")
    if args.rewrite and QUICK:
        raise SystemExit("--rewrite rewrites RESULTS.md from a full run's measurements")
    if args.rewrite:
        write(json.loads(LAST_RUN.read_text()))
        return
    if args.only:
        try:
            run_only(args.only, args)
        except quick.Skipped as why:  # the quick form, where the benchmark cannot run here
            print(f"{args.only}: skipped, {why}", flush=True)
        return
    sys.exit(run_full(args))


# The full run's first step, which writes RESULTS.md's header.
CORE = "sections 1, 2 and 4"


def plan(args: argparse.Namespace) -> dict[str, Callable[[], object]]:
    """The full run's steps (the quick run's too), in order: sections 1, 2 and 4, then every
    benchmark `--only` names, alone, each writing its own section; each `--ffmpeg` is measured
    beside the bundled build (`--only builds`) and in a conversion section of its own."""
    plain = argparse.Namespace(**(vars(args) | {"ffmpeg": []}))  # the load on the bundled build
    steps: dict[str, Callable[[], object]] = {CORE: partial(run_core, args)}
    steps |= {
        f"--only {name}": partial(run_only, name, plain if name == "load" else args)
        for name in ONLY
    }
    return steps | {
        f"--only conversion, FFMPEG_BINARY={binary}": partial(conversion_on, binary, args.repeat)
        for binary in args.ffmpeg
    }


def conversion_on(binary: str, repeat: int) -> None:
    """`--only conversion` with FFMPEG_BINARY=`binary`, in a process of its own (the ffmpeg
    the benchmarks run is chosen as they start)."""
    command = [sys.executable, "-m", "bench", "--only", "conversion", "--repeat", str(repeat)]
    env = {**os.environ, "FFMPEG_BINARY": binary}
    subprocess.run(command + (["--quick"] if QUICK else []), env=env, check=True)


def run_full(args: argparse.Namespace) -> int:
    """`python -m bench` (or `--quick`): every step of `plan`, one after the other, whatever the
    others did; then the header again, with the whole run's time and the steps that failed.
    1 when any failed."""
    started = time.monotonic()
    failed = quick.each(plan(args), "quick" if QUICK else "bench")
    if CORE in failed:  # no measurements of this run's to write the header from
        print(f"{RESULTS}'s header and sections 1, 2 and 4 are an earlier run's", flush=True)
    else:
        run = json.loads(LAST_RUN.read_text())
        run |= {"whole_minutes": (time.monotonic() - started) / 60, "failed": failed}
        LAST_RUN.write_text(json.dumps(run, indent=1))
        write(run)
        print(f"wrote {RESULTS} in {run['whole_minutes']:.1f} min", flush=True)
    return 1 if failed else 0


def run_only(only: str, args: argparse.Namespace) -> None:
    """The benchmark `--only` names, alone: its section of RESULTS.md rewritten."""
    if only == "load":
        only_load(profile=args.profile, ffmpeg=args.ffmpeg[0] if args.ffmpeg else None)
    elif only == "builds":
        only_builds(args.ffmpeg)
    elif only == "memory":
        only_memory()
    elif only == "listen":
        only_listen()
    elif only == "captions":
        only_captions()
    elif only == "find":
        only_find()
    elif only == "interpret":
        only_interpret()
    elif only == "import":
        only_import(args.messages)
    elif only == "resume":
        _pooled_section(15, resume, "bench.resume", (), RESUME_RUNS, LAST_RESUME)
    elif only == "say":
        _streamed_section(17, say_voice, "bench.say_voice", SAY_RUNS)
    elif only == "reader":
        _streamed_section(18, reader_gap, "bench.reader_gap", 1)
    elif only == "long-audio":
        _pooled_section(19, long_audio_words, "bench.long_audio_words", (), 1, LAST_LONG_AUDIO)
    elif only == "minute":
        only_minute()
    elif only == "walks":
        _pooled_section(21, walks, "bench.walks", (), walks.RUNS, LAST_WALKS)
    elif only == "replicas":
        only_replicas()
    elif only == "pauses":
        only_pauses(args.repeat)
    elif only == "encoders":
        only_encoders(args.repeat)
    elif only == "conversion":
        only_conversion(min(args.repeat, 3))
    else:
        raise ValueError(f"no benchmark {only!r}")


def run_core(args: argparse.Namespace) -> None:
    """Sections 1, 2 and 4 (the conversions, the hour against MiMo), and RESULTS.md's header
    naming the commit measured; every other section kept as it is."""
    started = time.monotonic()
    commit = report.commit_measured()
    machine = report.machine_info()
    notes = {minutes: inputs.voice_note(minutes) for minutes in MINUTES}
    print(f"inputs ready ({inputs.source_name()})", flush=True)

    conversions = {minutes: convert_all(note, args.repeat) for minutes, note in notes.items()}
    longest = notes[max(MINUTES)]
    decode = convert(longest, "decode")
    workers = {count: [convert(longest, "voicebridge", str(count)) for _ in range(WORKER_RUNS)]
               for count in WORKER_COUNTS}  # fmt: skip
    with mimo_stand_in(MIMO_DELAY) as (base_url, api_key):
        parallel = long_audio(longest, base_url, api_key, in_flight=8)
        sequential = long_audio(longest, base_url, api_key, in_flight=1)

    machine["load_after"] = report.load_average()
    run = {
        "commit": commit,
        "machine": machine,
        "source": inputs.source_name(),
        "repeat": args.repeat,
        "conversions": {m: {k: [asdict(r) for r in v] for k, v in c.items()}
                        for m, c in conversions.items()},
        "decode": asdict(decode),
        "workers": {count: [asdict(r) for r in runs] for count, runs in workers.items()},
        "parallel": asdict(parallel),
        "sequential": asdict(sequential),
        "minutes_taken": (time.monotonic() - started) / 60,
    }  # fmt: skip
    LAST_RUN.parent.mkdir(parents=True, exist_ok=True)
    LAST_RUN.write_text(json.dumps(run, indent=1))
    write(run)
    print(f"wrote sections 1, 2 and 4 of {RESULTS} in {run['minutes_taken']:.1f} min", flush=True)


def write(run: dict[str, Any]) -> None:
    """RESULTS.md from one run's measurements, as saved in LAST_RUN."""
    text = report.render(
        machine=run["machine"],
        source=run["source"],
        repeat=run["repeat"],
        conversions={int(m): {k: [Measured(**r) for r in v] for k, v in c.items()}
                     for m, c in run["conversions"].items()},
        decode=Measured(**run["decode"]),
        workers={int(n): [Measured(**r) for r in runs] for n, runs in run["workers"].items()},
        parallel=Measured(**run["parallel"]),
        sequential=Measured(**run["sequential"]),
        load=run.get("load"),
        delay=MIMO_DELAY,
        minutes_taken=run["minutes_taken"],
        whole=report.WholeRun(
            run.get("commit"), run.get("whole_minutes"), run.get("failed", [])
        ),
    )  # fmt: skip
    before = RESULTS.read_text() if RESULTS.exists() else ""
    # Every other section stays as its benchmark last wrote it (section 3 too, unless this run
    # holds the load's measurements), in its place.
    for heading in _headings(before):
        if heading not in text or (heading == "## 3. " and not run.get("load")):
            kept = _section(before, heading) or ""
            text = replace_section(text, heading, kept.rstrip() + "\n")
    for saved in sorted(LAST_RUN.parent.glob("last-conversion-*.json")):  # in today's words
        heading, section = _conversion_section(json.loads(saved.read_text()))
        if heading in text:
            text = replace_section(text, heading, section)
    if "pauses" in run:
        text = pauses.with_section(text, pauses.section(run["pauses"]))
    if "encoders" in run:
        found = run["encoders"]
        text = encoders.with_section(text, encoders.section(found, found["machine"]))
    headings = ["## 1. ", "## 2. ", "## 4. "]
    headings += [load_report.HEADING] if run.get("load") else []
    headings += [pauses.HEADING] if "pauses" in run else []
    headings += [encoders.HEADING] if "encoders" in run else []
    _put(text, *headings)


def _conversion_section(found: dict[str, Any]) -> tuple[str, str]:
    """An `--only conversion` section again, from its saved measurements."""
    runs = {method: [Measured(**r) for r in v] for method, v in found["runs"].items()}
    return report.ffmpeg_section(
        found["machine"], runs, Measured(**found["decode"]), found["repeat"]
    )


def _headings(results: str) -> list[str]:
    """The sections of `results` by their headings: a numbered one by its number ("## 6. "),
    another by its whole line (`--only conversion`'s, one per ffmpeg)."""
    found = []
    for line in results.splitlines():
        if line.startswith("## ") and line != METHOD_HEADING:
            number = line.removeprefix("## ").split(". ", 1)[0]
            found.append(f"## {number}. " if number.isdigit() else line)
    return found


def _put(results: str, *headings: str) -> None:
    """RESULTS.md written as `results`, once each section under `headings` is found in it with
    more than its heading: a benchmark whose report would come out empty fails, in its quick
    form too."""
    for heading in headings:
        section = _section(results, heading)
        if section is None or not section.strip().removeprefix(heading.strip()).strip():
            raise SystemExit(f"the report has no section '{heading.strip()}', or an empty one")
    RESULTS.write_text(results)


def _section(results: str, heading: str) -> str | None:
    """The section of RESULTS.md under `heading`, up to the next one; None when absent."""
    if heading not in results:
        return None
    start = results.index(heading)
    end = results.find("\n## ", start + 1)
    return results[start : end + 1 if end != -1 else len(results)]


def only_load(*, profile: bool, ffmpeg: str | None) -> None:
    """Benchmark 3 alone: its section of RESULTS.md is replaced, the rest kept as it is. With
    `ffmpeg`, only its column is measured, beside the last plain run's."""
    if ffmpeg:
        runs = json.loads(LAST_LOAD.read_text()) if LAST_LOAD.exists() else {}
        runs |= run_load(profile=profile, ffmpeg=ffmpeg)
    else:
        runs = run_load(profile=profile)
    LAST_LOAD.parent.mkdir(parents=True, exist_ok=True)
    LAST_LOAD.write_text(json.dumps(runs, indent=1))
    if LAST_RUN.exists():  # a later --rewrite keeps these numbers
        run = json.loads(LAST_RUN.read_text())
        LAST_RUN.write_text(json.dumps({**run, "load": runs}, indent=1))
    _put(load_report.with_section(RESULTS.read_text(), runs), load_report.HEADING)
    print(f"wrote section 3 of {RESULTS} (measurements in {LAST_LOAD})", flush=True)


def only_minute() -> None:
    """Benchmark 20 alone: its section of RESULTS.md is replaced (or added)."""
    machine = report.machine_info()
    found = minute.measure()
    machine["load_after"] = report.load_average()
    last = minute.write_raw({"machine": machine, **found})
    text = minute_report.section(found, machine)
    _put(minute_report.with_section(RESULTS.read_text(), text), minute_report.HEADING)
    print(f"wrote section 20 of {RESULTS} (measurements in {last})", flush=True)


def only_memory() -> None:
    """Benchmark 5 alone: its section of RESULTS.md is replaced (or added)."""
    machine = report.machine_info()
    with tempfile.TemporaryDirectory() as tmp, mimo_stand_in(0.0) as mimo:
        found = memory.measure(Path(tmp), mimo)
    found["machine"] = machine | {"load_after": report.load_average()}
    LAST_MEMORY.parent.mkdir(parents=True, exist_ok=True)
    LAST_MEMORY.write_text(json.dumps(found, indent=1))
    _put(memory.with_section(RESULTS.read_text(), memory.section(found)), memory.HEADING)
    print(f"wrote section 5 of {RESULTS} (measurements in {LAST_MEMORY})", flush=True)


def only_find() -> None:
    """Benchmark 12 alone: its section of RESULTS.md is replaced (or added)."""
    machine = report.machine_info()
    with tempfile.TemporaryDirectory() as tmp:
        found = asyncio.run(find.measure(Path(tmp)))
    LAST_FIND.parent.mkdir(parents=True, exist_ok=True)
    LAST_FIND.write_text(json.dumps({"machine": machine, **found}, indent=1))
    _put(find.with_section(RESULTS.read_text(), find.section(found, machine)), find.HEADING)
    print(f"wrote section 12 of {RESULTS} (measurements in {LAST_FIND})", flush=True)


def only_import(messages: int) -> None:
    """Benchmark 14 alone: its section of RESULTS.md is replaced (or added)."""
    machine = report.machine_info()
    with tempfile.TemporaryDirectory() as tmp, mimo_stand_in(imports.MIMO_DELAY) as mimo:
        found = asyncio.run(imports.measure(Path(tmp), *mimo, messages))
    machine["load_after"] = report.load_average()
    LAST_IMPORT.parent.mkdir(parents=True, exist_ok=True)
    LAST_IMPORT.write_text(json.dumps({"machine": machine, **found}, indent=1))
    section = imports.section(found, machine)
    _put(imports.with_section(RESULTS.read_text(), section), imports.HEADING)
    print(f"wrote section 14 of {RESULTS} (measurements in {LAST_IMPORT})", flush=True)


def only_listen() -> None:
    """Benchmark 9 alone: its section of RESULTS.md is replaced (or added)."""
    machine = report.machine_info()
    args = (str(LISTEN_MEMBERS), str(LISTEN_CALLS), str(LISTEN_SECONDS))
    found = run_worker("bench.listen", *args, memory=False).report
    found["load_after"] = report.load_average()
    LAST_LISTEN.parent.mkdir(parents=True, exist_ok=True)
    LAST_LISTEN.write_text(json.dumps({"machine": machine, **found}, indent=1))
    _put(listen.with_section(RESULTS.read_text(), listen.section(found, machine)), listen.HEADING)
    print(f"wrote section 9 of {RESULTS} (measurements in {LAST_LISTEN})", flush=True)


def only_captions() -> None:
    """Benchmark 11 alone: each of its configurations (`captions.CONFIGS`) measured, the
    first `CAPTIONS_ROUNDS` times, the others once, alternating; its section of RESULTS.md is
    replaced (or added)."""
    machine = report.machine_info() | {"load_before": report.load_average()}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in captions.CONFIGS}
    for round_ in range(CAPTIONS_ROUNDS):
        for name, delay, cheaper in captions.CONFIGS[: 1 if round_ else None]:
            args = [str(CAPTIONS_MEMBERS), str(CAPTIONS_CALLS), str(delay)]
            args += ["cheaper"] if cheaper else []
            runs[name].append(run_worker("bench.captions", *args, memory=False).report)
    found = {name: captions.pooled(done) for name, done in runs.items()}
    found[captions.CONFIGS[0][0]]["load_after"] = report.load_average()
    LAST_CAPTIONS.parent.mkdir(parents=True, exist_ok=True)
    LAST_CAPTIONS.write_text(json.dumps({"machine": machine, **found}, indent=1))
    _put(captions.with_section(RESULTS.read_text(), captions.section(found, machine)),
         captions.HEADING)  # fmt: skip
    print(f"wrote section 11 of {RESULTS} (measurements in {LAST_CAPTIONS})", flush=True)


def only_interpret() -> None:
    """Benchmark 13 alone: its section of RESULTS.md is replaced (or added)."""
    machine = report.machine_info() | {"load_before": report.load_average()}
    ways = interpret.WAYS_MEASURED
    runs: dict[str, list[dict[str, Any]]] = {interpret.key_of(*way): [] for way in ways}
    for _ in range(INTERPRET_RUNS):  # the ways alternating
        for way, stream in ways:
            found = run_worker(
                "bench.interpret", str(INTERPRET_ROUNDS), f"{interpret.DELAY:g}", stream, way,
                memory=False,
            )  # fmt: skip
            runs[interpret.key_of(way, stream)].append(found.report)
    pooled = {key: interpret.pooled(done) for key, done in runs.items()}
    next(iter(pooled.values()))["load_after"] = report.load_average()
    LAST_INTERPRET.parent.mkdir(parents=True, exist_ok=True)
    LAST_INTERPRET.write_text(json.dumps({"machine": machine, **pooled}, indent=1))
    _put(interpret.with_section(RESULTS.read_text(), interpret.section(pooled, machine)),
         interpret.HEADING)  # fmt: skip
    print(f"wrote section 13 of {RESULTS} (measurements in {LAST_INTERPRET})", flush=True)


def _pooled_section(
    number: int, bench: Any, worker: str, args: tuple[object, ...], runs: int, last: Path
) -> None:
    """A benchmark whose `worker` runs `runs` times, pooled by its module `bench` (`pooled`,
    `section`, `with_section`) into its section `number` of RESULTS.md."""
    machine = report.machine_info() | {"load_before": report.load_average()}
    found = bench.pooled(
        [run_worker(worker, *map(str, args), memory=False).report for _ in range(runs)]
    )
    found["load_after"] = report.load_average()
    last.parent.mkdir(parents=True, exist_ok=True)
    last.write_text(json.dumps({"machine": machine, **found}, indent=1))
    _put(bench.with_section(RESULTS.read_text(), bench.section(found, machine)), bench.HEADING)
    print(f"wrote section {number} of {RESULTS} (measurements in {last})", flush=True)


def _streamed_section(number: int, bench: Any, worker: str, runs: int) -> None:
    """A benchmark of speech played as it is made (its module `bench`: `pooled`, `section`,
    `with_section`): its `worker` run `STREAMED_ROUNDS` times with MiMo streaming speech in
    slices and whole (bench/paced.py), the two alternating, into its section `number` of
    RESULTS.md."""
    machine = report.machine_info() | {"load_before": report.load_average()}
    done: dict[str, list[dict[str, Any]]] = {"slices": [], "whole": []}
    for round_ in range(STREAMED_ROUNDS):
        for stream in list(done) if round_ % 2 == 0 else list(reversed(done)):
            args = (str(runs), str(STREAMED_DELAY), stream)
            done[stream].append(run_worker(worker, *args, memory=False).report)
            print(f"  {worker}, {stream}: done", flush=True)
    found = {stream: bench.pooled(measured) for stream, measured in done.items()}
    machine["load_after"] = report.load_average()
    last = OUT / f"last-{worker.removeprefix('bench.')}.json"
    last.parent.mkdir(parents=True, exist_ok=True)
    last.write_text(json.dumps({"machine": machine, **found}, indent=1))
    _put(bench.with_section(RESULTS.read_text(), bench.section(found, machine)), bench.HEADING)
    print(f"wrote section {number} of {RESULTS} (measurements in {last})", flush=True)


def only_replicas() -> None:
    """Benchmark 10 alone: its section of RESULTS.md is replaced (or added)."""
    from tests.db_fixtures import NO_POSTGRES, postgres_server_url

    server = postgres_server_url()
    if server is None and QUICK:
        raise quick.Skipped(f"benchmark 10 runs on PostgreSQL alone: {NO_POSTGRES}")
    if server is None:
        raise SystemExit(f"benchmark 10 runs on PostgreSQL: {NO_POSTGRES}")
    machine = report.machine_info() | {"load_before": report.load_average()}
    note = load.note()
    runs: dict[str, list[dict[str, Any]]] = {"Telegram": [], "Discord": []}
    for round_ in range(REPLICAS_ROUNDS):
        order = list(runs) if round_ % 2 == 0 else list(reversed(runs))
        for label in order:
            found = run_worker(
                "bench.replicas", label.lower(), str(note), server, memory=False
            ).report
            print(f"  replicas, {label}: {found['delivered']} of {found['notes']} delivered, "
                  f"{found['twice']} twice, the last in {found['seconds']:.1f} s "
                  f"({found['ratio']:.2f}x the floor)", flush=True)  # fmt: skip
            runs[label].append(found)
            LAST_REPLICAS.parent.mkdir(parents=True, exist_ok=True)
            LAST_REPLICAS.write_text(json.dumps({"machine": machine, "runs": runs}, indent=1))
    machine["load_after"] = report.load_average()
    LAST_REPLICAS.write_text(json.dumps({"machine": machine, "runs": runs}, indent=1))
    text = replicas_report.section(runs, machine)
    _put(replicas_report.with_section(RESULTS.read_text(), text), replicas_report.HEADING)
    print(f"wrote section 10 of {RESULTS} (measurements in {LAST_REPLICAS})", flush=True)


def only_pauses(repeat: int) -> None:
    """Benchmark 6 alone: its section of RESULTS.md is replaced (or added)."""
    found = run_pauses(repeat)
    LAST_PAUSES.parent.mkdir(parents=True, exist_ok=True)
    LAST_PAUSES.write_text(json.dumps(found, indent=1))
    _put(pauses.with_section(RESULTS.read_text(), pauses.section(found)), pauses.HEADING)
    print(f"wrote section 6 of {RESULTS} (measurements in {LAST_PAUSES})", flush=True)


def only_encoders(repeat: int) -> None:
    """Benchmark 7 alone: its section of RESULTS.md is replaced (or added)."""
    machine = report.machine_info()
    found = encoders.measure(max(1, min(repeat, 3)))
    machine["load_after"] = report.load_average()
    LAST_ENCODERS.parent.mkdir(parents=True, exist_ok=True)
    LAST_ENCODERS.write_text(json.dumps({"machine": machine, **found}, indent=1))
    text = encoders.with_section(RESULTS.read_text(), encoders.section(found, machine))
    _put(text, encoders.HEADING)
    print(f"wrote section 7 of {RESULTS} (measurements in {LAST_ENCODERS})", flush=True)


def only_builds(others: list[str]) -> None:
    """Benchmark 8 alone: its section of RESULTS.md is replaced (or added)."""
    machine = report.machine_info()
    found = builds.measure(others)
    machine["load_after"] = report.load_average()
    LAST_BUILDS.parent.mkdir(parents=True, exist_ok=True)
    LAST_BUILDS.write_text(json.dumps({"machine": machine, **found}, indent=1))
    _put(builds.with_section(RESULTS.read_text(), builds.section(found, machine)), builds.HEADING)
    print(f"wrote section 8 of {RESULTS} (measurements in {LAST_BUILDS})", flush=True)


def only_conversion(repeat: int) -> None:
    """The 60-minute conversion alone, every method alternating, with whichever ffmpeg runs: its
    own section of RESULTS.md, named after that ffmpeg (another ffmpeg's section stays)."""
    machine = report.machine_info()
    note = inputs.voice_note(sized(60, 1))
    runs = convert_all(note, repeat, (*METHODS, "voicebridge-unbatched"))
    decode = convert(note, "decode")
    machine["load_after"] = report.load_average()
    found = {"machine": machine, "repeat": repeat, "decode": asdict(decode),
             "runs": {m: [asdict(r) for r in v] for m, v in runs.items()}}  # fmt: skip
    out = LAST_RUN.parent / f"last-conversion-{machine['ffmpeg'].split()[-1]}.json"
    out.write_text(json.dumps(found, indent=1))
    heading, text = report.ffmpeg_section(machine, runs, decode, repeat)
    _put(replace_section(RESULTS.read_text(), heading, text), heading)
    print(f"wrote '{heading}' in {RESULTS} (measurements in {out})", flush=True)


def run_pauses(repeat: int) -> dict[str, Any]:
    """Benchmark 6: each recording transcribed with pauses kept and compacted, alternating,
    against the stand-in answering with a real recogniser's words (recognition the same each
    time: the first run's words are compared)."""
    machine = report.machine_info()
    notes = {**inputs.recordings(), pauses.LONG_NOTE: inputs.voice_note(sized(10, 1))}
    if QUICK:  # one recording, heard by the recogniser if real: the others take as long each
        notes = dict(list(notes.items())[:1])
    times = max(1, min(repeat, 3))
    # Timed and billed against a stand-in that answers at once; the words, once each way, from
    # one that recognises them (PocketSphinx takes about as long as the audio: not timed).
    with mimo_stand_in(0.0) as (base_url, api_key):
        runs = {name: pauses.measure(path, base_url, api_key, repeat=times)
                for name, path in notes.items()}  # fmt: skip
    with mimo_stand_in(0.0, "--recognise") as (base_url, api_key):
        for name, path in notes.items():
            if name != pauses.LONG_NOTE:  # ten minutes would take ten minutes or more
                runs[name] |= pauses.measure(path, base_url, api_key, repeat=1, words=True)
    return {"machine": machine | {"load_after": report.load_average()}, "runs": runs}


def run_load(*, profile: bool = False, ffmpeg: str | None = None) -> dict[str, Any]:
    """Benchmark 3 in fresh processes: MiMo's stand-in, and each driver with its bot, for
    `LOAD_ROUNDS` rounds, the drivers alternating; by label, the run with the median time,
    which also carries every round's time and CPU per note. With `ffmpeg`, the Telegram burst
    alone, the bot running that ffmpeg."""
    note = load.note()
    drivers = {"Telegram": "bench.load", "Discord": "bench.load_discord"}
    if ffmpeg:
        drivers = {f"Telegram, FFMPEG_BINARY={ffmpeg_name(ffmpeg)}": "bench.load"}
    rounds: dict[str, list[dict[str, Any]]] = {label: [] for label in drivers}
    for round_ in range(LOAD_ROUNDS):
        order = list(drivers.items())
        for label, driver in order if round_ % 2 == 0 else reversed(order):
            with mimo_stand_in(LOAD_MIMO_DELAY) as (base_url, api_key):
                args = [str(note), base_url, api_key, str(LOAD_MIMO_DELAY)]
                args += ["--profile"] if profile else []
                args += ["--ffmpeg", ffmpeg] if ffmpeg else []
                found = run_worker(driver, *args, memory=False).report  # it watches its bot
            print(f"  load, {label}, {found['notes']} notes: {found['seconds']:.1f} s "
                  f"({found['ratio']:.2f}x the floor), event loop late by "
                  f"{found['lag_p99'] * 1000:.0f} ms at p99", flush=True)  # fmt: skip
            rounds[label].append(found)
    return {label: _median_run(runs) for label, runs in rounds.items()}


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median time, with every run's time and CPU per note beside its own."""
    median = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]
    return {
        **median,
        "round_seconds": [run["seconds"] for run in runs],
        "round_cpu_per_note": [run["cpu_per_note"] for run in runs],
    }


def ffmpeg_name(binary: str) -> str:
    """An ffmpeg by its version: "ffmpeg 5.1.9-0+deb12u1"."""
    version = subprocess.run([binary, "-version"], capture_output=True, text=True, check=True)
    return " ".join(version.stdout.split()[:3:2])


def convert_all(
    note: Path, repeat: int, methods: tuple[str, ...] = METHODS
) -> dict[str, list[Measured]]:
    """Every method `repeat` times, alternating (a different one first each round)."""
    runs: dict[str, list[Measured]] = {method: [] for method in methods}
    for round_ in range(repeat):
        first = round_ % len(methods)
        for method in methods[first:] + methods[:first]:
            runs[method].append(convert(note, method))
    return runs


def convert(note: Path, method: str, *extra: str) -> Measured:
    measured = run_worker("bench.convert", method, str(note), *extra)
    seconds = measured.report["seconds"]
    print(f"  {note.name} {method} {' '.join(extra)}: {seconds:.2f} s", flush=True)
    return measured


def long_audio(note: Path, base_url: str, api_key: str, *, in_flight: int) -> Measured:
    measured = run_worker("bench.long_audio", str(note), base_url, api_key, str(in_flight))
    print(f"  long audio, {in_flight} in flight: {measured.report['seconds']:.1f} s", flush=True)
    return measured


if __name__ == "__main__":
    main()
