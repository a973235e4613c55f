"""The status message a Telegram transcript becomes, noted in its claim, so that a redo after a
kill edits that message instead of answering again.

Telegram shows a bot nothing of a chat's history: a process that takes over a dead one's work
cannot look for the answer it may have sent (Discord's redo does:
`bots.discord.claims_and_redo.crash_redo`). So the answer is made so that a second delivery cannot
be a second message: the status is sent as the work starts, its id is written into the claim's
payload (beside the update it is redone from) before anything else is shown in it, and the
transcript is an edit of it. A process killed after Telegram accepted the transcript, before the
claim was marked done, leaves the status's id in the claim; the redo edits the same message ("not
modified" where it already reads the transcript), and the chat reads one answer.

    StatusNotes.handling(claim, update)  the claimed update's handling
                                         (`bots.telegram.claims_and_redo.update_claims`)
    StatusNotes.of(update)               its note, handed by the handler to its reply
    StatusNote.noted(message_id)         the status is sent: into the claim it goes
    StatusNote.earlier                   the status a process before this one sent, if any
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from telegram import Update

from core.app.rules.work_claims import Claims
from core.domain.rules.claim_values import Claim

logger = logging.getLogger(__name__)

__all__ = ["StatusNote", "StatusNotes"]

STATUS_KEY = "voicebridge_status"  # in a claim's payload: the id of the status message sent


@dataclass(frozen=True)
class StatusNote:
    """The status message of one claimed update: the one a process that died sent for it
    (`earlier`), and the one sent now, noted in its claim (`noted`). Handed to the update's
    handler by name (`StatusNotes.of`), never found through the task it runs in."""

    claims: Claims
    claim: Claim
    update: dict[str, Any]  # as the claim stores it
    earlier: int | None  # the status a process before this one sent for it

    async def noted(self, message_id: int) -> None:
        """The update's status is `message_id`: noted in its claim, so a redo edits it."""
        payload = json.dumps({**self.update, STATUS_KEY: message_id})
        await self.claims.amend(self.claim, payload)


class StatusNotes:
    """The status messages noted in the claims of `claims` that are taken over here, and the
    note of each update being handled, by its id."""

    def __init__(self, claims: Claims) -> None:
        self.claims = claims
        self._earlier: dict[Claim, int] = {}  # taken over, not yet handled again
        self._handling: dict[int, StatusNote] = {}  # by update id

    def redone(self, claim: Claim, data: dict[str, Any]) -> dict[str, Any]:
        """The update a taken-over claim's payload holds, its status message taken note of."""
        status = data.pop(STATUS_KEY, None)
        if isinstance(status, int):
            self._earlier[claim] = status
        return data

    @contextmanager
    def handling(self, claim: Claim, update: dict[str, Any]) -> Iterator[None]:
        """While the block handles `update`, claimed as `claim`, its note is `of` it."""
        update_id = update.get("update_id")
        note = StatusNote(self.claims, claim, update, self._earlier.pop(claim, None))
        if isinstance(update_id, int):
            self._handling[update_id] = note
        try:
            yield
        finally:
            if isinstance(update_id, int):
                self._handling.pop(update_id, None)

    def of(self, update: Update) -> StatusNote | None:
        """The note of `update` while it is handled as claimed; None for an update handled
        unclaimed (the bot without claims, or a kind it does not claim)."""
        return self._handling.get(update.update_id)
