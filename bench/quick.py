"""The quick form of the benchmarks: `python -m bench --quick` runs every benchmark, and
`python -m bench --only X --quick` the one named, through the same code as a full run at small
sizes (`bench.sized`: a few notes, a short call, a small index, a few imports, a minute of
audio), in seconds each rather than minutes.

Each run is a process of its own (`python -m bench ...` again) with BENCH_QUICK naming a
temporary folder: its RESULTS.md (a copy of bench/RESULTS.md) and its out/ stand in for
bench/'s, which a quick run never writes, and the folder goes when the run ends. Each section is
checked to be written, by the same report code as a full run's (`_put` in bench/__main__.py);
its figures are not looked at: on a shared machine, at these sizes, they mean nothing. CI runs
`python -m bench --quick`: a benchmark that no longer runs makes it end non-zero, naming it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).parent / "RESULTS.md"


def run(argv: list[str]) -> int:
    """`python -m bench argv` (which holds --quick) again, in a temporary folder that BENCH_QUICK
    names; its exit code."""
    with tempfile.TemporaryDirectory(prefix="voicebridge-bench-quick-") as folder:
        shutil.copyfile(RESULTS, Path(folder) / "RESULTS.md")
        env = {**os.environ, "BENCH_QUICK": folder}
        return subprocess.run([sys.executable, "-m", "bench", *argv], env=env).returncode


class Skipped(Exception):
    """A benchmark that cannot run here (benchmark 10 without PostgreSQL, in the quick form):
    said as skipped, with why, and counted apart from those that ran and those that failed."""


def each(runs: dict[str, Callable[[], object]], label: str = "quick") -> list[str]:
    """Every run, one after the other, whatever the others did, each said as it starts and ends
    (after `label`); the names of those that failed, each printed with what it raised. The
    last line counts what ran, and names what was skipped and why."""
    failed: list[str] = []
    skipped: dict[str, str] = {}
    began = time.monotonic()
    for name, benchmark in runs.items():
        print(f"{label}: {name}...", flush=True)
        started = time.monotonic()
        try:
            benchmark()
        except Skipped as why:
            skipped[name] = str(why)
            outcome = f"skipped ({why})"
        except (Exception, SystemExit):  # said, and the run goes on
            traceback.print_exc()
            failed.append(name)
            outcome = "FAILED"
        else:
            outcome = "done"
        print(f"{label}: {name} {outcome} in {time.monotonic() - started:.0f} s", flush=True)
    took = time.monotonic() - began
    ran = len(runs) - len(skipped)
    left = f"; skipped: {', '.join(skipped)}" if skipped else ""
    if failed:
        print(f"{label}: {len(failed)} of {len(runs)} failed in {took:.0f} s: {', '.join(failed)}"
              f"{left}", file=sys.stderr, flush=True)  # fmt: skip
    elif skipped:
        print(f"{label}: {ran} of {len(runs)} ran in {took:.0f} s, each section written{left}",
              flush=True)  # fmt: skip
    else:
        print(f"{label}: all {len(runs)} ran in {took:.0f} s, each section written", flush=True)
    return failed
