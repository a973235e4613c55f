"""How summaries read in a chat, the same on every platform: a chat's summary or digest, and the
gist of a recording (`/tldr`, `voicebridge summarise`), its card (its sections' order and their
lines are `core.domain.recordings.gist_format`'s, their headings the reader's language) and the
whole transcript beside it as a file with the time of each part."""

from __future__ import annotations

from core.chat.locale_formats import moment
from core.chat.message_catalogue import text
from core.chat.transcript_files import TranscriptFile, timed_lines
from core.domain.message_splitting import format_duration
from core.domain.recordings.gist_format import SECTIONS, Gist, GistItem, card_line
from core.domain.summaries.summary_values import Summary

__all__ = ["gist_card", "summary_text", "timed_transcript"]

_HEADINGS = {"points": "gist.points", "decisions": "gist.decisions", "actions": "gist.actions"}


def gist_card(gist: Gist, locale: str) -> str:
    """The headline, then each section that has items, in `gist_format.SECTIONS`' order, one
    `gist_format.card_line` a line, under its heading in `locale`."""
    blocks = [text("gist.headline", locale, headline=gist.headline)]
    for field in SECTIONS:
        items: tuple[GistItem, ...] = getattr(gist, field)
        if items:
            lines = "\n".join(card_line(item) for item in items)
            blocks.append(f"{text(_HEADINGS[field], locale)}\n{lines}")
    return "\n\n".join(blocks)


def timed_transcript(gist: Gist, locale: str) -> TranscriptFile:
    """`[04:12] what was said` (`[04:12] Ann: what she said` in a call), a line per part, so
    the card's times can be looked up."""
    lines = timed_lines(gist.transcript.parts)
    caption = text(
        "gist.transcript_caption", locale, duration=format_duration(gist.transcript.duration)
    )
    return TranscriptFile("transcript.txt", lines.encode(), caption)


def summary_text(summary: Summary, locale: str, *, digest: bool = False) -> str:
    """The header (how many messages since when) and the summary itself."""
    header = text(
        "digest.header" if digest else "summary.header",
        locale,
        count=summary.message_count,
        since=moment(summary.since, summary.time_zone, locale),
    )
    return f"{header}\n\n{summary.text}"
