"""The channel readings, kept in the database while they last, so that the process that next
holds a server takes its reading up after a deploy or a crash (`core.app.reader.channel_reader`
decides when; this keeps and reads).

    keep     a reading started, switched to another text channel, or moved: its state
             (`core.domain.live_calls.KeptReading`) saved, replacing any kept before, unless
             a /forget came, in any process, since the reading was asked for (or found again
             after a restart): its `mandate`, checked in the write's own transaction. Joining
             the voice channel takes seconds, and the /forget of those seconds deletes nothing
             yet, so the reading would otherwise be taken up after the next restart
    read     a message came up to be read (before its clip plays): the next start reads from the one
             after it. A message cut by a crash or a stop as it played is therefore not read
             again: a reading never reads one message twice
    alive    while it runs, every `ALIVE_SECONDS`, and as the process stops for a deploy
    gone     the reading ended (/stop, everyone gone, idle, the quota, the channel gone)

A failure to store is logged and costs only the resume, never the reading
(`core.app.running.restarts`, which also says whether a server has anything kept).
"""

from __future__ import annotations

from dataclasses import replace

from core.app.running.restarts import KeptServers, KeptStore
from core.domain.live_calls import KeptReading
from core.domain.mandates import Mandate
from core.domain.values import ChatRef
from core.ports import Clock, ReadingUnitOfWork

__all__ = ["KeptReadings"]


class KeptReadings:
    """The channel readings kept while they last (see the module docstring)."""

    def __init__(self, *, store: KeptStore, clock: Clock, servers: KeptServers) -> None:
        self._store, self.clock = store, clock
        self.servers = servers  # shared with the calls kept (`core.app.calls.kept_for_restart`)

    async def mandate(self, server: ChatRef) -> Mandate | None:
        """What a reading asked for now in `server` is kept under (None where it cannot be
        read: kept unchecked, as before mandates)."""
        return await self._store.read(
            lambda uow: uow.mandates.read(server),
            failing=f"read what the reading in {server} is kept under",
            default=None,
        )

    async def keep(self, reading: KeptReading) -> None:
        self.servers.kept(reading.server)
        await self._store.write(
            lambda uow: _saved(uow, reading), failing=f"keep the reading in {reading.server}"
        )

    async def read(self, server: ChatRef, message_id: str) -> None:
        now = self.clock.now()
        await self._store.write(
            lambda uow: uow.live_readings.read(server, message_id, now),
            failing=f"keep the reading's place in {server}",
        )

    async def alive(self, server: ChatRef) -> None:
        now = self.clock.now()
        await self._store.write(
            lambda uow: uow.live_readings.alive(server, now),
            failing=f"mark the reading in {server} alive",
        )

    async def gone(self, server: ChatRef) -> None:
        await self._store.write(
            lambda uow: uow.live_readings.delete(server),
            failing=f"let go of the reading kept in {server}",
        )

    async def find(self, server: ChatRef) -> KeptReading | None:
        if not await self.servers.may_have_kept(server):
            return None
        return await self._store.read(
            lambda uow: _found(uow, server),
            failing=f"read the reading kept in {server}",
            default=None,
        )


async def _saved(uow: ReadingUnitOfWork, reading: KeptReading) -> None:
    """`reading` saved where its mandate holds (None: unchecked)."""
    if reading.mandate is None or await uow.mandates.holds(reading.mandate):
        await uow.live_readings.save(reading)


async def _found(uow: ReadingUnitOfWork, server: ChatRef) -> KeptReading | None:
    """The reading kept in `server`, with the mandate it goes on under: read together, so that
    a /forget either deleted it already or moves the count after."""
    kept = await uow.live_readings.get(server)
    return None if kept is None else replace(kept, mandate=await uow.mandates.read(server))
