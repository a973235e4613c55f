"""Notices in a listened call's chat (a member joined, and whether they are transcribed): one
message at a time per call, and those that come while one is being sent go together in the
next, so a burst of joins is one message under Discord's rate limits, however many join.
Whom to tell, and how often, is the core's
(`core.app.listening.live_transcription.Listening.arrived`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from bots.discord.answers.discord_replies import MESSAGE_LIMIT
from core.ports import background_tasks

__all__ = ["Notices"]


class Notices:
    def __init__(self, post: Callable[[str], Awaitable[object]]) -> None:
        self._post = post
        self.pending: list[str] = []  # waiting for the message being sent
        self._sending: asyncio.Task[None] | None = None
        self._closed = False

    def add(self, line: str) -> None:
        """Post `line` with the others waiting, once the message being sent is sent."""
        if self._closed:
            return
        self.pending.append(line)
        if self._sending is None or self._sending.done():
            self._sending = background_tasks.start(self._send(), name="listening notices")

    async def _send(self) -> None:
        while self.pending and not self._closed:
            lines = _one_message(self.pending)
            del self.pending[: len(lines)]
            await self._post("\n".join(lines))

    async def close(self) -> None:
        """Nothing more posted; a message being sent is let finish."""
        self._closed = True
        self.pending.clear()
        if self._sending is not None:
            with contextlib.suppress(Exception):
                await self._sending


def _one_message(lines: list[str]) -> list[str]:
    """The first lines that fit in one message."""
    taken, size = 0, -1
    for line in lines:
        size += len(line) + 1
        if taken and size > MESSAGE_LIMIT:
            break
        taken += 1
    return lines[:taken]
