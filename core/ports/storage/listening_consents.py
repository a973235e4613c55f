"""Listening consent as stored: members' yes or no to being transcribed in a call
(`core.app.calls.listening_consents` decides)."""

from __future__ import annotations

from typing import Protocol

from core.domain.values import ChatRef

__all__ = ["ListeningConsentStore"]


class ListeningConsentStore(Protocol):
    async def consenting(self, chat: ChatRef) -> set[str]:
        """The members of `chat` who said yes to being transcribed."""
        ...

    async def refusing(self, chat: ChatRef) -> set[str]:
        """The members of `chat` who said no to being transcribed (an import leaves them out)."""
        ...

    async def save(self, chat: ChatRef, member_id: str, consents: bool) -> None: ...

    async def delete_yeses(self, chat: ChatRef) -> None:
        """`/forget`: the members' yes; their no stays (an import still leaves them out)."""
        ...
