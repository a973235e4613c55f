"""A circuit breaker for MiMo: stop calling an API that keeps failing, and try again after a pause.

    closed ──(`failures` calls in a row fail)──> open ──(`cooldown` seconds)──> half-open
      ^                                           ^                               │
      │                                           └──────(the trial call fails)───┤
      └───────────────────────────────────────────(the trial call succeeds)───────┘

- Closed: calls go through. A call that fails because MiMo is unwell adds one to a count; any
  other outcome (an answer, or a refusal such as 400 or 401: MiMo is up) sets it back to zero.
- Open: calls fail at once with `MimoCircuitOpen`, which says when to try again; nothing is sent.
- Half-open: the first call after the cooldown is the trial; others fail at once while it runs.

"Unwell" is `MimoUnavailable` (5xx, timeouts, refused or broken connections) and `MimoBadResponse`
(answers that cannot be read), both as they come out of the wire, after its retries. A call that
ends for a reason of its own (cancelled) counts for nothing. Calls started before the breaker
opened do not change it when they end: only the trial decides.

One breaker belongs to one `MimoWire`, so to one process; the event loop runs its state changes
one at a time, so it needs no lock. `clock` is injectable: tests move time by hand.
"""

from __future__ import annotations

import enum
import logging
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from core.domain.errors import MimoBadResponse, MimoCircuitOpen, MimoError, MimoUnavailable
from core.domain.quantities import waiting

logger = logging.getLogger(__name__)

__all__ = ["CircuitBreaker", "State"]


class State(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class Outcome(enum.Enum):
    ANSWERED = "answered"  # MiMo answered, even if only to refuse
    UNWELL = "unwell"  # MiMo failed in a way that says it is unwell
    UNKNOWN = "unknown"  # the call ended for a reason of its own; counts for nothing


def mimo_outcome(error: BaseException) -> Outcome:
    """What an exception ending a MiMo call says about MiMo's health."""
    if isinstance(error, MimoUnavailable | MimoBadResponse):
        return Outcome.UNWELL
    # GeneratorExit: the reader of a stream stopped early, while MiMo was still answering.
    if isinstance(error, MimoError | GeneratorExit):
        return Outcome.ANSWERED
    return Outcome.UNKNOWN


class CircuitBreaker:
    """Counts consecutive unwell calls; `failures=0` turns the breaker off."""

    def __init__(
        self,
        *,
        failures: int = 5,
        cooldown: float = 30.0,
        classify: Callable[[BaseException], Outcome] = mimo_outcome,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures = failures
        self.cooldown = cooldown
        self._classify = classify
        self._clock = clock
        self._state = State.CLOSED
        self._count = 0
        self._opened_at = 0.0
        self._trial_running = False

    def __repr__(self) -> str:
        return f"CircuitBreaker(state={self.state.value}, failures={self._count}/{self.failures})"

    @property
    def state(self) -> State:
        """The state a call arriving now would meet (open becomes half-open once cooled down)."""
        if self._state is State.OPEN and self._cooled_down():
            return State.HALF_OPEN
        return self._state

    @contextmanager
    def call(self) -> Iterator[None]:
        """Guard one call: raises `MimoCircuitOpen` at once when open, else runs the block and
        records how it ended."""
        trial = self._admit()
        try:
            yield
        except BaseException as error:
            self._settle(trial, self._classify(error), error)
            raise
        self._settle(trial, Outcome.ANSWERED, None)

    def _admit(self) -> bool:
        """Whether the call is the half-open trial; raises when it may not go through."""
        if self.failures <= 0 or self._state is State.CLOSED:
            return False
        if self._state is State.OPEN:
            if not self._cooled_down():
                left = self._opened_at + self.cooldown - self._clock()
                raise self._refusal(left)
            self._state = State.HALF_OPEN
            logger.debug("MiMo circuit half-open: the next call is a trial")
        if self._trial_running:
            raise self._refusal(self.cooldown)
        self._trial_running = True
        return True

    def _settle(self, trial: bool, outcome: Outcome, error: BaseException | None) -> None:
        if trial:
            self._trial_running = False
            if outcome is Outcome.ANSWERED:
                self._close()
            elif outcome is Outcome.UNWELL:
                self._open()
                logger.warning(
                    "MiMo is still failing (%s); not calling it for another %.0f s",
                    error,
                    self.cooldown,
                )
            return
        if self.failures <= 0 or self._state is not State.CLOSED:
            return  # off, or a call that started before the breaker opened
        if outcome is Outcome.ANSWERED:
            self._count = 0
        elif outcome is Outcome.UNWELL:
            self._count += 1
            if self._count >= self.failures:
                self._open()
                logger.warning(
                    "MiMo failed %d calls in a row (last: %s); not calling it for %.0f s",
                    self._count,
                    error,
                    self.cooldown,
                )

    def _open(self) -> None:
        self._state = State.OPEN
        self._opened_at = self._clock()

    def _close(self) -> None:
        self._state = State.CLOSED
        self._count = 0
        logger.info("MiMo answers again; calls go through as usual")

    def _cooled_down(self) -> bool:
        return self._clock() - self._opened_at >= self.cooldown

    def _refusal(self, seconds_left: float) -> MimoCircuitOpen:
        seconds = max(1, math.ceil(seconds_left))
        return MimoCircuitOpen(
            f"not calling MiMo for {seconds} s after repeated failures",
            wait=waiting(timedelta(seconds=seconds)),
        )
