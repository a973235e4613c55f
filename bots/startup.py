"""Reaching a chat platform at start-up, when the network may not be there yet.

A bot started with its machine (systemd before the network is up, a container before its DNS) or
during a platform's bad minute should wait for it, not die with a traceback; one that cannot
reach it for a minute says so in one line and exits, for its supervisor to restart it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_delay
from tenacity.wait import wait_exponential

from core.domain.errors import StartupError

logger = logging.getLogger(__name__)

T = TypeVar("T")
PATIENCE_SECONDS = 60.0


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
    `first_wait` (1 s), then twice as long each time up to 15 s between tries, for about
    `patience` seconds; then `StartupError` naming `setting`, the URL to check. Other errors (a
    refused token) are not retried."""

    def waiting(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        pause = state.next_action.sleep if state.next_action else 0
        logger.warning(
            "%s is not reachable (%s); trying again in %.0f s", platform, _reason(error), pause
        )

    retrying = AsyncRetrying(
        retry=retry_if_exception_type(transient),
        wait=wait_exponential(multiplier=first_wait, max=15),
        stop=stop_after_delay(patience),
        before_sleep=waiting,
        reraise=True,
    )
    try:
        async for attempt in retrying:
            with attempt:
                return await connect()
    except transient as exc:
        raise StartupError(
            f"cannot reach {platform} ({_reason(exc)}); check the network and {setting}"
        ) from None
    raise AssertionError("unreachable: tenacity either returns or raises")


def _reason(error: BaseException | None) -> str:
    """The error in a few words: its type, and its message when it has one (these are network
    errors, whose messages name hosts and causes, not tokens; logs are redacted regardless)."""
    if error is None:
        return "no answer"
    message = str(error).strip()
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
