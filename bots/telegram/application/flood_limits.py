"""Telegram's flood limits, with chat actions kept from delaying replies.

Telegram lets a bot send about 30 messages a second to all chats together and 20 a minute to
one group, and python-telegram-bot's `AIORateLimiter` counts every request against those
budgets, "typing…" included. A chat action refreshed every few seconds during long work would
take room from the replies themselves: in a burst of a hundred voice notes, half the requests
were "typing…" (bench/RESULTS.md, section 3). So a chat action is sent only while the last
second left most of the bot's budget unused, and in a group only while the last minute left
most of the group's; otherwise it is skipped: it is a courtesy, the reply is the point.

A request Telegram answers with 429 is sent again after its retry_after, at most `MAX_RETRIES`
times, and then dropped.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

__all__ = ["ACTION_CEILING", "BUSY_CEILING", "MAX_RETRIES", "SparingRateLimiter"]

GROUP_MESSAGES_PER_MINUTE = 20  # AIORateLimiter's default, Telegram's documented advice
MESSAGES_PER_SECOND = 30  # all chats together: AIORateLimiter's default, Telegram's advice
# A chat action goes only while fewer requests than this went to the group in the last minute,
# and fewer than `BUSY_CEILING` to all chats in the last second.
ACTION_CEILING = GROUP_MESSAGES_PER_MINUTE // 2
BUSY_CEILING = MESSAGES_PER_SECOND // 2
MAX_RETRIES = 3  # times a request Telegram answered with 429 is sent again, then dropped
_WINDOW_SECONDS = 60.0
_MOST_GROUPS_TRACKED = 1024

Json = dict[str, Any]


class SparingRateLimiter(AIORateLimiter):
    """`AIORateLimiter` whose chat actions use only the budget replies leave spare."""

    def __init__(
        self, *, max_retries: int = MAX_RETRIES, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(max_retries=max_retries)
        self._clock = clock
        self._recent: dict[int, deque[float]] = {}  # group: when its requests went, last minute
        self._last_second: deque[float] = deque()  # when requests to any chat went

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | Json | list[Json]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | Json | list[Json]:
        chat = _chat_of(data)
        if chat is not None:
            if endpoint == "sendChatAction" and not self._spare(chat):
                return True  # what Telegram answers to a chat action
            self._count(chat)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )

    def _spare(self, chat: int) -> bool:
        """Whether the budgets a chat action in `chat` would take from have room to spare: the
        bot's last second, and a group's last minute."""
        since = self._clock() - 1.0
        while self._last_second and self._last_second[0] <= since:
            self._last_second.popleft()
        if len(self._last_second) >= BUSY_CEILING:
            return False
        return chat >= 0 or len(self._requests_in_last_minute(chat)) < ACTION_CEILING

    def _count(self, chat: int) -> None:
        now = self._clock()
        self._last_second.append(now)
        if chat < 0:
            self._requests_in_last_minute(chat).append(now)

    def _requests_in_last_minute(self, group: int) -> deque[float]:
        if len(self._recent) > _MOST_GROUPS_TRACKED:  # forget the quiet ones
            self._recent = {g: r for g, r in self._recent.items() if self._prune(r)}
        recent = self._recent.setdefault(group, deque())
        self._prune(recent)
        return recent

    def _prune(self, recent: deque[float]) -> bool:
        """Drop what is older than a minute; whether anything is left."""
        since = self._clock() - _WINDOW_SECONDS
        while recent and recent[0] <= since:
            recent.popleft()
        return bool(recent)


def _chat_of(data: dict[str, Any]) -> int | None:
    """The chat a request goes to (groups have negative ids), if it names one."""
    try:
        return int(data.get("chat_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
