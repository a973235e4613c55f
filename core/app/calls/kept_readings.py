"""The channel readings, kept in the database while they last, so that the process that next
holds a server takes its reading up after a deploy or a crash (`core.app.reader.channel_reader`
decides when; this keeps and reads).

    keep     a reading started, switched to another text channel, or moved: its state
             (`core.domain.live_calls.KeptReading`) saved, replacing any kept before
    read     a message's turn came (before its clip plays): the next start reads from the one
             after it. A message cut by a crash or a stop as it played is therefore not read
             again: a reading never reads one message twice
    alive    while it runs, every `ALIVE_SECONDS`, and as the process stops for a deploy
    gone     the reading ended (/stop, everyone gone, idle, the quota, the channel gone)

A failure to store is logged and costs only the resume, never the reading.

Whether a server has anything kept is asked as each server becomes available at a start, a
thousand at once for a bot in a thousand servers: `KeptServers` answers from one read of the
servers with a call or a reading kept, read again once `FRESH_SECONDS` old (a shard taken over
from a process that died is read afresh), so that a server with nothing kept costs no query.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from core.domain.live_calls import KeptReading
from core.domain.values import ChatRef
from core.ports import Clock, ReadingUnitOfWork

logger = logging.getLogger(__name__)

FRESH_SECONDS = 2.0  # how long one read of the servers with something kept answers


class KeptServers:
    """The servers with a call or a reading kept (module docstring)."""

    def __init__(self, uow: Callable[[], ReadingUnitOfWork]) -> None:
        self._uow = uow
        self._read: dict[str, tuple[float, set[ChatRef]]] = {}  # by platform: when, which
        self._reading = asyncio.Lock()

    async def may_hold(self, server: ChatRef) -> bool:
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


class KeptReadings:
    """The channel readings kept while they last (see the module docstring)."""

    def __init__(
        self, *, uow: Callable[[], ReadingUnitOfWork], clock: Clock,
        servers: KeptServers | None = None,
    ) -> None:  # fmt: skip
        self._uow, self.clock = uow, clock
        self.servers = servers or KeptServers(uow)

    async def keep(self, reading: KeptReading) -> None:
        self.servers.kept(reading.server)
        try:
            async with self._uow() as uow:
                await uow.live_readings.save(reading)
                await uow.commit()
        except Exception:
            logger.warning("could not keep the reading in %s", reading.server, exc_info=True)

    async def read(self, server: ChatRef, message_id: str) -> None:
        try:
            async with self._uow() as uow:
                await uow.live_readings.read(server, message_id, self.clock.now())
                await uow.commit()
        except Exception:
            logger.warning("could not keep the reading's place in %s", server, exc_info=True)

    async def alive(self, server: ChatRef) -> None:
        try:
            async with self._uow() as uow:
                await uow.live_readings.alive(server, self.clock.now())
                await uow.commit()
        except Exception:
            logger.warning("could not mark the reading in %s alive", server, exc_info=True)

    async def gone(self, server: ChatRef) -> None:
        try:
            async with self._uow() as uow:
                await uow.live_readings.delete(server)
                await uow.commit()
        except Exception:
            logger.warning("could not let go of the reading kept in %s", server, exc_info=True)

    async def find(self, server: ChatRef) -> KeptReading | None:
        if not await self.servers.may_hold(server):
            return None
        try:
            async with self._uow() as uow:
                return await uow.live_readings.get(server)
        except Exception:
            logger.warning("could not read the reading kept in %s", server, exc_info=True)
            return None
