"""Discord's global limit, kept: at most 50 requests a second with the bot token, all channels
together. discord.py only reacts to a 429, sleeping its `retry_after` and trying again, five
times at most; a burst past the limit (a hundred voice messages transcribed at once, each
showing "typing…") sent every retry into the same crowded second, and some replies ran out of
tries and were lost (bench/RESULTS.md, section 3). So every request waits for room here first,
and "typing…", a courtesy, goes only while the budget is spare.

Interaction and webhook routes, authorised by the interaction's token, do not count against the
limit (Discord's docs, "Rate Limits"), and an interaction has 3 seconds to be answered: they go
at once.
"""

from __future__ import annotations

from aiolimiter import AsyncLimiter

__all__ = ["PER_SECOND", "NoRoomSpare", "RequestPace"]

PER_SECOND = 40.0  # under Discord's 50, for the gateway's own calls and a clock's drift
BURST = 5  # requests that may go at once: within any second, at most PER_SECOND + BURST
UNCOUNTED = ("/interactions/", "/webhooks/")
COURTESY = "/typing"  # worth sending only at once: never queued behind a reply, or ahead of one


class NoRoomSpare(Exception):
    """A courtesy (a typing indicator) found no request to spare: it is not sent."""


class RequestPace:
    """The bot's budget of requests a second (`PER_SECOND`), shared by every request it makes."""

    def __init__(self, per_second: float = PER_SECOND, *, burst: int = BURST) -> None:
        self._limiter = AsyncLimiter(burst, burst / per_second)

    async def wait_for_room(self, path: str) -> None:
        """Wait until a request to `path` may go: at once for interactions and webhooks; a
        courtesy only if it may go now, else `NoRoomSpare`. The check and the taking of the
        room happen together, so a hundred typing indicators due at once cannot all see the
        same spare room and then queue ahead of the replies."""
        if path.startswith(UNCOUNTED):
            return
        if path.endswith(COURTESY) and not self._limiter.has_capacity():
            raise NoRoomSpare(path)
        await self._limiter.acquire()  # with capacity, it takes its room without waiting
