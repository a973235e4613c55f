"""A chat's past, as an import reads it (`core.app.memory.importer`): values, no I/O.

PastVoice       one voice message of the history: message, sender, date, declared length,
                and where its recording is (an export's file, or a URL)
Past            what a chat's history holds: its voice messages and its text messages, read
                by an adapter (`bots.cli.memory` for a Telegram Desktop export,
                the Discord cog `/remember` for a channel's history)
ImportPlan      what an import will do, said before anything is spent (`Importer.plan`)
ImportProgress  how far an import is (`ImportRun`), shown as it goes and returned at its end
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from core.domain.memory.search_rules import Said
from core.domain.memory.write_mandates import Mandate
from core.domain.shared_values import ChatRef
from core.domain.summaries.summary_values import ChatMessage
from core.ports import RemoteRecording

__all__ = ["ImportPlan", "ImportProgress", "Past", "PastVoice"]


@dataclass(frozen=True)
class PastVoice:
    """One voice message of a chat's past: its message, sender, date and declared length, and
    where its recording is (a file of an export, or a URL to download)."""

    message_id: str
    author: str
    author_id: str | None
    sent_at: datetime
    seconds: float
    locate: Callable[[], Awaitable[str | Path]]
    size: int | None = None
    place: str | None = None  # Discord: its channel
    identity: str | None = None  # the platform's lasting id of the file (a Discord attachment's)
    name: str | None = None  # what the history calls its recording (an export's file), to say it

    def said(self, during: str | None = None) -> Said:
        """Its message, sender and date; heard by the import whose mark is `during`."""
        return Said(self.message_id, self.author, self.sent_at, self.place, past=True,
                    during=during)  # fmt: skip

    @property
    def kept_as(self) -> str:
        """The name its transcript is kept under."""
        return self.identity or f"past:{self.place or ''}:{self.message_id}"

    def logged(self, chat: ChatRef, words: str) -> ChatMessage:
        """Its transcript `words` as a line of the chat's log for summaries."""
        return ChatMessage(chat, self.message_id, self.author or "someone", self.sent_at, words,
                           "transcript")  # fmt: skip

    def recording(self, during: str | None = None) -> RemoteRecording:
        """Its recording, to be kept while the import's mark `during` stands."""
        return RemoteRecording(
            locate=self.locate, size=self.size, seconds=self.seconds, identity=self.kept_as,
            said=self.said(during),
        )  # fmt: skip


@dataclass(frozen=True)
class Past:
    """What a chat's history holds: its voice messages and its text messages. `logged`: a
    group's, whose messages may be kept for summaries (a private chat's never are)."""

    chat: ChatRef
    voices: Sequence[PastVoice]
    texts: Sequence[ChatMessage] = ()
    logged: bool = True


@dataclass(frozen=True)
class ImportPlan:
    """What an import will do, said before anything is spent."""

    past: Past
    voices: tuple[PastVoice, ...]  # to transcribe, oldest first
    texts: tuple[ChatMessage, ...]  # to keep for summaries (none where the chat keeps none)
    too_old: int  # voice messages older than the retention window: not imported
    left_out: int  # of people who said no to being transcribed
    done_before: int  # kept whole already
    quota: int  # the chat's daily seconds of audio (0: no limit)
    quota_left: int
    budget: int  # the whole bot's daily seconds of audio (0: no budget)
    budget_left: int
    days: int  # SUMMARY_RETENTION_DAYS
    # What it writes under, read as it was planned: a /forget of the chat since (the person
    # still deciding, or the import under way), in any process, ends it.
    mandate: Mandate | None = None

    @property
    def seconds(self) -> float:
        return sum(voice.seconds for voice in self.voices)

    def share_of(self, limit: int) -> float | None:
        """What the import takes of `limit` seconds a day, as a fraction (None: no limit)."""
        return self.seconds / limit if limit else None


@dataclass
class ImportProgress:
    """How far an import is: messages and seconds of speech done (failed ones included)."""

    total: int
    seconds_total: float
    done: int = 0
    seconds_done: float = 0.0
    failed: int = 0  # could not be transcribed (unreadable, longer than a day's quota...)
    why_failed: list[Exception] = field(default_factory=list)  # each failure's error, in order
    left_out: int = 0  # their sender said no to being transcribed since the plan
    # Recordings ffmpeg could not read as one (a playlist, a list of files...), by `name`.
    unreadable: list[str] = field(default_factory=list)
    forgotten: bool = False  # ended by a /forget in the chat (`Importer.forget`)
    gone: int = 0  # deleted on their platform before or while they were heard: skipped
    elsewhere: int = 0  # heard by another import of the chat running at the same time
    transcribed: list[str] = field(default_factory=list)  # message ids, in the order done
