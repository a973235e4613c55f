"""Run a Python worker in a child process and measure it from outside: wall time, and the peak
memory of the worker plus every process it starts (ffmpeg), polled from /proc.

Two sums are kept. RSS counts every page a process has in memory, so pages shared by several
processes (the ffmpeg binary's code, mapped by each ffmpeg) count once per process: an upper
bound. PSS shares each such page among the processes that map it: what the tree really costs
the machine. Both are summed over the tree at each poll and the highest sum is kept.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PAGE = os.sysconf("SC_PAGE_SIZE")
POLL_SECONDS = 0.02


@dataclass(frozen=True)
class Measured:
    wall: float  # seconds from start to exit, as seen from outside (includes Python start-up)
    peak_rss: int  # bytes, highest sum over the process tree
    peak_pss: int
    peak_worker_rss: int  # bytes, the worker process alone
    report: dict[str, Any]  # what the worker printed as JSON on its last line


def run_worker(module: str, *args: str, timeout: float = 900, memory: bool = True) -> Measured:
    """`python -m module args...`, measured; raises if it fails. With `memory` false, the tree's
    memory is not polled (its peaks read 0): reading every process's smaps_rollup 50 times a
    second costs a good part of a core, which a worker that measures its own bot's CPU and time
    on a shared machine should not have to compete with."""
    command = [sys.executable, "-m", module, *args]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = _Sampler(process.pid)
    if memory:
        sampler.start()
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        sampler.stop()
    wall = time.monotonic() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{err[-3000:]}")
    report = json.loads(out.strip().splitlines()[-1])
    return Measured(wall, sampler.rss, sampler.pss, sampler.worker_rss, report)


class _Sampler(threading.Thread):
    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.rss = self.pss = self.worker_rss = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            tree = _tree(self.root)
            self.rss = max(self.rss, sum(_rss(pid) for pid in tree))
            self.pss = max(self.pss, sum(_pss(pid) for pid in tree))
            self.worker_rss = max(self.worker_rss, _rss(self.root))
            self._halt.wait(POLL_SECONDS)

    def stop(self) -> None:
        self._halt.set()
        if self.is_alive():
            self.join()


def _tree(root: int) -> list[int]:
    """`root` and its descendants, from each thread's /proc children list."""
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        for task in _listdir(Path(f"/proc/{pid}/task")):
            queue.extend(int(child) for child in _read(Path(task) / "children").split())
    return found


def _rss(pid: int) -> int:
    fields = _read(Path(f"/proc/{pid}/statm")).split()
    return int(fields[1]) * PAGE if len(fields) > 1 else 0


def _pss(pid: int) -> int:
    for line in _read(Path(f"/proc/{pid}/smaps_rollup")).splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:  # the process ended between listing and reading
        return ""


def _listdir(path: Path) -> list[str]:
    try:
        return [str(path / name) for name in os.listdir(path)]
    except OSError:
        return []
