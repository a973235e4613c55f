"""The stand-ins' `Stalls`: a process the system stopped stood still; a busy one did not.

Discord's stand-in leaves out of its 3 seconds only the time in which the test process did not
run (CI, 29 November: a command deferred in milliseconds on every other run came 3 s late);
a bot that keeps its own event loop busy, in Python or in C, must still be late (on a busy
machine, but for the time it was off the processor)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.standins.stalls import Stalls

ROOT = Path(__file__).resolve().parents[2]
SLACK = 0.1  # the watching thread's own wakes, and the moments between two readings

# A process with a `Stalls` of its own: it says when it watches, and once told to (a line on
# its standard input), how long it stood still since, and how long it ran.
WATCHED = """
import sys, time
from tests.standins.stalls import Stalls
stalls = Stalls()
stalls.start()
since = time.monotonic()
print("watching", flush=True)
sys.stdin.readline()
print(stalls.stood_still(since), stalls.running(since), flush=True)
"""


@pytest.fixture
def stalls() -> Iterator[Stalls]:
    watching = Stalls()
    watching.start()
    yield watching
    watching.close()


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs POSIX job control")
def test_the_time_the_system_stopped_a_process_is_left_out_even_as_it_resumes() -> None:
    """Another process is stopped for a second, as an overloaded machine does not schedule it,
    and asked at once as it goes on, before its watching thread has woken."""
    watched = subprocess.Popen(
        [sys.executable, "-c", WATCHED], cwd=ROOT, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert watched.stdout is not None and watched.stdin is not None
        assert watched.stdout.readline().strip() == "watching"
        os.kill(watched.pid, signal.SIGSTOP)
        try:
            time.sleep(1)
            watched.stdin.write("now\n")
            watched.stdin.flush()
        finally:
            os.kill(watched.pid, signal.SIGCONT)
        still, ran = map(float, watched.stdout.readline().split())
    finally:
        watched.kill()
        watched.wait()

    assert still > 0.5
    assert ran < 0.5


def test_a_stand_still_the_watching_thread_has_not_woken_from_yet_counts() -> None:
    """Asked as the process goes on again, before its watching thread has run: the gap since
    the thread last woke counts already (on CI the bot's callback came first). A `Stalls` not
    started is one whose thread never woke again."""
    asleep = Stalls()
    since = time.monotonic()
    time.sleep(0.6)  # no processor time used: as when the process was not scheduled

    assert asleep.stood_still(since) > 0.3


def test_an_event_loop_kept_busy_in_python_is_not_standing_still(stalls: Stalls) -> None:
    since, cpu = time.monotonic(), time.process_time()
    while time.monotonic() < since + 1.0:  # Python code holding the thread, a blocking call
        pass

    assert stalls.stood_still(since) <= off_the_processor(since, cpu) + SLACK


def test_an_event_loop_kept_busy_in_c_is_not_standing_still(stalls: Stalls) -> None:
    """A long call into C holds the interpreter: the watching thread wakes late, but the
    process was on the processor all along."""
    numbers = list(range(3_000_000, 0, -1))
    since, cpu = time.monotonic(), time.process_time()
    while time.monotonic() < since + 1.0:
        sorted(numbers, key=str)  # a single call that holds the interpreter throughout

    assert stalls.stood_still(since) <= off_the_processor(since, cpu) + SLACK


def off_the_processor(since: float, cpu: float) -> float:
    """How long this process was off the processor since `since` (its processor time then
    `cpu`): on a busy machine, a busy process is left out for that part only."""
    return max(0.0, time.monotonic() - since - (time.process_time() - cpu))
