"""What a bot keeping MiMo's minute alone (SQLite) holds of it, written for `voicebridge usage`,
a process of its own, to read (`core.infra.storage.mimo_minute.usage_view`)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from core.domain.mimo.account_minute_rules import MinuteNow
from core.infra.storage.mimo_minute.shared_ledger_in_database import KEPT_QUEUES
from core.infra.storage.unit_of_work_in_database import SqlAlchemyUnitOfWork

__all__ = ["MinuteSnapshots"]


class MinuteSnapshots:
    """Each model's minute as the bot sees it (`AccountMinute.report`), into the row of the bot's
    own queue of each model: at most every `usage_view.snapshot_seconds` (its runtime's beat),
    and only when it changed since the last, so that an idle bot writes nothing and a bot whose
    minute emptied says so once. The first also deletes the queues unseen for `KEPT_QUEUES`."""

    def __init__(
        self,
        uow: Callable[[], SqlAlchemyUnitOfWork],
        *,
        instance: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._uow = uow
        self._instance = instance
        self._clock = clock
        self.owner = f"{instance}/{secrets.token_hex(4)}"  # this process, among its namesakes
        self._kept: list[MinuteNow] | None = None

    async def keep(self, reports: list[MinuteNow]) -> None:
        if reports == self._kept:
            return
        at = self._clock()
        async with self._uow() as uow:
            if self._kept is None:
                await uow.minute_now.delete_unseen_since(at - KEPT_QUEUES)
            await uow.minute_now.keep(reports, owner=self.owner, instance=self._instance, at=at)
            await uow.commit()
        self._kept = reports
