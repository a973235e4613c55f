"""The stand-ins' `Stalls`: a process the system stopped stood still; a busy one did not.

Discord's stand-in leaves out of its 3 seconds only the time in which the test process did not
run (CI, 29 November: a command deferred in milliseconds on every other run came 3 s late);
a bot that keeps its own event loop busy must still be late."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.standins.stalls import GAP, Stalls


@pytest.fixture
def stalls() -> Iterator[Stalls]:
    watching = Stalls()
    watching.start()
    yield watching
    watching.close()


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs POSIX job control")
def test_the_time_the_system_stopped_the_process_is_left_out(stalls: Stalls) -> None:
    since = time.monotonic()
    # Another process stops this one, as an overloaded machine does not schedule it, then
    # lets it go on a second later.
    subprocess.run(
        ["sh", "-c", f"kill -STOP {os.getpid()}; sleep 1; kill -CONT {os.getpid()}"], check=True
    )
    deadline = time.monotonic() + 10
    while not stalls.stood_still(since) and time.monotonic() < deadline:
        time.sleep(0.01)  # the watching thread notes the gap once it runs again

    assert stalls.stood_still(since) > 0.5
    assert stalls.running(since) < time.monotonic() - since - 0.5


def test_a_busy_event_loop_is_not_standing_still(stalls: Stalls) -> None:
    since = time.monotonic()
    busy_until = since + 4 * GAP
    while time.monotonic() < busy_until:  # Python code holding the thread, as a blocking call
        pass
    time.sleep(0.1)  # the watching thread looks once more

    assert stalls.stood_still(since) < GAP
    assert stalls.running(since) >= 4 * GAP - GAP
