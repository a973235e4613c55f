"""The periodic loop behind daily digests and retention, one per running process.

Why a small loop over the database rather than python-telegram-bot's JobQueue (APScheduler):
a JobQueue keeps its jobs in process memory, so each replica would need every chat's schedule
loaded into it, and all of them would post the same digest. Here each replica asks the database
every `interval` seconds which digests are due and claims each one atomically
(`DigestService.run`), and the retention purge is an idempotent DELETE that any replica may run.
The schedule is only ever in the database, so it survives restarts and needs no start-up loading;
and one loop serves Telegram and Discord alike (each platform registers how it posts).

Time comes from a `Clock`, so tests move a manual clock instead of waiting for 18:00.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from core.app.memory.retention_jobs import RetentionJob
from core.app.summaries.daily_digests import DigestService
from core.domain import errors
from core.domain.shared_values import Platform
from core.domain.summaries.summary_values import DigestPost
from core.ports import Clock, background_tasks

logger = logging.getLogger(__name__)

__all__ = ["DigestSender", "Scheduler"]

DigestSender = Callable[[DigestPost], Awaitable[None]]

POLL_SECONDS = 30.0  # a digest is posted within this long of its time
PURGE_EVERY = timedelta(hours=1)


class Scheduler:
    def __init__(
        self,
        *,
        digests: DigestService,
        clock: Clock,
        interval: float = POLL_SECONDS,
        retention: Sequence[RetentionJob] = (),
    ) -> None:
        self._digests = digests
        self._clock = clock
        self._interval = interval
        self._retention = retention
        self._senders: dict[Platform, DigestSender] = {}
        self._last_purge: datetime | None = None

    def deliver(self, platform: Platform, send: DigestSender) -> None:
        """Post `platform`'s digests with `send`. Digests of platforms that registered no sender
        (not running in this process) stay in the database for a process that has one."""
        self._senders[platform] = send

    async def tick(self) -> None:
        """One round: purge expired data when an hour has passed, then post due digests.

        Failures are logged and the loop carries on: a database hiccup or one chat that blocked
        the bot must not stop every other chat's digest.
        """
        await self._purge_if_due()
        try:
            due = await self._digests.due(list(self._senders))
        except Exception:
            logger.exception("could not read the due digests")
            return
        for chat, due_at in due:
            try:
                post = await self._digests.run(chat, due_at)
                if post is not None:
                    await self._senders[chat.platform](post)
            except errors.MimoModelRefused as exc:  # the owner's to fix: one line, no trace
                logger.error("the digest of %s failed: %s", chat, exc.detail)
            except Exception:
                logger.exception("the digest of %s failed", chat)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Tick, sleep, tick... for as long as the block lasts; a tick under way when it ends
        is finished first (`core.ports.background_tasks.every`)."""
        async with background_tasks.every(
            self._interval, self.tick, name="voicebridge-scheduler", delay=0,
            sleep=self._clock.sleep,
        ):  # fmt: skip
            yield

    async def _purge_if_due(self) -> None:
        now = self._clock.now()
        if self._last_purge is None or now - self._last_purge >= PURGE_EVERY:
            self._last_purge = now
            for job in self._retention:
                try:
                    await job.run()
                except Exception:  # not a reason to keep the other kinds; retried in an hour
                    logger.exception("the retention purge of %s failed", job.name)
