"""Repository of claims on incoming work, in `processed_updates`
(see `core.app.rules.work_claims`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.rules.claim_values import (
    CLAIM_STATES,
    Claim,
    ClaimKind,
    ClaimState,
    TakenOver,
    answered_payload,
)
from core.domain.shared_values import ChatRef, Platform
from core.infra.storage.sql_statements import insert_for, table_of
from core.infra.storage.tables import ClaimRow

__all__ = ["ClaimRepository"]

_KEY = ["platform", "chat_id", "message_id"]
_CLAIMS = table_of(ClaimRow)
_RENEWED_AT_ONCE = 300  # keys in one statement: 900 values, within SQLite's 999
# A 'started' claim marked done (or failed), and its payload amended (a Telegram status's id):
# once or twice a request, built once on the table and bound by name (`_bound`), since building
# them cost more than running them, and the ORM's steps around them (its search of the session
# for the rows an UPDATE touches, none ever loaded there) did nothing.
_STARTED = and_(
    *(_CLAIMS.c[column] == bindparam(f"claim_{column}") for column in _KEY),
    _CLAIMS.c.state == "started",
)
_FINISHED = (
    update(_CLAIMS)
    .where(_STARTED)
    .values(
        state=bindparam("new_state"),
        finished_at=bindparam("at"),
        lease_until=None,
        payload=bindparam("new_payload"),
    )
)
_AMENDED = update(_CLAIMS).where(_STARTED).values(payload=bindparam("new_payload"))


class ClaimRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(
        self,
        claim: Claim,
        *,
        instance: str,
        owner: str,
        at: datetime,
        lease_until: datetime,
        payload: str | None = None,
    ) -> bool:
        """Insert the claim unless its message is claimed already; True when this one won.

        One statement that leans on the primary key, so replicas racing for the same message
        cannot both win: PostgreSQL makes the second INSERT wait for the first to commit and then
        skip; SQLite runs writers one at a time. RETURNING names the row only when it was made.
        """
        statement = (
            insert_for(self._session, _CLAIMS)  # SQLAlchemy's Core alone: once a request
            .values(
                platform=claim.platform,
                chat_id=claim.chat_id,
                message_id=claim.message_id,
                kind=claim.kind,
                requester=claim.requester,
                state="started",
                instance=instance,
                claimed_at=at,
                owner=owner,
                lease_until=lease_until,
                payload=payload,
                attempts=0,
            )
            .on_conflict_do_nothing(index_elements=_KEY)
            .returning(_CLAIMS.c.platform)
        )
        return (await self._session.execute(statement)).first() is not None

    async def renew(self, owner: str, claims: Sequence[Claim], lease_until: datetime) -> int:
        """Extend the leases `owner` holds on `claims` (unfinished ones) to `lease_until`: one
        statement, so that the rows are locked for as short a time as can be (a claim's mark,
        made as its answer goes out, waits for that lock)."""
        keys = [(claim.platform, claim.chat_id, claim.message_id) for claim in claims]
        renewed = 0
        for start in range(0, len(keys), _RENEWED_AT_ONCE):
            statement = (
                update(ClaimRow)
                .where(
                    tuple_(*(getattr(ClaimRow, column) for column in _KEY)).in_(
                        keys[start : start + _RENEWED_AT_ONCE]
                    ),
                    ClaimRow.owner == owner,
                    ClaimRow.state == "started",
                )
                .values(lease_until=lease_until)
            )
            result = cast(CursorResult[Any], await self._session.execute(statement))
            renewed += int(result.rowcount or 0)
        return renewed

    async def lapsed(
        self, platform: Platform, *, instance: str, owner: str, at: datetime, limit: int = 100
    ) -> list[Claim]:
        query = (
            select(ClaimRow)
            .where(
                ClaimRow.platform == platform,
                ClaimRow.state == "started",
                _lapsed(instance=instance, owner=owner, at=at),
            )
            .order_by(ClaimRow.claimed_at)
            .limit(limit)
        )
        rows = (await self._session.scalars(query)).all()
        return [_to_claim(platform, row) for row in rows]

    async def next_lapse(self, platforms: Sequence[Platform], *, owner: str) -> datetime | None:
        query = select(func.min(ClaimRow.lease_until)).where(
            ClaimRow.platform.in_(platforms),
            ClaimRow.state == "started",
            ClaimRow.owner != owner,
        )
        return (await self._session.execute(query)).scalar_one_or_none()

    async def take_over(
        self, claim: Claim, *, instance: str, owner: str, at: datetime, lease_until: datetime
    ) -> TakenOver | None:
        """One UPDATE that only a lapsed lease lets through, so of several processes sweeping
        at once exactly one takes the claim."""
        statement = (
            update(ClaimRow)
            .where(
                *_key(claim),
                ClaimRow.state == "started",
                _lapsed(instance=instance, owner=owner, at=at),
            )
            .values(
                instance=instance,
                owner=owner,
                lease_until=lease_until,
                attempts=ClaimRow.attempts + 1,
            )
            .returning(
                ClaimRow.payload,
                ClaimRow.attempts,
                ClaimRow.claimed_at,
            )
        )
        row = (await self._session.execute(statement)).first()
        if row is None:
            return None
        payload, attempts, claimed_at = row
        return TakenOver(claim, payload, int(attempts), claimed_at)

    async def finish(
        self, claim: Claim, state: ClaimState, *, at: datetime, answer: str | None = None
    ) -> bool:
        """Move a 'started' claim to `state`, and forget what it could be redone from (it may
        carry a message's text), keeping instead the id of the message that `answer`ed it, where
        known; False when it was not 'started' (any more)."""
        bound = {"new_state": state, "at": at, "new_payload": answered_payload(answer)}
        result = await self._session.execute(_FINISHED, {**_bound(claim), **bound})
        return cast(CursorResult[Any], result).rowcount == 1

    async def amend(self, claim: Claim, payload: str) -> bool:
        result = await self._session.execute(_AMENDED, {**_bound(claim), "new_payload": payload})
        return cast(CursorResult[Any], result).rowcount == 1

    async def state(self, claim: Claim) -> ClaimState | None:
        row = await self._session.get(
            ClaimRow,
            (claim.platform, claim.chat_id, claim.message_id),
            populate_existing=True,
        )
        return None if row is None else _state(row.state)

    async def delete_claimed_before(self, cutoff: datetime) -> int:
        statement = delete(ClaimRow).where(ClaimRow.claimed_at < cutoff)
        result = cast(CursorResult[Any], await self._session.execute(statement))
        return int(result.rowcount or 0)

    async def delete_chat(self, chat: ChatRef) -> int:
        """Forget the claims on the chat's messages and commands (`/forget`)."""
        statement = delete(ClaimRow).where(
            ClaimRow.platform == chat.platform,
            ClaimRow.chat_id == chat.chat_id,
        )
        result = cast(CursorResult[Any], await self._session.execute(statement))
        return int(result.rowcount or 0)


def _lapsed(*, instance: str, owner: str, at: datetime) -> ColumnElement[bool]:
    row = ClaimRow
    return or_(
        row.lease_until.is_(None),
        row.lease_until < at,
        and_(row.instance == instance, row.owner.is_not(None), row.owner != owner),
    )


def _key(claim: Claim) -> tuple[Any, ...]:
    return (
        ClaimRow.platform == claim.platform,
        ClaimRow.chat_id == claim.chat_id,
        ClaimRow.message_id == claim.message_id,
    )


def _bound(claim: Claim) -> dict[str, str]:
    """The claim's key, as `_STARTED` binds it."""
    return {"claim_platform": claim.platform, "claim_chat_id": claim.chat_id,
            "claim_message_id": claim.message_id}  # fmt: skip


def _to_claim(platform: Platform, row: ClaimRow) -> Claim:
    kind: ClaimKind = "command" if row.kind == "command" else "message"
    return Claim(platform, row.chat_id, row.message_id, kind, row.requester)


def _state(value: str) -> ClaimState:
    for state in CLAIM_STATES:
        if value == state:
            return state
    raise ValueError(f"unknown claim state {value!r}")
