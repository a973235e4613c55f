"""The daily usage and rate windows the limits count in (`core.app.rules.limits`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from core.domain.rules.quotas_rules import Counts
from core.domain.shared_values import ChatRef
from core.ports.storage.unit_of_work_port import UnitOfWork

__all__ = ["UsageStore", "UsageUnitOfWork"]


class UsageStore(Protocol):
    """The limits' state (`core.app.rules.limits`): requests per minute window, usage per chat and
    day."""

    async def hits(
        self, platform: str, subjects: Sequence[str], window: datetime
    ) -> dict[str, int]: ...

    async def tell(self, platform: str, subject: str, window: datetime) -> bool:
        """Mark `subject` told in `window`; True only for the first to mark it."""
        ...

    async def delete_windows_before(self, cutoff: datetime) -> int: ...

    async def day(self, chat: ChatRef, day: date) -> Counts: ...

    async def reserve(self, chat: ChatRef, day: date, amounts: Counts, limits: Counts) -> bool: ...

    async def add(self, chat: ChatRef, day: date, amounts: Counts) -> None: ...

    async def tell_today(self, chat: ChatRef, day: date) -> bool: ...

    async def delete_days_before(self, cutoff: date) -> int:
        """Retention: every chat's days before `cutoff`, added to the whole bot's months first."""
        ...

    async def delete_chat(self, chat: ChatRef, *, today: date) -> None:
        """`/forget`: the chat's rate windows and its days before `today` (added to the whole
        bot's months first)."""
        ...

    async def bot_day(self, day: date) -> Counts:
        """What every chat used on `day`, together (persons' and members' rows aside)."""
        ...

    async def bot_month(self, first: date, last: date) -> Counts:
        """What every chat used from `first` (a month's first day) to `last` in its month: the
        days kept, and what retention added to the month of those it deleted."""
        ...

    async def chats(self, platform: str) -> int:
        """The chats of `platform` with usage kept (the retained days), persons' rows aside."""
        ...


class UsageUnitOfWork(UnitOfWork, Protocol):
    """What `core.app.rules.limits.Limiter` needs: the usage store."""

    @property
    def usage(self) -> UsageStore: ...
