"""How summaries and digests read in a chat, the same on every platform."""

from __future__ import annotations

from core.chat.locale_formats import moment
from core.chat.messages import text
from core.domain.summaries import Summary

__all__ = ["summary_text"]


def summary_text(summary: Summary, locale: str, *, digest: bool = False) -> str:
    """The header (how many messages since when) and the summary itself."""
    header = text(
        "digest.header" if digest else "summary.header",
        locale,
        count=summary.message_count,
        since=moment(summary.since, summary.time_zone, locale),
    )
    return f"{header}\n\n{summary.text}"
