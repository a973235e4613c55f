"""The calls being listened to, as stored while they last (`core.app.calls.kept_for_restart`)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from core.domain.live_calls import KeptCall, KeptReading
from core.domain.values import ChatRef

__all__ = ["LiveCallStore", "LiveReadingStore"]


class LiveCallStore(Protocol):
    async def get(self, server: ChatRef) -> KeptCall | None: ...

    async def servers(self, platform: str) -> set[ChatRef]:
        """The servers of `platform` with a call kept."""
        ...

    async def save(self, call: KeptCall) -> None:
        """Kept, replacing the server's call kept before."""
        ...

    async def alive(self, server: ChatRef, at: datetime, captions_message: str | None) -> None:
        """The server's call ran at `at`, its captions in `captions_message`."""
        ...

    async def delete(self, server: ChatRef) -> None: ...


class LiveReadingStore(Protocol):
    """The channel readings, as stored while they last (`core.app.reader.kept_for_restart`)."""

    async def get(self, server: ChatRef) -> KeptReading | None: ...

    async def servers(self, platform: str) -> set[ChatRef]:
        """The servers of `platform` with a reading kept."""
        ...

    async def save(self, reading: KeptReading) -> None:
        """Kept, replacing the server's reading kept before."""
        ...

    async def read(self, server: ChatRef, message_id: str, at: datetime) -> None:
        """`message_id` came up to be read in the server's reading, at `at`."""
        ...

    async def alive(self, server: ChatRef, at: datetime) -> None: ...

    async def delete(self, server: ChatRef) -> None: ...
