"""The stand-ins' `Stalls`: a process the system stopped stood still; a busy one did not.

Discord's stand-in leaves out of its 3 seconds only the time in which the test process did not
run (CI, 29 November: a command deferred in milliseconds on every other run came 3 s late);
a bot that keeps its own event loop busy, in Python or in C, must still be late (on a crowded
machine, but for the time it was off the processor). The clocks here are the test's: it moves
the wall clock and the processor time, and wakes the watching thread itself (`look`)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.standins.stalls import TICK, Stalls


@dataclass
class Clocks:
    """The wall clock and the process's processor time, as the test moves them."""

    wall: float = 100.0
    cpu: float = 10.0

    def passes(self, seconds: float, *, on_the_processor: float) -> None:
        self.wall += seconds
        self.cpu += on_the_processor


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
def stalls(clocks: Clocks) -> Stalls:
    return Stalls(wall=lambda: clocks.wall, cpu=lambda: clocks.cpu)  # its thread not started


def test_a_process_the_system_stopped_stood_still_all_that_time(
    clocks: Clocks, stalls: Stalls
) -> None:
    since = clocks.wall
    clocks.passes(1.0, on_the_processor=0.0)  # stopped: the watching thread woke a second late
    stalls.look()

    assert stalls.stood_still(since) == pytest.approx(1.0 - TICK)
    assert stalls.running(since) == pytest.approx(TICK)


def test_a_stand_still_the_watching_thread_has_not_woken_from_yet_counts(
    clocks: Clocks, stalls: Stalls
) -> None:
    """Asked as the process goes on again, before its watching thread has run: on CI the bot's
    acknowledgement came first."""
    since = clocks.wall
    clocks.passes(1.0, on_the_processor=0.0)

    assert stalls.stood_still(since) == pytest.approx(1.0 - TICK)


def test_a_call_into_c_holding_the_interpreter_is_not_standing_still(
    clocks: Clocks, stalls: Stalls
) -> None:
    """The watching thread wakes a second late, but the process was on the processor all
    along (a sort, a regular expression, a compiled library holding the interpreter)."""
    since = clocks.wall
    clocks.passes(1.0, on_the_processor=1.0)
    stalls.look()

    assert stalls.stood_still(since) == 0.0
    assert stalls.running(since) == pytest.approx(1.0)


def test_a_busy_process_on_a_crowded_machine_is_left_out_only_while_off_the_processor(
    clocks: Clocks, stalls: Stalls
) -> None:
    since = clocks.wall
    clocks.passes(1.0, on_the_processor=0.5)  # half a core
    stalls.look()

    assert stalls.stood_still(since) == pytest.approx((1.0 - TICK) * 0.5)


def test_a_thread_that_wakes_on_time_sees_no_stand_still(clocks: Clocks, stalls: Stalls) -> None:
    """Python code on the event loop, or an await, lets the watching thread run as it asks:
    the wakes come `TICK` apart, whatever the processor did meanwhile."""
    since = clocks.wall
    for _ in range(50):
        clocks.passes(TICK, on_the_processor=0.0)
        stalls.look()

    assert stalls.stood_still(since) == 0.0


def test_only_the_part_of_a_stand_still_after_since_counts(clocks: Clocks, stalls: Stalls) -> None:
    clocks.passes(1.0, on_the_processor=0.0)
    stalls.look()
    since = clocks.wall - 0.5  # the command came halfway through the stand-still

    assert stalls.stood_still(since) == pytest.approx(0.5)
