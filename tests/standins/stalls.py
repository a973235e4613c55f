"""The moments this process did not run at all: a far end's deadline does not count them.

A stand-in's deadline (Discord's 3 seconds to acknowledge an interaction) runs in the test's own
process, beside the bot. On a shared machine that process is sometimes not scheduled for a
while (other tests' ffmpeg, a database checkpoint, a busy CI host), and the bot would look late
for time in which nothing of it ran. A thread here wakes every `TICK`; when it wakes far later
than it asked, the part of that gap the process spent off the processor is left out: all of
it when the process was stopped, half of it when a busy process had half a core. A gap still
open when it is asked about (the process has just been let run again, and the thread not yet)
counts too.

What the bot does itself still counts: a bot awaiting something slow, or blocking its event
loop with Python code, lets this thread run on time; a long call into C (a sort, a regular
expression, a compiled library holding the interpreter) keeps the thread waiting, but the time
it spends on the processor is never left out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["Stalls"]

TICK = 0.02  # how often the thread wakes, in seconds
GAP = 0.25  # a wake this much later than asked: the process may have stood still


class Stalls:
    """The gaps in which this process stood still, noted from `start` until `close`."""

    def __init__(
        self,
        *,
        wall: Callable[[], float] = time.monotonic,
        cpu: Callable[[], float] = time.process_time,  # the whole process's, every thread's
    ) -> None:
        self._wall, self._cpu = wall, cpu
        # (from, until, the share of it spent off the processor), in `wall`'s time
        self._gaps: list[tuple[float, float, float]] = []
        self._lock = threading.Lock()
        self._last = self._now()  # the thread's last wake
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="stalls", daemon=True)

    def start(self) -> None:
        self._last = self._now()
        self._thread.start()

    def close(self) -> None:
        self._closing.set()
        if self._thread.is_alive():
            self._thread.join()

    def stood_still(self, since: float, until: float | None = None) -> float:
        """Seconds the process stood still between `since` and `until` (now)."""
        with self._lock:
            gaps = [*self._gaps]
            if until is None:  # the gap the thread has not woken from yet, if there is one
                open_gap = _gap(self._last, self._now())
                gaps += [open_gap] if open_gap else []
        end = self._wall() if until is None else until
        return sum(max(0.0, min(b, end) - max(a, since)) * off for a, b, off in gaps)

    def running(self, since: float) -> float:
        """Seconds since `since` in which the process ran."""
        return self._wall() - since - self.stood_still(since)

    def look(self) -> None:
        """One wake of the watching thread: the gap since the last one noted, if the process
        may have stood still meanwhile."""
        now = self._now()
        with self._lock:
            if gap := _gap(self._last, now):
                self._gaps.append(gap)
            self._last = now

    def _watch(self) -> None:
        while not self._closing.wait(TICK):
            self.look()

    def _now(self) -> tuple[float, float]:
        return self._wall(), self._cpu()


def _gap(
    before: tuple[float, float], after: tuple[float, float]
) -> tuple[float, float, float] | None:
    """The stand-still between two wakes (monotonic time, processor time), if there was one:
    its span, and the share of it the process spent off the processor."""
    (wall, cpu), (wall_now, cpu_now) = before, after
    waited = wall_now - wall
    if waited <= GAP:
        return None
    return wall + TICK, wall_now, max(0.0, 1.0 - (cpu_now - cpu) / waited)
