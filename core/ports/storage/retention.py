"""What the retention jobs delete from (`core.app.memory.retention`)."""

from __future__ import annotations

from typing import Protocol

from core.ports.storage.inline import InlineUnitOfWork
from core.ports.storage.summaries import ChatLogUnitOfWork
from core.ports.storage.transcripts import TranscriptUnitOfWork
from core.ports.storage.voices import ConsentStore

__all__ = ["RetentionUnitOfWork"]


class RetentionUnitOfWork(ChatLogUnitOfWork, TranscriptUnitOfWork, InlineUnitOfWork, Protocol):
    """What the retention purges of what chats said (`core.app.memory.retention`) need."""

    @property
    def consents(self) -> ConsentStore: ...
