"""Text helpers: splitting long replies at natural boundaries, and a position in a recording as
it reads on a clock (`1:05`). Amounts that read differently in each language (`1 h 5 min`) are
`core.domain.quantities`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

__all__ = [
    "MAX_MESSAGES_BEFORE_FILE",
    "Measure",
    "format_duration",
    "literal_markdown",
    "messages_or_none",
    "printable",
    "split_lines",
    "split_message",
    "tail_within",
    "utf16_units",
]

# A long answer that would take more messages than this comes as a .txt file instead, on either
# platform: a reader scrolls through a few messages happily, not through a wall of them.
MAX_MESSAGES_BEFORE_FILE = 3

# How a platform counts a message's length: characters (`len`), or Telegram's UTF-16 code units.
Measure = Callable[[str], int]

# Preferred places to cut, best first: a paragraph, a line, a sentence end, any space.
_BOUNDARIES = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"(?<=[.!?。！？…])\s*"),
    re.compile(r"\s"),
)


def utf16_units(text: str) -> int:
    """`text`'s length as Telegram counts it: UTF-16 code units (an emoji past U+FFFF is two)."""
    return len(text.encode("utf-16-le")) // 2


def split_message(
    text: str, limit: int, *, min_fill: float = 0.5, measure: Measure = len
) -> list[str]:
    """Cut `text` into pieces of at most `limit` (as `measure` counts), at the best boundary
    available.

    A boundary counts only if the piece before it is at least `min_fill` of the room: messages
    read best evenly filled, while speech wants whole sentences (`min_fill=0`). Pieces are
    stripped; no characters other than the whitespace at a cut are lost.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    rest = text.strip()
    while measure(rest) > limit:
        cut = _best_cut(rest, max(1, _room(rest, limit, measure)), min_fill)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def split_lines(text: str, limit: int, *, measure: Measure = len) -> list[str]:
    """`text` in as few pieces of at most `limit` (as `measure` counts) as its lines fill, cut
    only between lines: a list reads item by item, so no item is split across two messages. A
    single line longer than `limit` is cut as `split_message` cuts it."""
    pieces: list[str] = []
    current = ""
    for line in text.strip().split("\n"):
        joined = f"{current}\n{line}" if current else line
        if measure(joined) <= limit:
            current = joined
            continue
        if current.strip():
            pieces.append(current.strip("\n"))
        *whole, current = split_message(line, limit, measure=measure) or [""]
        pieces.extend(whole)
    if current.strip():
        pieces.append(current.strip("\n"))
    return pieces


def messages_or_none(
    text: str, limit: int, *, max_messages: int, measure: Measure = len
) -> list[str] | None:
    """`text` as at most `max_messages` clean messages, or None when it needs more: a reader
    scrolls through a few messages happily, but a wall of them is better sent as a file."""
    messages = split_message(text, limit, measure=measure)
    return messages if len(messages) <= max_messages else None


def tail_within(text: str, limit: int, *, measure: Measure = len) -> str:
    """The end of `text` that fits in `limit`, from a word's start where there is one, after
    "…"; `text` itself when it fits. What a status shows of a text too long for one message."""
    if measure(text) <= limit:
        return text
    start = len(text) - _room(text[::-1], max(0, limit - 1), measure)  # measures add up
    tail = text[start:]
    words = tail.split(maxsplit=1)
    if len(words) == 2 and not (text[start - 1].isspace() or tail[0].isspace()):
        tail = words[1]  # its first word is cut: leave it out
    return "…" + tail.lstrip()


def _room(text: str, limit: int, measure: Measure) -> int:
    """How many of `text`'s first characters fit in `limit`, as `measure` counts."""
    if measure(text) <= limit:
        return len(text)
    low, high = 0, min(len(text), limit)  # every character counts at least one
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def _best_cut(text: str, limit: int, min_fill: float) -> int:
    """Where to cut: the last boundary within `limit` that leaves the piece full enough."""
    window = text[: limit + 1]
    for boundary in _BOUNDARIES:
        cut = max((m.end() for m in boundary.finditer(window) if m.end() <= limit), default=0)
        if cut > 0 and cut >= limit * min_fill:
            return cut
    return limit


# What Markdown (Discord's among them) reads as markup: each is shown as itself after a
# backslash, which any punctuation may take.
_MARKUP = re.compile(r"([\\*_~`|>\[\]()#<@-])")


def literal_markdown(text: str) -> str:
    """`text` (a member's name, say) as a Markdown message shows it: every character that
    could start markup (bold, a masked link, a heading, a mention) escaped."""
    return _MARKUP.sub(r"\\\1", text)


def printable(text: str) -> str:
    """`text` without control characters (line breaks and tabs kept): they break TTS requests."""
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cs", "Co"}
    )


def format_duration(seconds: float) -> str:
    """`1:05` for 65 s, `1:02:03` past an hour."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
