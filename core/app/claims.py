"""Claims on incoming work: each message is answered once, and a crash never goes unmentioned.

Every message or command that leads to work is claimed before the work starts, with one INSERT
that only the first of several deliveries can make (the key is platform, chat and message): a
redelivered Telegram update, a webhook retry, a replayed gateway event or a second replica finds
the claim taken and does nothing. The claim records this process's instance name and goes from
'started' to 'done' when the work ends, answered with a result or with an error.

A claim still 'started' under this instance's name when the process starts again was cut off by
a crash or a kill (Telegram counts an update as delivered once the next poll is sent, so it never
comes back by itself): each adapter, before it takes new work, tells those chats to send the
message again and marks the claims 'failed' (`tell_interrupted`). Claims outlive the platforms'
redelivery windows and are deleted after the retention period.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from core.domain.claims import Claim, ClaimState
from core.domain.values import Platform
from core.ports import Clock, WorkUnitOfWork

logger = logging.getLogger(__name__)

Tell = Callable[[Claim], Awaitable[None]]


class WorkLedger:
    """Claims, their completion, the start-up sweep and the retention purge."""

    def __init__(
        self,
        *,
        uow: Callable[[], WorkUnitOfWork],
        instance: str,
        clock: Clock,
        retention: timedelta,
    ) -> None:
        self._uow = uow
        self.instance = instance
        self._clock = clock
        self.retention = retention

    async def claim(self, claim: Claim) -> bool | None:
        """Claim `claim` for this process: True when it won, False when another delivery claimed
        it first, None when storage failed (then the work runs unclaimed: a database hiccup
        must not cost the user the answer)."""
        try:
            async with self._uow() as uow:
                won = await uow.processed.claim(claim, instance=self.instance, at=self._clock.now())
                await uow.commit()
        except Exception:
            logger.warning("could not claim %s; handling it unclaimed", claim, exc_info=True)
            return None
        if not won:
            logger.info("ignored a second delivery of %s", claim)
        return won

    async def finish(self, claim: Claim) -> None:
        """The work on `claim` ended (answered, or told it failed)."""
        try:
            async with self._uow() as uow:
                await uow.processed.finish(claim, "done", at=self._clock.now())
                await uow.commit()
        except Exception:
            # The answer went out; the claim stays 'started' and the next start apologises.
            logger.warning("could not mark %s done", claim, exc_info=True)

    async def state(self, claim: Claim) -> ClaimState | None:
        """Where the work on `claim` stands; None when it was never claimed (or is purged)."""
        async with self._uow() as uow:
            return await uow.processed.state(claim)

    @asynccontextmanager
    async def handling(self, claim: Claim) -> AsyncIterator[bool]:
        """Claim, and yield whether to do the work; when this process claimed it, finish the
        claim once the block ends, normally or with an error (adapters answer errors).

        A block cut off by cancellation or shutdown leaves the claim 'started', for the next
        start of this instance to report.
        """
        first = await self.claim(claim)
        if not first:
            yield first is None  # unclaimed work still runs; a second delivery does not
            return
        try:
            yield True
        except Exception:
            await self.finish(claim)
            raise
        await self.finish(claim)

    async def tell_interrupted(self, platform: Platform, tell: Tell) -> int:
        """Tell each chat whose request this instance left unfinished (a crash, a kill) that it
        was interrupted, once: the claim turns 'failed' before `tell` runs. Returns how many.

        Call it before the platform takes new work, so that work is not mistaken for leftovers.
        """
        async with self._uow() as uow:
            leftovers = await uow.processed.unfinished(platform, self.instance)
        told = 0
        for claim in leftovers:
            if not await self._give_up(claim):
                continue  # another start of the same instance took it
            try:
                await tell(claim)
            except Exception:
                logger.warning("could not tell %s that it was interrupted", claim, exc_info=True)
                continue
            told += 1
        if leftovers:
            logger.info("%d interrupted %s request(s) of %s: %d told",
                        len(leftovers), platform, self.instance, told)  # fmt: skip
        return told

    async def purge_expired(self) -> int:
        """Retention: delete claims older than the retention period, whatever their state."""
        cutoff = self._clock.now() - self.retention
        async with self._uow() as uow:
            deleted = await uow.processed.delete_claimed_before(cutoff)
            await uow.commit()
        if deleted:
            logger.info("retention: deleted %d claims made before %s", deleted, cutoff)
        return deleted

    async def _give_up(self, claim: Claim) -> bool:
        async with self._uow() as uow:
            changed = await uow.processed.finish(claim, "failed", at=self._clock.now())
            await uow.commit()
        return changed
