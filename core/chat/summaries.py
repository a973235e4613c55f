"""How summaries and digest schedules read in a chat, the same on every platform."""

from __future__ import annotations

from core.chat.formats import moment, time_of_day
from core.chat.messages import text
from core.domain.summaries import Summary, SummaryState


def summary_text(summary: Summary, locale: str, *, digest: bool = False) -> str:
    """The header (how many messages since when) and the summary itself."""
    header = text(
        "digest.header" if digest else "summary.header",
        locale,
        count=summary.message_count,
        since=moment(summary.since, summary.time_zone, locale),
    )
    return f"{header}\n\n{summary.text}"


def schedule_text(state: SummaryState, locale: str) -> str:
    """`/digest` without arguments, and the answer to changing it."""
    if state.digest_time is None or state.next_digest_at is None:
        return text("digest.off", locale)
    return text(
        "digest.on",
        locale,
        time=time_of_day(state.digest_time, locale),
        zone=state.time_zone,
        next=moment(state.next_digest_at, state.time_zone, locale),
    )
