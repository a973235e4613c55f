"""Telegram's flood limits, with chat actions kept from delaying replies in groups.

Telegram lets a bot send about 20 messages a minute to one group, and python-telegram-bot's
`AIORateLimiter` counts every request to a group against that budget, "typing…" included. A
chat action refreshed every few seconds during long work would take turns from the replies
themselves. So in a group a chat action is sent only while the last minute left most of the
budget unused, and otherwise skipped: it is a courtesy, the reply is the point.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

GROUP_MESSAGES_PER_MINUTE = 20  # AIORateLimiter's default, Telegram's documented advice
# A chat action goes only while fewer requests than this went to the group in the last minute.
ACTION_CEILING = GROUP_MESSAGES_PER_MINUTE // 2
_WINDOW_SECONDS = 60.0
_MOST_GROUPS_TRACKED = 1024

Json = dict[str, Any]


class SparingRateLimiter(AIORateLimiter):
    """`AIORateLimiter` whose chat actions in a group use only the budget replies leave spare."""

    def __init__(self, *, max_retries: int, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(max_retries=max_retries)
        self._clock = clock
        self._recent: dict[int, deque[float]] = {}  # group: when its requests went, last minute

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | Json | list[Json]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | Json | list[Json]:
        group = _group_of(data)
        if group is not None:
            recent = self._requests_in_last_minute(group)
            if endpoint == "sendChatAction" and len(recent) >= ACTION_CEILING:
                return True  # what Telegram answers to a chat action
            recent.append(self._clock())
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )

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


def _group_of(data: dict[str, Any]) -> int | None:
    """The group a request goes to (groups have negative ids), if it goes to one."""
    try:
        chat_id = int(data.get("chat_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return chat_id if chat_id < 0 else None
