"""What voice memory reads and deletes from in one unit of work: what `/find` and `/ask` across
the chat read, what an import of a chat's past reads, and what the retention jobs
(`core.app.memory.retention_jobs`) delete from."""

from __future__ import annotations

from typing import Protocol

from core.ports.storage.business_connection_store_port import BusinessUnitOfWork
from core.ports.storage.chat_log_store_port import ChatLogUnitOfWork, SummaryUnitOfWork
from core.ports.storage.inline_voice_store_port import InlineUnitOfWork
from core.ports.storage.kept_transcript_store_port import TranscriptUnitOfWork
from core.ports.storage.own_voice_store_port import ConsentStore
from core.ports.storage.reader_choices_store_port import ReadingUnitOfWork

__all__ = ["ImportUnitOfWork", "MemoryUnitOfWork", "RetentionUnitOfWork"]


class MemoryUnitOfWork(SummaryUnitOfWork, BusinessUnitOfWork, Protocol):
    """What `core.app.memory.chat_search` needs: the kept transcripts, the chat's time zone, and a
    Business owner's connection (whose transcripts it reads too)."""


class ImportUnitOfWork(SummaryUnitOfWork, TranscriptUnitOfWork, ReadingUnitOfWork, Protocol):
    """What an import of a chat's past (`core.app.memory.importer`) reads: what is kept whole
    already, who said no to being transcribed, and whether the chat keeps its messages for
    summaries."""


class RetentionUnitOfWork(ChatLogUnitOfWork, TranscriptUnitOfWork, InlineUnitOfWork, Protocol):
    """What the retention purges of what chats said (`core.app.memory.retention_jobs`) need."""

    @property
    def consents(self) -> ConsentStore: ...
