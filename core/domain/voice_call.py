"""A server's voice call as the core decides it: who has a seat in it, and who may end what
has one.

A bot has one voice connection in a server. Reading a channel aloud
(`core.app.reader.channel_reader`) and listening (`core.app.calls.listening`) are two occupants
of it, each with its seat: where both were asked for in the same voice channel, they share it.
`/say` in a voice channel is a third, which shares with nothing: it joins only where the bot is in
no voice channel of the server, plays, and leaves.

    join     the first occupant joins; the reading joins deafened (a deafened client is sent no
             voice), the listening undeafened. The other comes along into that call where it
             is in the same voice channel, the other alone in it, with a client that can
             listen: the listening undeafens it as it comes
    let go   an occupant done with the call: it is left once no seat is taken; deafened again where
             the reading goes on without the listening
    stop     one rule for both occupants (`/stop`, `/skip`, `/stop_listening`): their starter,
             anyone allowed to move members out of the voice channel, or anyone once the
             starter has left it
"""

from __future__ import annotations

import enum

from core.domain.values import ChatRef

__all__ = ["SHARING", "AfterLettingGo", "CallSeats", "Occupant", "may_stop"]


class Occupant(enum.StrEnum):
    """What may have a seat in a server's voice call: what the bot is in it for."""

    READING = "reading"
    LISTENING = "listening"
    SAYING = "saying"  # `/say` in a voice channel: alone in the call, for its clips

    @property
    def joins_deaf(self) -> bool:
        """Whether it joins deafened: the reading and /say hear nothing, the listening must."""
        return self is not Occupant.LISTENING


SHARING = frozenset({Occupant.READING, Occupant.LISTENING})  # the occupants that may share a call


class AfterLettingGo(enum.Enum):
    """What becomes of the call once an occupant lets go of it."""

    LEAVE = "leave"  # no seat is taken any more
    DEAFEN = "deafen"  # the reading goes on, without the listening
    STAY = "stay"  # the listening goes on, without the reading


class CallSeats:
    """The seats taken in the bot's call in each server: the reading's, the listening's, or both."""

    def __init__(self) -> None:
        self._taken: dict[ChatRef, set[Occupant]] = {}

    def take(self, server: ChatRef, occupant: Occupant) -> None:
        self._taken.setdefault(server, set()).add(occupant)

    def occupants(self, server: ChatRef) -> frozenset[Occupant]:
        return frozenset(self._taken.get(server, ()))

    def may_come_along(
        self, server: ChatRef, occupant: Occupant, *, same_channel: bool, can_listen: bool
    ) -> bool:
        """Whether `occupant` may share the call the bot has in `server`: in the same voice
        channel, the other alone in it, with a client that can listen."""
        if occupant not in SHARING:
            return False
        others = SHARING - {occupant}
        return same_channel and can_listen and self.occupants(server) == others

    def let_go(self, server: ChatRef, occupant: Occupant) -> AfterLettingGo:
        """`occupant` is done with the call: what to do with it now."""
        taken = self._taken.get(server, set())
        taken.discard(occupant)
        if taken:
            return AfterLettingGo.DEAFEN if occupant is Occupant.LISTENING else AfterLettingGo.STAY
        self._taken.pop(server, None)
        return AfterLettingGo.LEAVE


def may_stop(member: str, *, starter: str, starter_present: bool, moderator: bool) -> bool:
    """Whether `member` may stop (or skip in) what `starter` began in a voice channel: the
    starter, a moderator there (Move Members), or anyone once the starter has left it."""
    return member == starter or moderator or not starter_present
