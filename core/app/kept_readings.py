"""The channel readings, kept in the database while they last, so that the process that next
holds a server takes its reading up after a deploy or a crash (`core.app.channel_reader`
decides when; this keeps and reads).

    keep     a reading started, switched to another text channel, or moved: its state
             (`core.domain.live_calls.KeptReading`) saved, replacing any kept before
    read     a message's turn came (before its clip plays): the next start reads from the one
             after it. A message cut by a crash or a stop as it played is therefore not read
             again: a reading never reads one message twice
    alive    while it runs, every `ALIVE_SECONDS`, and as the process stops for a deploy
    gone     the reading ended (/stop, everyone gone, idle, the quota, the channel gone)

A failure to store is logged and costs only the resume, never the reading.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from core.domain.live_calls import KeptReading
from core.domain.values import ChatRef
from core.ports import Clock, ReadingUnitOfWork

logger = logging.getLogger(__name__)


class KeptReadings:
    """The channel readings kept while they last (see the module docstring)."""

    def __init__(self, *, uow: Callable[[], ReadingUnitOfWork], clock: Clock) -> None:
        self._uow, self.clock = uow, clock

    async def keep(self, reading: KeptReading) -> None:
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
        try:
            async with self._uow() as uow:
                return await uow.live_readings.get(server)
        except Exception:
            logger.warning("could not read the reading kept in %s", server, exc_info=True)
            return None
