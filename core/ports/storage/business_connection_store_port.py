"""Telegram Business connections (`core.app.recordings.business_chats`)."""

from __future__ import annotations

from typing import Protocol

from core.domain.recordings.business_choices import BusinessConnection
from core.ports.storage.claim_store_port import ClaimStore
from core.ports.storage.kept_transcript_store_port import TranscriptStore
from core.ports.storage.unit_of_work_port import UnitOfWork

__all__ = ["BusinessConnectionStore", "BusinessUnitOfWork"]


class BusinessConnectionStore(Protocol):
    """Telegram Business connections and their owners' choices
    (`core.app.recordings.business_chats`)."""

    async def get(self, connection_id: str) -> BusinessConnection | None: ...

    async def of_owner(self, owner_user_id: str) -> BusinessConnection | None: ...

    async def save(self, connection: BusinessConnection) -> None: ...

    async def delete(self, connection_id: str) -> None: ...


class BusinessUnitOfWork(UnitOfWork, Protocol):
    """What `core.app.recordings.business_chats` needs: the connections, and the claims on their
    messages and the transcripts kept of their recordings (which a disconnection deletes)."""

    @property
    def business(self) -> BusinessConnectionStore: ...

    @property
    def claims(self) -> ClaimStore: ...

    @property
    def transcripts(self) -> TranscriptStore: ...
