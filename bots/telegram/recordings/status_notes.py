"""The status message a Telegram transcript becomes, noted in its claim, so that a redo after a
kill edits that message instead of answering again.

Telegram shows a bot nothing of a chat's history: a process that takes over a dead one's work
cannot look for the answer it may have sent (Discord's redo does: `bots.discord.work.redo`). So the
answer is made so that a second delivery cannot be a second message: the status is sent as the
work starts, its id is written into the claim's payload (beside the update it is redone from)
before anything else is shown in it, and the transcript is an edit of it. A process killed
after Telegram accepted the transcript, before the claim was marked done, leaves the status's
id in the claim; the redo edits the same message ("not modified" where it already reads the
transcript), and the chat reads one answer.

    StatusNotes.handling(claim, update)  the claimed update's handling
                                         (`bots.telegram.application.claims`)
    noted(message_id)                    the status is sent: into the claim it goes
    earlier()                            the status a process before this one sent, if any
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from core.app.rules.claims import Claims
from core.domain.claims import Claim

logger = logging.getLogger(__name__)

STATUS_KEY = "voicebridge_status"  # in a claim's payload: the id of the status message sent


@dataclass(frozen=True)
class _Handled:
    claims: Claims
    claim: Claim
    update: dict[str, Any]  # as the claim stores it
    earlier: int | None  # the status a process before this one sent for it


_handled: ContextVar[_Handled | None] = ContextVar("voicebridge_status_note", default=None)


class StatusNotes:
    """The status messages noted in the claims of `claims` that are taken over here."""

    def __init__(self, claims: Claims) -> None:
        self.claims = claims
        self._earlier: dict[Claim, int] = {}  # taken over, not yet handled again

    def redone(self, claim: Claim, data: dict[str, Any]) -> dict[str, Any]:
        """The update a taken-over claim's payload holds, its status message taken note of."""
        status = data.pop(STATUS_KEY, None)
        if isinstance(status, int):
            self._earlier[claim] = status
        return data

    @contextmanager
    def handling(self, claim: Claim, update: dict[str, Any]) -> Iterator[None]:
        """While the block handles `update`, claimed as `claim`: `noted` and `earlier` are its."""
        handled = _Handled(self.claims, claim, update, self._earlier.pop(claim, None))
        token = _handled.set(handled)
        try:
            yield
        finally:
            _handled.reset(token)


def earlier() -> int | None:
    """The status message a process that died sent for the update handled in this task."""
    handled = _handled.get()
    return None if handled is None else handled.earlier


async def noted(message_id: int) -> None:
    """The status of the update handled in this task is `message_id`: noted in its claim, so a
    redo edits it. Outside a claimed update's handling it does nothing."""
    handled = _handled.get()
    if handled is None:
        return
    payload = json.dumps({**handled.update, STATUS_KEY: message_id})
    await handled.claims.amend(handled.claim, payload)
