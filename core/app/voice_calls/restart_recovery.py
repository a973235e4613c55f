"""What outlives a restart, for the calls (`core.app.listening.kept_calls`) and the channel
readings (`core.app.channel_reader.reading_resumption`) alike:

    stored   each write and read of what is kept in a unit of work of its own; a failure is
             logged and costs only the resume, never the call or the reading (`KeptStore`)
    servers  whether a server has anything kept at all, from one read for many (`KeptServers`)
    take up  the one way a kept call or reading is taken up once the platform shows this
             process its server (`take_up`): what is kept found, ended where a rule or the
             time away refuses it, else started again, and ended likewise where that fails
    window   how long either may be away and still be taken up: one window for both,
             CALL_RESUME_WITHIN (`RESUME_WITHIN` for a use case built bare: the
             setting's default)

Whether a server has anything kept is asked as each server becomes available at a start, a
thousand at once for a bot in a thousand servers: `KeptServers` answers from one read of the
servers with a call or a reading kept, read again once `FRESH_SECONDS` old (a shard taken over
from a process that died is read afresh), so that a server with nothing kept costs no query.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from core.domain.shared_values import ChatRef
from core.ports import ReadingUnitOfWork

logger = logging.getLogger(__name__)

__all__ = ["RESUME_WITHIN", "KeptServers", "KeptStore", "take_up"]

FRESH_SECONDS = 2.0  # how long one read of the servers with something kept answers
# CALL_RESUME_WITHIN, for listened calls and readings alike: away longer, either is ended.
RESUME_WITHIN = timedelta(minutes=10)

T = TypeVar("T")


class KeptStore:
    """What is kept for a restart, stored or logged (module docstring)."""

    def __init__(self, uow: Callable[[], ReadingUnitOfWork]) -> None:
        self._uow = uow

    async def write(
        self, change: Callable[[ReadingUnitOfWork], Awaitable[object]], *, failing: str
    ) -> None:
        """`change` made and committed; where it fails, "could not `failing`" is logged."""
        try:
            async with self._uow() as uow:
                await change(uow)
                await uow.commit()
        except Exception:
            logger.warning("could not %s", failing, exc_info=True)

    async def read(
        self, get: Callable[[ReadingUnitOfWork], Awaitable[T]], *, failing: str, default: T
    ) -> T:
        """What `get` reads; `default` where it fails ("could not `failing`" logged)."""
        try:
            async with self._uow() as uow:
                return await get(uow)
        except Exception:
            logger.warning("could not %s", failing, exc_info=True)
            return default


class KeptServers:
    """The servers with a call or a reading kept (module docstring)."""

    def __init__(self, uow: Callable[[], ReadingUnitOfWork]) -> None:
        self._uow = uow
        self._read: dict[str, tuple[float, set[ChatRef]]] = {}  # by platform: when, which
        self._reading = asyncio.Lock()

    async def may_have_kept(self, server: ChatRef) -> bool:
        """False where nothing is kept in `server` (True where it cannot be told)."""
        async with self._reading:  # the servers arriving together wait for one read
            read = self._read.get(server.platform)
            if read is None or time.monotonic() - read[0] > FRESH_SECONDS:
                try:
                    async with self._uow() as uow:
                        servers = await uow.live_calls.servers(server.platform)
                        servers |= await uow.live_readings.servers(server.platform)
                except Exception:
                    logger.warning("could not read the servers with a call kept", exc_info=True)
                    return True
                read = self._read[server.platform] = (time.monotonic(), servers)
        return server in read[1]

    def kept(self, server: ChatRef) -> None:
        """Something was kept in `server` since the last read."""
        if (read := self._read.get(server.platform)) is not None:
            read[1].add(server)


class Kept(Protocol):
    """A call or a reading as kept while it lasts (`core.domain.listening.kept_call_values`)."""

    def away(self, now: datetime) -> timedelta: ...


K = TypeVar("K", bound=Kept)


async def take_up(
    kept: K | None,
    *,
    now: datetime,
    ready: Callable[[K, timedelta], Awaitable[Exception | None]],
    start: Callable[[K, timedelta], Awaitable[object]],
    ended: Callable[[K, timedelta, Exception, bool], Awaitable[None]],
) -> bool:
    """Take up `kept` (None: nothing to take up), away since it was last alive until `now`:
    ended (`ended`, told why, and that it was not started) where `ready` gives why not (a
    rule, its voice channel emptied meanwhile, away too long), else started again (`start`),
    and ended likewise where that raises (told that it was). False when it ended."""
    if kept is None:
        return False
    away = kept.away(now)
    if (why := await ready(kept, away)) is not None:
        await ended(kept, away, why, False)
        return False
    try:
        await start(kept, away)
    except Exception as exc:
        await ended(kept, away, exc, True)
        return False
    return True
