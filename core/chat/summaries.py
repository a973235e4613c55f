"""How summaries and digest schedules read in a chat, the same on every platform."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from core.chat.messages import text
from core.domain.summaries import Summary, SummaryState


def local_time(instant: datetime, zone: str) -> str:
    """`2026-11-21 18:00 Europe/Berlin`."""
    return f"{instant.astimezone(zoneinfo.ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}"


def summary_text(summary: Summary, locale: str = "en", *, digest: bool = False) -> str:
    """The header (how many messages since when) and the summary itself."""
    header = text(
        "digest.header" if digest else "summary.header",
        locale,
        count=summary.message_count,
        since=local_time(summary.since, summary.time_zone),
    )
    return f"{header}\n\n{summary.text}"


def schedule_text(state: SummaryState, locale: str = "en") -> str:
    """`/digest` without arguments, and the answer to changing it."""
    if state.digest_time is None or state.next_digest_at is None:
        return text("digest.off", locale)
    return text(
        "digest.on",
        locale,
        time=f"{state.digest_time:%H:%M}",
        zone=state.time_zone,
        next=local_time(state.next_digest_at, state.time_zone),
    )
