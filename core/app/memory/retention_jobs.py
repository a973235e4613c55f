"""Retention: the stored data that expires, and the one list of jobs that deletes it.

The scheduler runs every job once an hour in each process (`voicebridge run`); `voicebridge db
purge` runs them once, by hand or from cron, with neither MiMo nor a bot token. So the jobs are
built from storage-only parts (units of work, the clock, `Claims`, `Limiter`), never from
services that talk to MiMo; the chat log's purge lives here for that reason. Each job is one
idempotent DELETE of rows older than its horizon, so replicas may run them at the same time.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from core.app.rules.limits import KEEP_WINDOWS, Limiter
from core.app.rules.work_claims import Claims
from core.app.voices.clone_consent import KEPT_DAYS
from core.ports import Clock, RetentionUnitOfWork

logger = logging.getLogger(__name__)

__all__ = ["RetentionJob", "retention_jobs"]


@dataclass(frozen=True)
class RetentionJob:
    """One kind of expired data: what `voicebridge db purge` calls it, how to delete it (the
    number of rows deleted comes back), and what counts as expired, for people."""

    name: str
    run: Callable[[], Awaitable[int]]
    horizon: str


def retention_jobs(
    *,
    uow: Callable[[], RetentionUnitOfWork],
    clock: Clock,
    days: int,
    claims: Claims,
    limiter: Limiter,
) -> list[RetentionJob]:
    """Every retention job, keeping `days` days (SUMMARY_RETENTION_DAYS) of what a chat left."""
    kept = f"older than {_days(days)}"
    return [
        RetentionJob("messages", partial(purge_messages, uow, clock, days), kept),
        RetentionJob("transcripts", partial(purge_transcripts, uow, clock, days), kept),
        RetentionJob("inline voices", partial(purge_inline_voices, uow, clock, days), kept),
        RetentionJob("claims", claims.purge_expired, kept),
        RetentionJob("rate windows", limiter.purge, f"older than {_hours(KEEP_WINDOWS)}"),
        # Only today's usage matters to the quotas and /usage; earlier days record when a chat
        # used the bot, so they go after the same period as the rest of what it left.
        RetentionJob("daily usage", partial(limiter.purge_days, keep_days=days), kept),
        RetentionJob(
            "consent sentences",
            partial(purge_consents, uow, clock),
            f"older than {_days(KEPT_DAYS)}",  # clone_consent's rule, whatever the setting
        ),
    ]


async def purge_messages(uow: Callable[[], RetentionUnitOfWork], clock: Clock, days: int) -> int:
    """Delete every chat's logged messages (and transcripts) older than `days` days."""
    return await _purge(
        uow, clock, days, "messages sent", lambda u, t: u.chat_log.delete_sent_before(t)
    )


async def purge_transcripts(uow: Callable[[], RetentionUnitOfWork], clock: Clock, days: int) -> int:
    """Delete every chat's kept transcripts (`core.app.recordings.kept_transcripts`) made more than
    `days` days ago; returns how many recordings' transcripts went."""
    return await _purge(
        uow, clock, days, "kept transcripts made", lambda u, t: u.transcripts.delete_made_before(t)
    )


async def purge_inline_voices(
    uow: Callable[[], RetentionUnitOfWork], clock: Clock, days: int
) -> int:
    """Delete the voice notes inline mode rendered (`core.app.voices.inline_mode`) more than `days`
    days ago: the same words are rendered afresh when asked for again. Their messages in the cache
    chat stay: this runs without a bot (`voicebridge db purge`), and Telegram lets a bot delete a
    message only in its first 48 hours."""
    return await _purge(
        uow, clock, days, "inline voice notes made",
        lambda u, t: u.inline_voices.delete_made_before(t),
    )  # fmt: skip


async def purge_consents(uow: Callable[[], RetentionUnitOfWork], clock: Clock) -> int:
    """Delete the consent sentences asked for and the readings seen more than `KEPT_DAYS` ago
    (`core.app.voices.clone_consent`)."""
    return await _purge(
        uow, clock, KEPT_DAYS, "consent sentences and readings",
        lambda u, t: u.consents.delete_before(t),
    )  # fmt: skip


async def _purge(
    uow: Callable[[], RetentionUnitOfWork],
    clock: Clock,
    days: int,
    what: str,
    delete: Callable[[RetentionUnitOfWork, datetime], Awaitable[int]],
) -> int:
    """`delete` what is older than `days` days, in one unit of work; says how much went."""
    cutoff = clock.now() - timedelta(days=days)
    async with uow() as unit:
        deleted = await delete(unit, cutoff)
        await unit.commit()
    if deleted:
        logger.info("retention: deleted %d %s before %s", deleted, what, cutoff)
    return deleted


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _hours(span: timedelta) -> str:
    hours = round(span.total_seconds() / 3600)
    return "1 hour" if hours == 1 else f"{hours} hours"
