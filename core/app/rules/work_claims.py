"""Claims on incoming work: each message is answered once, and work a crash cut off is finished.

Every message or command that leads to work is claimed before the work starts, with one INSERT
that only the first of several deliveries can make (the key is platform, chat and message): a
redelivered Telegram update, a webhook retry, a replayed gateway event or a second replica finds
the claim taken and does nothing. The claim goes from 'started' to 'done' when the work ends,
answered with a result or with an error. A platform that confirms deliveries (Telegram) claims
as a message arrives (`receive`), before it confirms, and the work then claims it again.

A claim is held under a lease: its process (`owner`, the instance name and a mark of this
process) renews it every `lease / 3` while the work runs (`leases_renewed`). A process that dies
(kill -9, out of memory, a replica lost) stops renewing; once the lease has lapsed, any process
sharing the database takes the claim over (`sweep`: at start, every `lease`, and the moment
another process's lease runs out) and redoes
the work from what the claim stored (the Telegram update; the Discord message, fetched again),
so the chat gets its answer with no word from the user. A process restarted under the same
instance name does not wait for the lease: its predecessor is gone. Where the work cannot be
redone (nothing stored to redo it from, taken over `MAX_ATTEMPTS` times already, a rule of
`core.domain.rules.claim_values`, or older than `MAX_AGE`), the chat is told once to send it again
and the claim becomes 'failed'.

A claim is marked done the moment its chat has the whole answer (`answered`, called by the work
as the platform confirms its last message, with that message's id), not once the handling
around it has ended: a process killed between the platform's answer and the mark leaves a claim
that looks unanswered, and the work is done again, so that moment is kept as short as it can
be. The mark has a database connection of its own (`Claims(mark_uow=...)`), so that it never
waits behind the work's queries for one.

Claims outlive the platforms' redelivery windows and are deleted after the retention period.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.domain.rules.claim_values import MAX_ATTEMPTS, Claim, ClaimState, TakenOver
from core.domain.shared_values import Platform
from core.ports import Clock, WorkUnitOfWork, background_tasks

logger = logging.getLogger(__name__)

__all__ = ["Claims", "Redo", "Tell", "answered"]

Tell = Callable[[Claim], Awaitable[None]]
Redo = Callable[[Claim, str], Awaitable[None]]
"""Start the work of a claim taken over again from its payload (it runs as a task of its own,
and claims `claim` again: `Claims.claim` lets it through)."""

DEFAULT_LEASE = timedelta(seconds=30)
LAPSE_MARGIN = 0.05  # seconds past another's lease before it is swept: its lapse is strict
MAX_AGE = timedelta(hours=1)  # older than this, an answer would come too late to be welcome


@dataclass(frozen=True)
class _Handling:
    """The claim whose work runs in this task (`Claims.handling`), for `answered`."""

    claims: Claims
    claim: Claim


_handling: ContextVar[_Handling | None] = ContextVar("voicebridge_claim", default=None)


async def answered(answer_id: str | None = None) -> None:
    """The work running in this task (under `Claims.handling`) has its whole answer in the
    chat, the platform has confirmed it, and `answer_id` is the message that carries it: mark
    its claim done now. What the handling does after this (a language noted, the end of the
    platform's own handling) no longer delays the mark. Outside a claim's handling (unclaimed
    work, Discord's interactions, which are marked as discord.py completes them) it does
    nothing."""
    current = _handling.get()
    if current is not None:
        await current.claims.mark_answered(current.claim, answer_id)


class Claims:
    """Claims, their completion, the start-up sweep and the retention purge."""

    def __init__(
        self,
        *,
        uow: Callable[[], WorkUnitOfWork],
        instance: str,
        clock: Clock,
        retention: timedelta,
        lease: timedelta = DEFAULT_LEASE,
        mark_uow: Callable[[], WorkUnitOfWork] | None = None,
    ) -> None:
        self._uow = uow
        # Where the marks of answered work go (`mark_answered`): connections of their own, so
        # that a mark made the moment an answer went out does not queue behind the work's
        # queries for one. Other finishes, and a mark that failed there, go through `uow`.
        self._mark_uow = mark_uow or uow
        self.instance = instance
        self.owner = f"{instance}/{secrets.token_hex(4)}"  # this process, among its namesakes
        self._clock = clock
        self.retention = retention
        self.lease = lease
        self._held: set[Claim] = set()  # claimed here and not finished: their leases are renewed
        # Claimed ahead of their work, which claims them again: taken over, or received.
        self._taken: set[Claim] = set()
        self._received: set[Claim] = set()

    async def claim(self, claim: Claim, payload: str | None = None) -> bool | None:
        """Claim `claim` for this process: True when it won, False when another delivery claimed
        it first, None when storage failed (then the work runs unclaimed: a database hiccup
        must not cost the user the answer). `payload` is what the work can be redone from,
        should this process die before it ends."""
        for ahead in (self._taken, self._received):
            if claim in ahead:
                ahead.discard(claim)
                return True
        logger.debug("claiming %s", claim)
        now = self._clock.now()
        try:
            async with self._uow() as uow:
                won = await uow.claims.claim(
                    claim,
                    instance=self.instance,
                    owner=self.owner,
                    at=now,
                    lease_until=now + self.lease,
                    payload=payload,
                )
                await uow.commit()
        except Exception:
            logger.warning("could not claim %s; handling it unclaimed", claim, exc_info=True)
            return None
        if won:
            self._held.add(claim)
        else:
            logger.info("ignored a second delivery of %s", claim)
        return won

    async def receive(self, claim: Claim, payload: str | None = None) -> bool:
        """Claim `claim` as it arrives, before the platform hears that it was received (a
        Telegram update is confirmed by the next poll, or by the webhook's answer): from then
        on a kill loses nothing, as the claim and what to redo it from are stored. The work
        claims it again when it starts, and is let through. False: a second delivery, to drop.
        """
        if claim in self._received:
            return False  # delivered again while the first delivery waits in the queue
        won = await self.claim(claim, payload)
        if won:
            self._received.add(claim)
        return won is not False

    async def finish(self, claim: Claim) -> None:
        """The work on `claim` ended (answered, or told it failed)."""
        self._held.discard(claim)
        # The answer went out; a claim left 'started' is taken over once its lease lapses.
        await self._mark_done(claim, through=self._uow)

    async def mark_answered(self, claim: Claim, answer_id: str | None = None) -> None:
        """`claim`'s chat has its whole answer, `answer_id` the message carrying it: marked done
        now (see `answered`). Should the mark fail, the claim stays held, and the end of its
        handling tries again."""
        if claim in self._held and await self._mark_done(claim, answer_id, through=self._mark_uow):
            self._held.discard(claim)

    async def _mark_done(
        self,
        claim: Claim,
        answer_id: str | None = None,
        *,
        through: Callable[[], WorkUnitOfWork],
    ) -> bool:
        try:
            async with through() as uow:
                await uow.claims.finish(claim, "done", at=self._clock.now(), answer=answer_id)
                await uow.commit()
        except Exception:
            logger.warning("could not mark %s done", claim, exc_info=True)
            return False
        return True

    async def amend(self, claim: Claim, payload: str) -> None:
        """What `claim` is redone from, now that its work went part of the way (a message it
        answered with, which the redo edits instead of answering again). A failure is logged:
        the redo then starts from the first payload."""
        try:
            async with self._uow() as uow:
                await uow.claims.amend(claim, payload)
                await uow.commit()
        except Exception:
            logger.warning("could not note the progress of %s", claim, exc_info=True)

    async def state(self, claim: Claim) -> ClaimState | None:
        """Where the work on `claim` stands; None when it was never claimed (or is purged)."""
        async with self._uow() as uow:
            return await uow.claims.state(claim)

    @asynccontextmanager
    async def handling(self, claim: Claim, payload: str | None = None) -> AsyncIterator[bool]:
        """Claim, and yield whether to do the work; when this process claimed it, finish the
        claim once the block ends, normally or with an error (adapters answer errors).

        A block cut off by cancellation or shutdown leaves the claim 'started', for a sweep to
        take over once its lease lapses.
        """
        first = await self.claim(claim, payload)
        if not first:
            yield first is None  # unclaimed work still runs; a second delivery does not
            return
        handling = _handling.set(_Handling(self, claim))
        try:
            yield True
        except Exception:
            await self._finish_unless_answered(claim)
            raise
        finally:
            _handling.reset(handling)
        await self._finish_unless_answered(claim)

    async def _finish_unless_answered(self, claim: Claim) -> None:
        if claim in self._held:  # not marked already, as its answer went out (`answered`)
            await self.finish(claim)

    async def sweep(self, platform: Platform, redo: Redo, tell: Tell) -> int:
        """Take over the claims on `platform` whose lease has lapsed and finish each: redo its
        work, or (where it cannot be redone) tell its chat once that it was interrupted. Returns
        how many were taken over.

        Call it before the platform takes new work (a restart's leftovers go first), then every
        `lease` (`keep_leases` does)."""
        now = self._clock.now()
        async with self._uow() as uow:
            lapsed = await uow.claims.lapsed(
                platform, instance=self.instance, owner=self.owner, at=now
            )
        taken = 0
        for claim in lapsed:
            taken_over = await self._take_over(claim)
            if taken_over is None:
                continue  # another process was quicker
            taken += 1
            await self._finish_taken(taken_over, redo, tell)
        logger.debug("swept %s: %d of %d lapsed claims taken over", platform, taken, len(lapsed))
        return taken

    @asynccontextmanager
    async def leases_renewed(
        self,
        sweeps: dict[Platform, tuple[Redo, Tell]],
        *,
        pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> AsyncIterator[None]:
        """For as long as the block lasts: renew the leases this process holds every
        `lease / 3`, and sweep each platform for lapsed claims every `lease`, and as soon as
        another process's lease runs out (a replica that died: its work is taken over at the
        lapse, not up to a lease later). It waits in real time (`pause`), whatever clock dates
        the leases: a lease is kept while this process really runs. A round under way when the
        block ends is finished (`core.ports.background_tasks.every`)."""
        rounds = 0
        next_lapse: datetime | None = None
        renew_every = self.lease.total_seconds() / 3

        async def one_round() -> None:
            nonlocal rounds, next_lapse
            rounds += 1
            try:
                await self._renew()
                lapsing = next_lapse is not None and next_lapse <= self._clock.now()
                if rounds % 3 == 0 or lapsing:
                    for platform, (redo, tell) in sweeps.items():
                        await self.sweep(platform, redo, tell)
                next_lapse = await self._next_lapse(list(sweeps))
            except Exception:
                logger.warning("could not renew or sweep the claims' leases", exc_info=True)

        def one_pause() -> float:
            if next_lapse is None:
                return renew_every
            until = (next_lapse - self._clock.now()).total_seconds() + LAPSE_MARGIN
            return min(renew_every, max(until, renew_every / 10))

        async with background_tasks.every(one_pause, one_round, name="claims' leases", sleep=pause):
            yield

    async def _next_lapse(self, platforms: list[Platform]) -> datetime | None:
        if not platforms:
            return None
        async with self._uow() as uow:
            return await uow.claims.next_lapse(platforms, owner=self.owner)

    async def _renew(self) -> None:
        held = list(self._held)
        if not held:
            return
        async with self._uow() as uow:
            await uow.claims.renew(self.owner, held, self._clock.now() + self.lease)
            await uow.commit()

    async def _take_over(self, claim: Claim) -> TakenOver | None:
        now = self._clock.now()
        async with self._uow() as uow:
            taken = await uow.claims.take_over(
                claim,
                instance=self.instance,
                owner=self.owner,
                at=now,
                lease_until=now + self.lease,
            )
            await uow.commit()
        return taken

    async def _finish_taken(self, taken: TakenOver, redo: Redo, tell: Tell) -> None:
        claim, age = taken.claim, self._clock.now() - taken.claimed_at
        if taken.payload is not None and taken.attempts <= MAX_ATTEMPTS and age <= MAX_AGE:
            logger.info("taking over %s (attempt %d): its work is redone", claim, taken.attempts)
            self._held.add(claim)
            self._taken.add(claim)
            try:
                await redo(claim, taken.payload)
                return
            except Exception:
                self._taken.discard(claim)
                self._held.discard(claim)
                logger.warning("could not redo %s; telling its chat", claim, exc_info=True)
        if not await self._give_up(claim):
            return
        logger.info("%s was interrupted and cannot be redone: its chat is told", claim)
        try:
            await tell(claim)
        except Exception:
            logger.warning("could not tell %s that it was interrupted", claim, exc_info=True)

    async def purge_expired(self) -> int:
        """Retention: delete claims older than the retention period, whatever their state."""
        cutoff = self._clock.now() - self.retention
        async with self._uow() as uow:
            deleted = await uow.claims.delete_claimed_before(cutoff)
            await uow.commit()
        if deleted:
            logger.info("retention: deleted %d claims made before %s", deleted, cutoff)
        return deleted

    async def _give_up(self, claim: Claim) -> bool:
        async with self._uow() as uow:
            changed = await uow.claims.finish(claim, "failed", at=self._clock.now())
            await uow.commit()
        return changed
