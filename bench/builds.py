"""Benchmark 8: which ffmpeg to run, with numbers (`--only builds`).

Every voice note costs one ffmpeg run (`core.infra.audio.short_voice_notes`), so what a build costs
to start matters as much as how fast it decodes. For each build (the imageio-ffmpeg wheel's, and
each `--ffmpeg BINARY`): its version; the CPU time of starting and stopping (a tenth of a second of
silence decoded to nothing); of a 5-second voice note decoded to 16 kHz PCM as the bot decodes it
(Opus inside the filter graph); whether it can compact the pauses of long recordings
(silenceremove's `timestamp`, ffmpeg 6.1 on). Medians of 21 runs, the builds alternating. The hour's
conversion on each build is section "The 60-minute conversion on ffmpeg ...".
"""

from __future__ import annotations

import resource
import statistics
import subprocess
from pathlib import Path
from typing import Any

from bench import burst, ffmpeg_exe, load, sized
from bench.sections import loads, reflow, replace_section
from core.infra.audio.ffmpeg_binary import keeps_timestamps
from core.infra.audio.ffmpeg_inputs import AudioSource, mono
from core.infra.audio.short_voice_notes import RATE

HEADING = "## 8. Which ffmpeg: start-up, a voice note, what each can do"
RUNS = sized(21, 2)


def measure(others: list[str]) -> dict[str, Any]:
    """Each build's numbers, by its path: the bundled one first."""
    note = load.note()
    builds = [ffmpeg_exe(), *others]
    reading = AudioSource(note, in_graph=True).reading(0)
    jobs = {
        "start": ["-f", "lavfi", "-i", "anullsrc=d=0.1", "-f", "null", "-"],
        "note": ["-filter_complex", f"{reading.head}{mono(RATE)}[pcm]", "-map", "[pcm]",
                 "-f", "s16le", "-"],
    }  # fmt: skip
    cpu: dict[str, dict[str, list[float]]] = {b: {job: [] for job in jobs} for b in builds}
    for round_ in range(RUNS):
        for build in builds[round_ % len(builds) :] + builds[: round_ % len(builds)]:
            for job, args in jobs.items():
                cpu[build][job].append(_cpu_of([build, "-nostdin", "-v", "error", *args]))
    return {
        "note": burst.note_name(),
        "builds": {
            build: {
                "version": _version(build),
                "bundled": build == builds[0],
                "start_ms": 1000 * statistics.median(cpu[build]["start"]),
                "note_ms": 1000 * statistics.median(cpu[build]["note"]),
                "compacts_long_recordings": keeps_timestamps(build),
                "linked_libraries": _linked(build),
            }
            for build in builds
        },
    }


def section(found: dict[str, Any], machine: dict[str, str]) -> str:
    rows = "\n".join(
        f"| {b['version']}{' (bundled, the default)' if b['bundled'] else ''} "
        f"| {b['start_ms']:.0f} ms | {b['note_ms']:.0f} ms "
        f"| {'yes' if b['compacts_long_recordings'] else 'no (before 6.1)'} "
        f"| {b['linked_libraries']} |"
        for b in found["builds"].values()
    )
    return reflow(f"""{HEADING}

Measured {machine["date"]} by `.venv/bin/python -m bench --only builds`
({loads(machine["load_before"], machine.get("load_after"))}). CPU time of each ffmpeg process
(user + system), medians of {RUNS} runs, the builds alternating; the voice note is
{found["note"]}, decoded to 16 kHz mono PCM as the bot decodes a short note (one run per note).

| build | start and stop | a 5 s voice note | compacts long recordings | shared libraries |
|---|---|---|---|---|
{rows}

A voice note costs one ffmpeg run, and for a few seconds of audio starting the program is most
of it: a build linked to a distribution's shared libraries loads each of them at every start.
That is why the bot runs the bundled static build unless `FFMPEG_BINARY` names another.
""")


def with_section(results: str, text: str) -> str:
    return replace_section(results, HEADING, text)


def _cpu_of(command: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def _version(build: str) -> str:
    shown = subprocess.run([build, "-version"], capture_output=True, text=True, check=True)
    return " ".join(shown.stdout.split()[:3])


def _linked(build: str) -> int:
    """How many shared libraries the build loads at every start."""
    listed = subprocess.run(["ldd", build], capture_output=True, text=True, check=False)
    return sum("=>" in line for line in listed.stdout.splitlines()) if Path(build).exists() else 0
