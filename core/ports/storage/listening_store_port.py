"""What listening keeps as stored: members' yes or no to being transcribed in a call
(`core.app.listening.listening_consents` decides), and the calls and channel readings under way,
kept while they last (`core.app.listening.kept_calls` and
`core.app.channel_reader.reading_resumption` take them up after a restart)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from core.domain.listening.kept_call_values import KeptCall, KeptReading
from core.domain.shared_values import ChatRef

__all__ = ["ListeningConsentStore", "LiveCallStore", "LiveReadingStore"]


class ListeningConsentStore(Protocol):
    async def consenting(self, chat: ChatRef) -> set[str]:
        """The members of `chat` who said yes to being transcribed."""
        ...

    async def refusing(self, chat: ChatRef) -> set[str]:
        """The members of `chat` who said no to being transcribed (an import leaves them out)."""
        ...

    async def save(self, chat: ChatRef, member_id: str, consents: bool) -> None: ...

    async def delete_yeses(self, chat: ChatRef) -> None:
        """The members' yes in `chat`; their no stays (`core.app.memory.forgetting`)."""
        ...


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
    """The channel readings, as stored while they last
    (`core.app.channel_reader.reading_resumption`)."""

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
