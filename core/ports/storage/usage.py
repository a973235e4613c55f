"""The daily usage and rate windows the limits count in (`core.app.limits`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from core.domain.limits import Counts
from core.domain.values import ChatRef
from core.ports.storage.units import UnitOfWork


class UsageStore(Protocol):
    """The limits' state (`core.app.limits`): requests per minute window, usage per chat and day."""

    async def hits(
        self, platform: str, subjects: Sequence[str], window: datetime
    ) -> dict[str, int]: ...

    async def tell(self, platform: str, subject: str, window: datetime) -> bool: ...

    async def delete_windows_before(self, cutoff: datetime) -> int: ...

    async def day(self, chat: ChatRef, day: date) -> Counts: ...

    async def reserve(self, chat: ChatRef, day: date, amounts: Counts, limits: Counts) -> bool: ...

    async def add(self, chat: ChatRef, day: date, amounts: Counts) -> None: ...

    async def tell_today(self, chat: ChatRef, day: date) -> bool: ...

    async def delete_days_before(self, cutoff: date) -> int: ...

    async def delete_chat(self, chat: ChatRef, *, today: date) -> None: ...

    async def chats(self, platform: str) -> int:
        """The chats of `platform` with usage kept (the retained days), persons' rows aside."""
        ...


class UsageUnitOfWork(UnitOfWork, Protocol):
    """What `core.app.limits.Limiter` needs: the usage store."""

    @property
    def usage(self) -> UsageStore: ...
