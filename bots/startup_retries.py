"""Reaching a chat platform at start-up, when the network may not be there yet.

A bot started with its machine (systemd before the network is up, a container before its DNS) or
during a platform's bad minute should wait for it, not die with a traceback; one that cannot
reach it for a minute says so in one line and exits, for its supervisor to restart it. A stop
asked for meanwhile (Ctrl-C, a service manager's SIGTERM) does not wait with it: start-up is
given up at once (`given_up_when`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type
from tenacity.wait import wait_exponential

from core.domain.errors import StartupError
from core.ports import background_tasks

logger = logging.getLogger(__name__)

__all__ = [
    "PATIENCE_SECONDS",
    "StoppedWhileStarting",
    "Unreachable",
    "all_unreachable",
    "given_up_when",
    "reach",
]

T = TypeVar("T")
PATIENCE_SECONDS = 60.0
# A service that has not answered this long is named in the log, once, while the start waits on.
NOTICE_SECONDS = 5.0
# A try made as the patience runs out still gets this long for its answer.
LAST_TRY_SECONDS = 0.5


async def reach(
    platform: str,
    connect: Callable[[], Awaitable[T]],
    *,
    transient: tuple[type[BaseException], ...],
    setting: str,
    patience: float = PATIENCE_SECONDS,
    first_wait: float = 1.0,
) -> T:
    """`connect()`, tried again while it fails with a `transient` (network) error, waiting
    `first_wait` (1 s), then twice as long each time up to 15 s between tries, for `patience`
    seconds and no longer: the last wait is cut to the time left, and a try still waiting for
    an answer then is given up. Then `Unreachable` naming `setting`, the URL to check. Other
    errors (a refused token) are not retried.

    A try still waiting for its answer after `NOTICE_SECONDS` (or a quarter of the patience,
    when that is shorter) is said once in the log, naming `platform` and `setting`: a service
    that accepts the connection and never answers would otherwise keep the start silent."""
    deadline = time.monotonic() + patience
    notice = min(NOTICE_SECONDS, patience / 4)
    noticed = False

    def still_waiting() -> None:
        nonlocal noticed
        if not noticed:
            noticed = True
            logger.warning(
                "still waiting for %s to answer after %g s (check %s); trying for up to %g s",
                platform, notice, setting, patience,
            )  # fmt: skip

    def left() -> float:
        return max(0.0, deadline - time.monotonic())

    def waiting(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        pause = state.next_action.sleep if state.next_action else 0
        logger.warning(
            "%s is not reachable (%s); trying again in %.1f s", platform, _reason(error), pause
        )

    async def one_try() -> T:
        limit = asyncio.timeout(max(left(), LAST_TRY_SECONDS))
        waiting = asyncio.get_running_loop().call_later(notice, still_waiting)
        try:
            async with limit:
                return await connect()
        except TimeoutError:
            if limit.expired():
                raise NoAnswer(f"no answer in {patience:g} s") from None
            raise
        finally:
            waiting.cancel()

    retried: tuple[type[BaseException], ...] = (*transient, NoAnswer)
    longer = wait_exponential(multiplier=first_wait, max=15)
    retrying = AsyncRetrying(
        retry=retry_if_exception_type(retried),
        wait=lambda state: min(longer(state), left()),
        stop=lambda _state: left() <= 0,
        before_sleep=waiting,
        reraise=True,
    )
    try:
        async for attempt in retrying:
            with attempt:
                return await one_try()
    except retried as exc:
        raise Unreachable(platform, reason=_reason(exc), setting=setting) from None
    raise AssertionError("unreachable: tenacity either returns or raises")


class NoAnswer(Exception):
    """A try was still waiting for an answer when the patience ran out."""


class Unreachable(StartupError):
    """`what` stayed out of reach for the patience; `setting` is where its address is set."""

    def __init__(self, what: str, *, reason: str, setting: str) -> None:
        super().__init__(f"cannot reach {what} ({reason}); check the network and {setting}")
        self.what, self.reason, self.setting = what, reason, setting


def all_unreachable(errors: Sequence[Unreachable]) -> StartupError:
    """One line for several platforms out of reach: each with its cause, then every setting."""
    if len(errors) == 1:
        return errors[0]
    each = " or ".join(f"{error.what} ({error.reason})" for error in errors)
    settings = [error.setting for error in errors]
    named = f"{', '.join(settings[:-1])} and {settings[-1]}"
    return StartupError(f"cannot reach {each}; check the network, {named}")


def _reason(error: BaseException | None) -> str:
    """The error in a few words: its type, and its message when it has one (these are network
    errors, whose messages name hosts and causes, not tokens; logs are redacted regardless)."""
    if error is None:
        return "no answer"
    message = str(error).strip()
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


class StoppedWhileStarting(Exception):
    """`stop` came while the database or a platform was still being reached."""


@asynccontextmanager
async def given_up_when(stop: asyncio.Event) -> AsyncIterator[None]:
    """The block, cancelled the moment `stop` is set: start-up waits for networks (a platform,
    PostgreSQL) for up to `PATIENCE_SECONDS`, and a service manager's SIGTERM must not wait with
    it. Once the block is over, `stop` drains the running bots instead (`bots.platform_runner`)."""
    task = asyncio.current_task()
    assert task is not None
    stopped = False

    def cancel(_: object) -> None:
        nonlocal stopped
        stopped = True
        task.cancel()

    watcher = background_tasks.start(stop.wait(), name="stop watch", awaited=True)
    watcher.add_done_callback(cancel)
    try:
        yield
    except asyncio.CancelledError:
        if stopped and task.uncancel() == 0:
            raise StoppedWhileStarting from None
        raise
    finally:
        watcher.remove_done_callback(cancel)
        watcher.cancel()
