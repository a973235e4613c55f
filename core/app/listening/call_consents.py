"""A listened call's consents (`CallConsents`): who in the call is transcribed, each member's
answer (yes or no) during it and when each last said no, the no's that hold in it alone, and who
was told whether they are transcribed, and when.

The call (`core.app.listening.listened_call.ListenedCall`) holds one from its start: the yeses
stored when it begins (`read`), then each yes or no a member says while it lasts (`follow`), which
`core.app.listening.listening_consents` decides and stores. A no holds for what the member began
saying before it too, however soon a yes follows (`given`). A no the database refused holds in this
call alone (`unsaved`), stored again before the call is kept for a restart. Its fields are read by
others and written by its own methods alone. A member who leaves and comes back is told again
whether they are transcribed only once `NOTICE_AGAIN` has passed (`arrived`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

__all__ = ["NOTICE_AGAIN", "CallConsents"]

NOTICE_AGAIN = timedelta(minutes=5)  # a member told of the listening is not told again sooner


@dataclass(eq=False)
class CallConsents:
    """Who in a listened call consents, and since when (module docstring)."""

    consenting: set[str]  # who is transcribed
    # Each member's answer during the call, over what `read` read: a no said while it read the
    # consents stays a no; and when each last said no.
    answers: dict[str, bool] = field(default_factory=dict)
    withdrawn_at: dict[str, datetime] = field(default_factory=dict)
    # The no's that hold in this call only: the database refused them (`core.app.listening.
    # listening_consents`); stored again before the call is kept for a restart.
    unsaved: set[str] = field(default_factory=set)
    told: dict[str, datetime] = field(default_factory=dict)  # when each was told it listens

    def read(self, consenting: set[str], *, present: Sequence[str], now: datetime) -> None:
        """The yeses stored, read after the call was registered: a no said meanwhile stays a
        no. Those `present` are told `now` whether they are transcribed."""
        self.consenting |= {member for member in consenting if member not in self.answers}
        self.told = dict.fromkeys(present, now)

    def follow(self, member_id: str, yes: bool) -> None:
        """The member's yes or no, from now on: a no holds for everything they said before it
        too, however soon a yes follows (`given`)."""
        self.answers[member_id] = yes
        (self.consenting.add if yes else self.consenting.discard)(member_id)
        if not yes:
            # By the wall clock, which the adapter times the pieces by.
            self.withdrawn_at[member_id] = datetime.now(UTC)

    def no_unsaved(self, member_id: str) -> None:
        """The member's no holds in this call, but the database refused it."""
        self.unsaved.add(member_id)

    def no_stored(self, member_id: str) -> None:
        """The member's answer is stored: their no no longer holds in this call only."""
        self.unsaved.discard(member_id)

    def given(self, member_id: str, said_at: datetime | None = None) -> bool:
        """Whether the member consents: with their yes; and for what they began saying at
        `said_at`, only after their last no (a piece that waited for MiMo's minute while they
        said no, then yes again, is not theirs to give). Asked for every packet off the voice
        socket (`ListenedCall.admits`), so a set lookup."""
        if member_id not in self.consenting:
            return False
        withdrawn = self.withdrawn_at.get(member_id)
        return said_at is None or withdrawn is None or said_at >= withdrawn

    def arrived(self, member_id: str, *, now: datetime, again: timedelta) -> bool | None:
        """A member joined the call: whether they are transcribed, to be told so; None when
        they were told within `again`."""
        told = self.told.get(member_id)
        if told is not None and now - told < again:
            return None
        self.told[member_id] = now
        return member_id in self.consenting
