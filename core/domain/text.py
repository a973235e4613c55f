"""Text helpers: splitting long replies at natural boundaries, and a position in a recording as
it reads on a clock (`1:05`). Amounts that read differently in each language (`1 h 5 min`) are
`core.domain.quantities`."""

from __future__ import annotations

import re
import unicodedata

# Preferred places to cut, best first: a paragraph, a line, a sentence end, any space.
_BOUNDARIES = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"(?<=[.!?。！？…])\s*"),
    re.compile(r"\s"),
)


def split_message(text: str, limit: int, *, min_fill: float = 0.5) -> list[str]:
    """Cut `text` into pieces of at most `limit` characters, at the best boundary available.

    A boundary counts only if the piece before it is at least `min_fill` of `limit`: messages
    read best evenly filled, while speech wants whole sentences (`min_fill=0`). Pieces are
    stripped; no characters other than the whitespace at a cut are lost.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _best_cut(rest, limit, min_fill)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def pieces_or_none(text: str, limit: int, *, max_messages: int) -> list[str] | None:
    """`text` as at most `max_messages` clean pieces, or None when it needs more: a reader
    scrolls through a few messages happily, but a wall of them is better sent as a file."""
    pieces = split_message(text, limit)
    return pieces if len(pieces) <= max_messages else None


def _best_cut(text: str, limit: int, min_fill: float) -> int:
    """Where to cut: the last boundary within `limit` that leaves the piece full enough."""
    window = text[: limit + 1]
    for boundary in _BOUNDARIES:
        cut = max((m.end() for m in boundary.finditer(window) if m.end() <= limit), default=0)
        if cut > 0 and cut >= limit * min_fill:
            return cut
    return limit


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
