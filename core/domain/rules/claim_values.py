"""Claims on incoming work, as values: which message or command, where its work stands, how
many times a claim taken over is redone (`MAX_ATTEMPTS`), and what a finished one keeps.

`core.app.rules.work_claims.Claims` makes and settles them; storage keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from core.domain.shared_values import Platform

__all__ = [
    "CLAIM_STATES",
    "MAX_ATTEMPTS",
    "Claim",
    "ClaimKind",
    "ClaimState",
    "TakenOver",
    "answered_payload",
]

ClaimKind = Literal["message", "command"]
ClaimState = Literal["started", "done", "failed"]
CLAIM_STATES: tuple[ClaimState, ...] = ("started", "done", "failed")
MAX_ATTEMPTS = 2  # a request whose work killed two processes is not tried a third time


@dataclass(frozen=True)
class Claim:
    """One incoming request, named the way its platform can address it again.

    `chat_id` and `message_id` are the Telegram chat and message, or the Discord channel and
    message; a Discord interaction (`kind` "command") has no message to reply to, so its id takes
    that place and `requester` says whom to address.
    """

    platform: Platform
    chat_id: str
    message_id: str
    kind: ClaimKind = "message"
    requester: str | None = None


@dataclass(frozen=True)
class TakenOver:
    """A claim whose process stopped renewing its lease, now this process's to finish:
    `payload` is what its work is redone from (None: it cannot be), `attempts` how many times
    it has been taken over, this time included, and `claimed_at` when it first came in."""

    claim: Claim
    payload: str | None
    attempts: int
    claimed_at: datetime


def answered_payload(answer: str | None) -> str | None:
    """What a finished claim keeps in place of what to redo it from (nothing is redone from a
    finished claim): the id of the message that answered it, where known."""
    return None if answer is None else f"answered by {answer}"
