"""Telegram dropping while the bot runs, said in the log as an operator reads it.

python-telegram-bot polls again by itself when `getUpdates` fails, and by default logs each
failure with its whole traceback (about 110 lines a try). Here every failed poll is one WARNING
line with the cause and the wait before the next, and the first poll that is answered again one
INFO line; `error_callback` is then left with nothing to say.

It also tells `arrived` of each batch of updates the moment Telegram's answer is read, before
python-telegram-bot queues the first of them (`bots.telegram.application.pending_updates`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any
from weakref import WeakKeyDictionary

from telegram.error import TelegramError, TimedOut
from telegram.ext import Application
from telegram.request import HTTPXRequest

logger = logging.getLogger(__name__)

__all__ = ["POLLING", "WatchedPolling"]

# python-telegram-bot's own backoff for a failed poll (`network_retry_loop`), which it does not
# tell: 1 s, then half as long again each time, at most 30 s; a timeout is polled again at once.
FIRST_WAIT, GROWTH, LONGEST_WAIT = 1.0, 1.5, 30.0


class WatchedPolling(HTTPXRequest):
    """The connection `getUpdates` runs on (one, as python-telegram-bot's own), saying when
    polling fails and when it works again. A failure Telegram's answer carries (a 502 from its
    front) reaches `failed`, python-telegram-bot's error callback; one the connection raises
    (refused, reset, no answer in time) is seen here."""

    def __init__(
        self,
        *,
        httpx_kwargs: dict[str, Any] | None = None,
        arrived: Callable[[Sequence[object]], None] | None = None,
    ) -> None:
        super().__init__(1, httpx_kwargs=httpx_kwargs)
        self._arrived = arrived
        self._wait = 0.0  # before the next poll, as python-telegram-bot reckons it
        self._failed = 0  # polls in a row

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            status, payload = await super().do_request(*args, **kwargs)
        except TimedOut as error:  # polled again at once, without the error callback
            self._wait = 0.0
            self._note(error)
            raise
        if status == HTTPStatus.OK:
            if self._failed:
                logger.info("Telegram answers again, after %d failed polls", self._failed)
            self._wait, self._failed = 0.0, 0
            if self._arrived is not None:
                self._arrived(_updates_in(payload))
        return status, payload

    def failed(self, error: TelegramError) -> None:
        """python-telegram-bot's error callback (`start_polling`): any failure but a timeout,
        after which it waits 1 s, then half as long again each time, at most 30 s."""
        self._wait = FIRST_WAIT if self._wait == 0 else min(LONGEST_WAIT, GROWTH * self._wait)
        self._note(error)

    def _note(self, error: TelegramError) -> None:
        self._failed += 1
        logger.warning(
            "Telegram polling failed (%s); polling again in %.1f s (failure %d in a row)",
            _reason(error),
            self._wait,
            self._failed,
        )


def _updates_in(payload: bytes) -> list[object]:
    """The updates of a `getUpdates` answer, raw; none where it holds none (or no JSON)."""
    try:
        answer = json.loads(payload)
    except ValueError:
        return []
    result = answer.get("result") if isinstance(answer, dict) else None
    return result if isinstance(result, list) else []


def _reason(error: TelegramError) -> str:
    """The error's type and message, and what the network said underneath it (a refused
    connection, a DNS failure), all on one line."""
    cause = error.__cause__ or error.__context__
    words = f"{type(error).__name__}: {error.message}"
    if cause is not None and str(cause) and str(cause) not in words:
        words += f" ({type(cause).__name__}: {cause})"
    return " ".join(words.split())


# Each application's polling connection, which `update_delivery.polling` hands its failures to.
POLLING: WeakKeyDictionary[Application, WatchedPolling] = WeakKeyDictionary()  # type: ignore[type-arg]
