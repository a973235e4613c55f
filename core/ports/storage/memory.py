"""What voice memory (`/find`, `/ask` across the chat) reads in one unit of work."""

from __future__ import annotations

from typing import Protocol

from core.ports.storage.business import BusinessUnitOfWork
from core.ports.storage.reading import ReadingUnitOfWork
from core.ports.storage.summaries import SummaryUnitOfWork
from core.ports.storage.transcripts import TranscriptUnitOfWork

__all__ = ["ImportUnitOfWork", "MemoryUnitOfWork"]


class MemoryUnitOfWork(SummaryUnitOfWork, BusinessUnitOfWork, Protocol):
    """What `core.app.memory.search` needs: the kept transcripts, the chat's time zone, and a
    Business owner's connection (its transcripts are the owner's to find)."""


class ImportUnitOfWork(SummaryUnitOfWork, TranscriptUnitOfWork, ReadingUnitOfWork, Protocol):
    """What an import of a chat's past (`core.app.memory.imports`) reads: what is kept whole
    already, who said no to being transcribed, and whether the chat keeps its messages for
    summaries."""
