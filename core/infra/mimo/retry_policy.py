"""The one retry policy of every MiMo call, applied by the wire and nowhere else.

429, 500, 502, 503, 504, timeouts and transport errors (`Transient`) are retried up to
`max_retries` times with exponential jittered backoff, or after `Retry-After` seconds when the
answer has one. The whole call, all attempts and waits included, stays inside its deadline: no
retry starts whose wait would end past it. `RetryPolicy` holds the backoff numbers, the sleep and
the clock, so tests can swap in fakes.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type
from tenacity.wait import wait_exponential, wait_random

from core.domain.errors import MimoError

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_RETRY_POLICY",
    "RETRYABLE",
    "RetryPolicy",
    "Retrying",
    "Transient",
    "retry_after",
]

T = TypeVar("T")

RETRYABLE = frozenset({429, 500, 502, 503, 504})  # statuses a retry may help


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff between attempts. Tests pass a `sleep` and `clock` that do not really wait."""

    initial_wait: float = 0.5  # seconds before the first retry, doubling after each one
    max_wait: float = 8.0
    jitter: float = 0.5  # up to this many seconds added at random, so clients do not stampede
    retry_after_cap: float = 30.0  # a longer Retry-After is shortened to this
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], float] = time.monotonic


class Transient(Exception):
    """An attempt failed in a way worth retrying; carries the error to raise if we give up."""

    def __init__(self, error: MimoError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


DEFAULT_RETRY_POLICY = RetryPolicy()


class Retrying:
    """Attempts of one call under `policy`, at most `max_retries` retries."""

    def __init__(self, *, policy: RetryPolicy, max_retries: int) -> None:
        self.policy = policy
        self._max_retries = max_retries
        self._backoff = wait_exponential(
            multiplier=policy.initial_wait, max=policy.max_wait
        ) + wait_random(0, policy.jitter)

    async def run(self, attempt: Callable[[], Awaitable[T]], deadline: float) -> T:
        """`attempt` until it succeeds, fails for good, or time runs out; a `Transient` failure
        is retried, and the error it carries raised once it is not."""
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(Transient),
            stop=self._stop_at(deadline),
            wait=self._wait,
            sleep=self.policy.sleep,
            before_sleep=_log_retry,
            reraise=True,
        )
        try:
            async for state in retrying:
                with state:
                    return await attempt()
        except Transient as exc:
            raise exc.error from exc.__cause__
        raise AssertionError("tenacity stopped without an outcome")  # pragma: no cover

    def _stop_at(self, deadline: float) -> Callable[[RetryCallState], bool]:
        def stop(state: RetryCallState) -> bool:
            # tenacity computes the wait before asking whether to stop (tenacity >= 8.4).
            out_of_time = self.policy.clock() + state.upcoming_sleep >= deadline
            return state.attempt_number > self._max_retries or out_of_time

        return stop

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, Transient) and error.retry_after is not None:
            return min(error.retry_after, self.policy.retry_after_cap)
        return float(self._backoff(state))


def retry_after(response: httpx.Response) -> float | None:
    """`Retry-After` in seconds, from either its seconds or its HTTP-date form."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    logger.warning(
        "MiMo call failed (%s); retry %d in %.1f s",
        error,
        state.attempt_number,
        state.upcoming_sleep,
    )
