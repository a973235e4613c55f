"""A chat platform user who connected the bot to their own account (Telegram Business), and what
they chose: whether their private chats' recordings are transcribed, where the transcript goes,
and which chats are left alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["BUSINESS_PREFIX", "DESTINATIONS", "BusinessConnection", "Destination", "claims_chat_id"]

Destination = Literal["owner", "reply"]
"""`owner`: privately, in the owner's chat with the bot (the other person sees nothing);
`reply`: as a reply in the chat itself, sent on the owner's behalf."""

# Every destination there is. The table's check is built from these, and the database holds
# the check migration 0017 made: a new destination needs a migration that replaces it
# (tests/integration/test_migrations.py compares the two).
DESTINATIONS: tuple[Destination, ...] = ("owner", "reply")


@dataclass(frozen=True)
class BusinessConnection:
    """One connection and its owner's choices. `can_reply`: the rights the owner gave the bot
    let it send on their behalf (kept up to date from the platform's updates)."""

    connection_id: str
    owner_user_id: str
    owner_chat_id: str
    can_reply: bool
    transcripts: bool = True
    destination: Destination = "owner"
    skipped_chats: frozenset[str] = field(default_factory=frozenset)

    def transcribes(self, *, chat_id: str, sender_id: str | None) -> bool:
        """Whether a recording `sender_id` sent in `chat_id` is transcribed for the owner: not
        when they turned it off, skipped that chat, or sent it themselves."""
        if not self.transcripts or chat_id in self.skipped_chats:
            return False
        return sender_id != self.owner_user_id

    @property
    def replies(self) -> bool:
        """Transcripts go into the chat itself: chosen, and allowed by the connection."""
        return self.destination == "reply" and self.can_reply


BUSINESS_PREFIX = "business:"


def claims_chat_id(connection_id: str) -> str:
    """Where the claims on a connection's messages are kept (`core.app.rules.work_claims`): apart
    from every ordinary chat, whose ids are numbers, so a disconnection deletes them all at once."""
    return f"{BUSINESS_PREFIX}{connection_id}"
