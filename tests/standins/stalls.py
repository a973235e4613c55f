"""The moments this process did not run at all: a far end's deadline does not count them.

A stand-in's deadline (Discord's 3 seconds to acknowledge an interaction) runs in the test's own
process, beside the bot. On a shared machine that process is sometimes not scheduled for a
while (other tests' ffmpeg, a database checkpoint, a busy CI host), and the bot would look late
for time in which nothing of it ran. A thread here wakes every `TICK`; when it wakes far later
than it asked, the process stood still, and that gap is left out.

What the bot does itself still counts: a bot awaiting something slow, or blocking its event
loop with Python code, is late, because this thread runs on beside it (Python hands the
interpreter to other threads every few milliseconds) and sees no gap.
"""

from __future__ import annotations

import threading
import time

__all__ = ["Stalls"]

TICK = 0.02  # how often the thread wakes, in seconds
GAP = 0.25  # a wake this much later than asked: the process stood still


class Stalls:
    """The gaps in which this process stood still, noted from `start` until `close`."""

    def __init__(self) -> None:
        self._gaps: list[tuple[float, float]] = []  # (from, until), time.monotonic()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="stalls", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._closing.set()
        self._thread.join()

    def stood_still(self, since: float, until: float | None = None) -> float:
        """Seconds the process stood still between `since` and `until` (now)."""
        end = time.monotonic() if until is None else until
        with self._lock:
            return sum(max(0.0, min(b, end) - max(a, since)) for a, b in self._gaps)

    def running(self, since: float) -> float:
        """Seconds since `since` in which the process ran."""
        return time.monotonic() - since - self.stood_still(since)

    def _watch(self) -> None:
        last = time.monotonic()
        while not self._closing.wait(TICK):
            now = time.monotonic()
            if now - last > GAP:
                with self._lock:
                    self._gaps.append((last + TICK, now))
            last = now
