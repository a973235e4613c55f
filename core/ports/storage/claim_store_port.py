"""Claims on incoming work (`core.app.rules.work_claims`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.domain.rules.claim_values import Claim, ClaimState, TakenOver
from core.domain.shared_values import ChatRef, Platform
from core.ports.storage.unit_of_work_port import UnitOfWork

__all__ = ["ClaimStore", "WorkUnitOfWork"]


class ClaimStore(Protocol):
    """Claims on incoming work (`core.app.rules.work_claims`), each held by one process under a
    lease.

    A claim's lease has lapsed when its time is past, when it has none (claimed before leases),
    or when it is held under `instance` by another process than `owner` (a process of that
    name is gone once another one with the name runs)."""

    async def claim(
        self,
        claim: Claim,
        *,
        instance: str,
        owner: str,
        at: datetime,
        lease_until: datetime,
        payload: str | None = None,
    ) -> bool: ...

    async def renew(self, owner: str, claims: Sequence[Claim], lease_until: datetime) -> int: ...

    async def lapsed(
        self, platform: Platform, *, instance: str, owner: str, at: datetime, limit: int = 100
    ) -> list[Claim]:
        """Unfinished claims on `platform` whose lease has lapsed, oldest first."""
        ...

    async def next_lapse(self, platforms: Sequence[Platform], *, owner: str) -> datetime | None:
        """When the soonest lease that another process holds on an unfinished claim on
        `platforms` runs out; None when no other process holds one."""
        ...

    async def take_over(
        self, claim: Claim, *, instance: str, owner: str, at: datetime, lease_until: datetime
    ) -> TakenOver | None:
        """Hold `claim` under a new lease if its lease has still lapsed; None when another
        process took it first (or it was finished meanwhile)."""
        ...

    async def finish(
        self, claim: Claim, state: ClaimState, *, at: datetime, answer: str | None = None
    ) -> bool:
        """Move a 'started' claim to `state`, noting the id of the message that `answer`ed it;
        False when it was not 'started'."""
        ...

    async def amend(self, claim: Claim, payload: str) -> bool:
        """Replace what an unfinished claim is redone from; False when it is not 'started'."""
        ...

    async def state(self, claim: Claim) -> ClaimState | None: ...

    async def delete_claimed_before(self, cutoff: datetime) -> int: ...

    async def delete_chat(self, chat: ChatRef) -> int: ...


class WorkUnitOfWork(UnitOfWork, Protocol):
    """What `core.app.rules.work_claims.Claims` needs: the claims."""

    @property
    def claims(self) -> ClaimStore: ...
