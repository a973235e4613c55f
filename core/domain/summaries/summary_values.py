"""Plain values of the chat log and its summaries. No I/O here.

A `ChatMessage` is platform-neutral on purpose: Telegram builds them from the messages it logs,
Discord will build them from channel history, and both hand the same list to `summarise`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Literal

from core.domain.memory.search_rules import Said
from core.domain.shared_values import ChatRef, VoiceNote

__all__ = [
    "MESSAGE_KINDS",
    "ChatMessage",
    "DigestPost",
    "MessageKind",
    "Summary",
    "SummaryState",
]

MessageKind = Literal["text", "caption", "transcript"]
MESSAGE_KINDS: tuple[MessageKind, ...] = ("text", "caption", "transcript")


@dataclass(frozen=True)
class ChatMessage:
    """One thing said in a chat: typed, written under media, or spoken in a voice note."""

    chat: ChatRef
    message_id: str
    author: str  # display name at the time, not an id: summaries talk about people by name
    sent_at: datetime  # timezone-aware
    text: str
    kind: MessageKind = "text"
    # Where its platform tells the bot of its deletion (a Discord channel's id, as the history
    # a /summary reads gives it); None: nothing tells (a Telegram group's log). A summary that
    # holds it is not sent once it was deleted (`core.app.rules.outgoing_check`).
    place: str | None = None

    @property
    def said(self) -> Said:
        """The message as its deletion is noted (`MemorySearch.forget_said`)."""
        return Said(self.message_id, self.author, self.sent_at, self.place)


@dataclass(frozen=True)
class SummaryState:
    """A chat's summary settings and bookkeeping; a missing row means these defaults."""

    logging_enabled: bool = True
    last_summary_at: datetime | None = None  # newest message the last summary covered
    digest_time: time | None = None  # local time of day in `time_zone`; None: no digest
    time_zone: str = "UTC"
    next_digest_at: datetime | None = None  # UTC instant the scheduler looks for


@dataclass(frozen=True)
class Summary:
    text: str
    message_count: int
    since: datetime  # the oldest message summarised
    time_zone: str
    voice: VoiceNote | None = None


@dataclass(frozen=True)
class DigestPost:
    """A scheduled summary on its way to a chat; the platform adapter only sends `text`."""

    chat: ChatRef
    text: str
