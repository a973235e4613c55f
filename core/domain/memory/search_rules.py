"""Voice memory: what `/find` looks for in a chat's kept transcripts, and what it finds. No I/O.

fold     case and accents folded (`Écoute` and `ecoute` are one word), the same way for the
         text kept (its `folded` column, which the search index holds) and for the words
         asked for; every folded character remembers the character of the text it came
         from, so the words found are marked in the text as it was said
words    what is asked for, cut at spaces: each word must be in the line (as part of a
         word too: `voice` finds `voicebridge`, and `发票` any line with those two
         characters, Chinese, Japanese and Korean having no spaces between words); control
         characters, marks of text direction and what is not a character at all (a NUL, half
         of a surrogate pair a client sent alone) separate words, as spaces do
Moment   one line found: who said it, when (the recording's message, and the time inside
         the recording or call), the sentence around the words, and where it was said
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from core.domain.shared_values import ChatRef

__all__ = [
    "MAX_QUESTION_MOMENTS",
    "PAGE_SIZE",
    "SNIPPET_CHARS",
    "FoundPage",
    "Moment",
    "Said",
    "call_channel",
    "fold",
    "marked_snippet",
    "search_words",
]

MAX_WORDS = 8  # more words than this in one search are dropped
PAGE_SIZE = 10  # moments per page of `/find`; Discord's show five (its cog's DISCORD_PAGE_SIZE)
SNIPPET_CHARS = 160  # at most this much of a line is shown around the words found
MAX_QUESTION_MOMENTS = 40  # moments one `/ask` without a reply reads
# Control characters (NUL among them), lone surrogates, and the marks that only set the direction
# of text around them (RLM, LRE...) or a byte order: nothing a line can be searched by.
_UNSEARCHABLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def fold(text: str) -> str:
    """`text` with case and accents folded: what the search index holds."""
    return "".join(_fold_char(char) for char in text)


def _fold_char(char: str) -> str:
    if char.isascii():
        return char.lower()
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return bare.casefold()


def folded_positions(text: str) -> tuple[str, list[int]]:
    """`fold(text)`, and for each of its characters the index in `text` it came from."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        piece = _fold_char(char)
        folded.append(piece)
        origin.extend([index] * len(piece))
    return "".join(folded), origin


def search_words(query: str) -> tuple[str, ...]:
    """The folded words of `query`, each once, at most `MAX_WORDS`."""
    words: list[str] = []
    for word in fold(_UNSEARCHABLE.sub(" ", query)).split():
        if word not in words:
            words.append(word)
    return tuple(words[:MAX_WORDS])


@dataclass(frozen=True)
class Said:
    """Where a recording was said, as its platform knows it: the message that carried it, who
    sent it, when, and (Discord) the channel it is in. A call's lines have their speaker and
    their voice channel instead."""

    message_id: str
    author: str
    sent_at: datetime
    place: str | None = None  # Discord: the channel's id; Telegram: None (the chat is the place)
    # Imported from before the bot came (`core.app.memory.importer`): kept as made when it was said,
    # so that the retention counts from the message's own date.
    past: bool = False
    # Heard by an import (`core.app.memory.importer`): the mark it runs under, which a /forget
    # deletes; a piece is kept only while the mark stands, checked as it is kept.
    during: str | None = None

    @property
    def deletable(self) -> bool:
        """Whether its platform tells the bot when it is deleted: a Discord channel's message
        and a Telegram Business contact's, those said in a place (Telegram tells a bot of no
        deletion in a group or a private chat, nor in an export)."""
        return self.place is not None

    def kept_at(self, now: datetime) -> datetime:
        """When a transcript of it counts as made: now, or for a past message, when sent."""
        return self.sent_at if self.past else now


@dataclass(frozen=True)
class Moment:
    """One line of a kept transcript where the words were said."""

    recording: str  # the kept recording's key (`call:<channel>:<start>` for a call)
    start: float  # seconds into the recording or call
    text: str  # the line as it was said
    made_at: datetime  # when it was kept
    speaker: str | None = None  # a call's line: who said it
    said: Said | None = None  # a recording's message, where known
    call_channel: str | None = None  # a call's voice channel
    chat: ChatRef | None = None  # where it is kept: the chat, or a Business connection
    speaker_id: str | None = None  # a call's line: its speaker's id, whose no an answer heeds

    @property
    def who(self) -> str | None:
        return self.speaker or (self.said.author if self.said else None)

    @property
    def when(self) -> datetime:
        return self.said.sent_at if self.said else self.made_at

    @property
    def place(self) -> str | None:
        """The Discord channel it was said in (a call's voice channel), where known."""
        return self.call_channel or (self.said.place if self.said else None)


@dataclass(frozen=True)
class FoundPage:
    """One page of what `/find` found, newest first; `page` counts from 0."""

    words: tuple[str, ...]
    moments: tuple[Moment, ...]
    page: int
    more: bool  # a next page exists
    zone: str = "UTC"  # the chat's time zone, for showing when each was said
    size: int = PAGE_SIZE  # moments a full page holds

    @property
    def first(self) -> int:
        """The number of its first moment, counting from 1."""
        return self.page * self.size + 1


def call_channel(recording: str) -> str | None:
    """The voice channel of a call's kept recording (`call:<channel>:<start>`), else None."""
    if not recording.startswith("call:"):
        return None
    channel, _, _ = recording.removeprefix("call:").partition(":")
    return channel or None


def marked_snippet(
    text: str, words: tuple[str, ...], *, mark: tuple[str, str], width: int = SNIPPET_CHARS
) -> str:
    """The part of `text` around the first word found, at most `width` characters long, with
    every word found between `mark`'s two halves; `…` where it was cut."""
    folded, origin = folded_positions(text)
    spans = _spans(folded, origin, words)
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    start = max(0, min(start, end - width))
    pieces: list[str] = ["…" if start > 0 else ""]
    at = start
    for begin, stop in spans:
        if begin < at or stop > end:
            continue
        pieces += [text[at:begin], mark[0], text[begin:stop], mark[1]]
        at = stop
    pieces += [text[at:end], "…" if end < len(text) else ""]
    return " ".join("".join(pieces).split())


def _spans(folded: str, origin: list[int], words: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where in the original text each word was found, in order, not overlapping."""
    found: list[tuple[int, int]] = []
    for word in words:
        for match in re.finditer(re.escape(word), folded):
            begin = origin[match.start()]
            stop = origin[match.end() - 1] + 1
            found.append((begin, stop))
    found.sort()
    merged: list[tuple[int, int]] = []
    for begin, stop in found:
        if merged and begin < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(stop, merged[-1][1]))
        else:
            merged.append((begin, stop))
    return merged
