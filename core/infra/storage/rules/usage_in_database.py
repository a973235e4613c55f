"""Repository of the limits' state: requests per minute window, and each chat's usage per UTC day.

Every change is one INSERT ... ON CONFLICT DO UPDATE (`n = n + excluded.n`), so concurrent
requests, in one process or in replicas sharing PostgreSQL, never lose an update: PostgreSQL
locks the row and re-reads it before applying the update, SQLite runs writers one at a time.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Executable,
    Integer,
    and_,
    bindparam,
    case,
    delete,
    func,
    literal,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.rules.quotas_rules import COUNTED, MONTHS, PERSON_ROW, READER_SHARE_ROW, Counts
from core.domain.shared_values import ChatRef, Platform
from core.infra.storage.sql_statements import dialect_of, insert_for, inserting, table_of
from core.infra.storage.tables import ChatUsageRow, RateWindowRow

__all__ = ["UsageRepository"]

_WINDOW_KEY = ["platform", "subject", "window_start"]
_MONTH_ROW = ChatRef(cast(Platform, MONTHS[0]), MONTHS[1])
_WINDOWS = table_of(RateWindowRow)  # a request's minute is counted with SQLAlchemy's Core alone
_DAY_KEY = ["platform", "chat_id", "day"]


class UsageRepository:
    """`rate_windows` and `chat_usage`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # Rate windows: a subject is "chat:<chat id>" or "user:<user id>" on a platform.

    async def hits(
        self, platform: str, subjects: Sequence[str], window: datetime
    ) -> dict[str, int]:
        """Count one request of each of `subjects` in the minute starting at `window`, in one
        statement (a voice note counts its chat's minute and its sender's); returns each one's
        count including it. The rows are locked in the order given."""
        if not subjects:
            return {}
        rows = [
            {"platform": platform, "subject": subject, "window_start": window, "hits": 1}
            for subject in subjects
        ]
        statement = insert_for(self._session, _WINDOWS).values(rows)
        upsert = statement.on_conflict_do_update(
            index_elements=_WINDOW_KEY,
            set_={"hits": _WINDOWS.c.hits + statement.excluded.hits},
        ).returning(_WINDOWS.c.subject, _WINDOWS.c.hits)
        return {subject: hits for subject, hits in await self._session.execute(upsert)}

    async def tell(self, platform: str, subject: str, window: datetime) -> bool:
        """Mark that `subject` was told it is over its limit in this window; True only for the
        first to mark it."""
        statement = insert_for(self._session, RateWindowRow).values(
            platform=platform, subject=subject, window_start=window, hits=0, told=True
        )
        upsert = statement.on_conflict_do_update(
            index_elements=_WINDOW_KEY, set_={"told": true()}, where=~RateWindowRow.told
        ).returning(RateWindowRow.hits)
        return (await self._session.execute(upsert)).first() is not None

    async def delete_windows_before(self, cutoff: datetime) -> int:
        statement = delete(RateWindowRow).where(RateWindowRow.window_start < cutoff)
        result = cast(CursorResult[Any], await self._session.execute(statement))
        return int(result.rowcount or 0)

    # Daily usage

    async def day(self, chat: ChatRef, day: date) -> Counts:
        row = await self._session.scalar(
            select(ChatUsageRow)
            .where(*_of(chat), ChatUsageRow.day == day)
            .execution_options(populate_existing=True)
        )
        return Counts() if row is None else Counts(*(getattr(row, name) for name in COUNTED))

    async def reserve(self, chat: ChatRef, day: date, amounts: Counts, limits: Counts) -> bool:
        """Add `amounts` to the chat's day unless that takes a count past its limit in `limits`
        (0: none). False, changing nothing, when it would; the check and the addition are one
        statement, so two reservations can never both squeeze into the last of a quota.

        An amount larger than its limit by itself is the caller's to refuse: a chat's first
        row of the day is inserted without the check."""
        checked = {
            f"limit_{name}": limit
            for name, amount, limit in zip(COUNTED, amounts.values(), limits.values(), strict=True)
            if amount > 0 and limit > 0
        }
        statement = _reserving(dialect_of(self._session), tuple(checked))
        values = {**_day_of(chat, day), **amounts.as_dict(), **checked}
        return (await self._session.execute(statement, values)).first() is not None

    async def add(self, chat: ChatRef, day: date, amounts: Counts) -> None:
        """Add `amounts` (some may be negative: a reservation given back) to the chat's day; no
        count goes below zero."""
        inserted = {f"new_{name}": max(0, amount) for name, amount in amounts.as_dict().items()}
        values = {**_day_of(chat, day), **inserted, **amounts.as_dict()}
        await self._session.execute(_adding(dialect_of(self._session)), values)

    async def tell_today(self, chat: ChatRef, day: date) -> bool:
        """Mark that the chat was told its automatic transcripts stopped for the day; True only
        for the first to mark it."""
        statement = self._upsert(chat, day, {"told": True})
        upsert = statement.on_conflict_do_update(
            index_elements=_DAY_KEY, set_={"told": true()}, where=~ChatUsageRow.told
        ).returning(ChatUsageRow.day)
        return (await self._session.execute(upsert)).first() is not None

    async def delete_days_before(self, cutoff: date) -> int:
        """Retention: every chat's days before `cutoff`, each added to the whole bot's month
        first (`MONTHS`, whose rows stay)."""
        await self._roll_up(ChatUsageRow.day < cutoff)
        statement = delete(ChatUsageRow).where(ChatUsageRow.day < cutoff, ~_months())
        result = cast(CursorResult[Any], await self._session.execute(statement))
        return int(result.rowcount or 0)

    async def delete_chat(self, chat: ChatRef, *, today: date) -> None:
        """What is counted for `chat` (`/forget`): its rate windows, and its days before `today`
        (added to the whole bot's months first: counts of nobody in particular).

        Today's row stays: it holds counts only, and deleting it would give the chat its daily
        quotas afresh, a reset any administrator could have by forgetting."""
        await self._roll_up(*_of(chat), ChatUsageRow.day < today)
        await self._session.execute(
            delete(ChatUsageRow).where(*_of(chat), ChatUsageRow.day < today)
        )
        await self._session.execute(
            delete(RateWindowRow).where(
                RateWindowRow.platform == chat.platform,
                RateWindowRow.subject == f"chat:{chat.chat_id}",
            )
        )

    async def bot_day(self, day: date) -> Counts:
        return await self._bot_sum(ChatUsageRow.day == day)

    async def bot_month(self, first: date, last: date) -> Counts:
        kept = await self._bot_sum(ChatUsageRow.day >= first, ChatUsageRow.day <= last)
        return kept + await self.day(_MONTH_ROW, first)

    async def _bot_sum(self, *where: ColumnElement[bool]) -> Counts:
        sums = [func.coalesce(func.sum(_DAYS.c[name]), 0) for name in COUNTED]
        row = (await self._session.execute(select(*sums).where(*_whole_bot(), *where))).one()
        return Counts(*(int(value) for value in row))

    async def _roll_up(self, *where: ColumnElement[bool]) -> None:
        """The whole bot's counts of the days `where` selects, added to their months' rows."""
        sums = [func.sum(_DAYS.c[name]) for name in COUNTED]
        days = select(_DAYS.c.day, *sums).where(*_whole_bot(), *where).group_by(_DAYS.c.day)
        months: dict[date, Counts] = {}
        for day, *sums_of_day in await self._session.execute(days):
            first = day.replace(day=1)
            of_day = Counts(*(int(n or 0) for n in sums_of_day))
            months[first] = months.get(first, Counts()) + of_day
        for first, used in sorted(months.items()):
            await self.add(_MONTH_ROW, first, used)

    async def chats(self, platform: str) -> int:
        """The chats of `platform` with usage kept, the rows of persons and of members' shares
        of a reading aside."""
        counted = select(func.count(func.distinct(ChatUsageRow.chat_id))).where(
            ChatUsageRow.platform == platform,
            ChatUsageRow.chat_id.not_like(f"{PERSON_ROW}%"),
            ChatUsageRow.chat_id.not_like(f"%{READER_SHARE_ROW}%"),
        )
        return int(await self._session.scalar(counted) or 0)

    def _upsert(
        self, chat: ChatRef, day: date, values: dict[str, Any]
    ) -> postgresql.Insert | sqlite.Insert:
        return insert_for(self._session, ChatUsageRow).values(
            platform=chat.platform, chat_id=chat.chat_id, day=day, **values
        )


# The statements a voice note runs twice or more, built once per database (and per set of counts
# checked): building one costs about half as much as running it, and `reserve` runs for
# the chat's day and the sender's. Each run binds its values by name: the day's key (`_day_of`),
# each count's amount, and `limit_<count>` for each count checked. They are built on the table,
# not the mapped class: run with its values apart, an INSERT of the class takes SQLAlchemy's
# ORM bulk path, which cost about a third of a millisecond a run to turn the values into rows
# it then sends unchanged.
_DAYS = table_of(ChatUsageRow)


@functools.cache
def _reserving(dialect: str, checked: tuple[str, ...]) -> Executable:
    """`reserve`'s upsert: the amounts added unless a count in `checked` (`limit_<count>`) would
    pass its limit."""
    statement = inserting(dialect, _DAYS).values(
        **_DAY_BINDS, **{name: bindparam(name, type_=Integer) for name in COUNTED}
    )
    added = {name: _DAYS.c[name] + statement.excluded[name] for name in COUNTED}
    checks = [added[limit.removeprefix("limit_")] <= bindparam(limit) for limit in checked]
    return statement.on_conflict_do_update(
        index_elements=_DAY_KEY,
        set_={**added, "updated_at": func.now()},
        where=and_(*checks) if checks else None,
    ).returning(_DAYS.c.day)


@functools.cache
def _adding(dialect: str) -> Executable:
    """`add`'s upsert: a new row holds the amounts not below zero (`new_<count>`), an existing
    one adds them, no count going below zero."""
    statement = inserting(dialect, _DAYS).values(
        **_DAY_BINDS, **{name: bindparam(f"new_{name}", type_=Integer) for name in COUNTED}
    )
    added = {
        name: _not_below_zero(_DAYS.c[name] + bindparam(name, type_=Integer)) for name in COUNTED
    }
    return statement.on_conflict_do_update(
        index_elements=_DAY_KEY, set_={**added, "updated_at": func.now()}
    )


_DAY_BINDS = {
    "platform": bindparam("platform", type_=_DAYS.c.platform.type),
    "chat_id": bindparam("chat_id", type_=_DAYS.c.chat_id.type),
    "day": bindparam("day", type_=_DAYS.c.day.type),
}


def _day_of(chat: ChatRef, day: date) -> dict[str, Any]:
    return {"platform": chat.platform, "chat_id": chat.chat_id, "day": day}


def _whole_bot() -> tuple[ColumnElement[bool], ...]:
    """The rows whose sum is the whole bot's use: the chats' and their calls' listened to, not
    persons' days, members' shares or the bot's own rows (its budget, its months)."""
    return (
        _DAYS.c.platform != MONTHS[0],
        _DAYS.c.chat_id.not_like(f"{PERSON_ROW}%"),
        _DAYS.c.chat_id.not_like(f"%{READER_SHARE_ROW}%"),
    )


def _months() -> ColumnElement[bool]:
    return and_(ChatUsageRow.platform == MONTHS[0], ChatUsageRow.chat_id == MONTHS[1])


def _of(chat: ChatRef) -> tuple[ColumnElement[bool], ...]:
    return (ChatUsageRow.platform == chat.platform, ChatUsageRow.chat_id == chat.chat_id)


def _not_below_zero(value: ColumnElement[int]) -> ColumnElement[int]:
    return case((value < 0, literal(0)), else_=value)
