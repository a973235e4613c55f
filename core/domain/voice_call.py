"""A server's voice call as the core decides it: what holds it, and who may end what holds it.

A bot has one voice connection in a server. Reading a channel aloud
(`core.app.reader.channel_reader`) and listening (`core.app.calls.listening`) are two holds on
it: where both were asked for in the same voice channel, they share it. `/say` in a voice channel is
a third, which shares with nothing: it joins only where the bot is in no voice channel of the
server, plays, and leaves.

    join     the first hold joins; the reading joins deafened (a deafened client is sent no
             voice), the listening undeafened. The other comes along into that call where it
             is in the same voice channel, held by the other alone, with a client that can
             listen: the listening undeafens it as it comes
    let go   a hold done with the call: it is left once nothing holds it; deafened again where
             the reading goes on without the listening
    stop     one rule for both holds (`/stop`, `/skip`, `/stop_listening`): their starter,
             anyone allowed to move members out of the voice channel, or anyone once the
             starter has left it
"""

from __future__ import annotations

import enum

from core.domain.values import ChatRef

__all__ = ["SHARING", "AfterLettingGo", "CallHolds", "Holder", "may_stop"]


class Holder(enum.StrEnum):
    """What may hold a server's voice call."""

    READING = "reading"
    LISTENING = "listening"
    SAYING = "saying"  # `/say` in a voice channel: alone in the call, for its clips

    @property
    def joins_deaf(self) -> bool:
        """Whether it joins deafened: the reading and /say hear nothing, the listening must."""
        return self is not Holder.LISTENING


SHARING = frozenset({Holder.READING, Holder.LISTENING})  # the holds that may share a call


class AfterLettingGo(enum.Enum):
    """What becomes of the call once a hold lets go of it."""

    LEAVE = "leave"  # nothing holds it any more
    DEAFEN = "deafen"  # the reading goes on, without the listening
    STAY = "stay"  # the listening goes on, without the reading


class CallHolds:
    """What holds the bot's call in each server: the reading, the listening, or both."""

    def __init__(self) -> None:
        self._held: dict[ChatRef, set[Holder]] = {}

    def take(self, server: ChatRef, holder: Holder) -> None:
        self._held.setdefault(server, set()).add(holder)

    def held_by(self, server: ChatRef) -> frozenset[Holder]:
        return frozenset(self._held.get(server, ()))

    def may_come_along(
        self, server: ChatRef, holder: Holder, *, same_channel: bool, can_listen: bool
    ) -> bool:
        """Whether `holder` may share the call the bot has in `server`: in the same voice
        channel, held by the other alone, with a client that can listen."""
        if holder not in SHARING:
            return False
        others = SHARING - {holder}
        return same_channel and can_listen and self.held_by(server) == others

    def let_go(self, server: ChatRef, holder: Holder) -> AfterLettingGo:
        """`holder` is done with the call: what to do with it now."""
        held = self._held.get(server, set())
        held.discard(holder)
        if held:
            return AfterLettingGo.DEAFEN if holder is Holder.LISTENING else AfterLettingGo.STAY
        self._held.pop(server, None)
        return AfterLettingGo.LEAVE


def may_stop(member: str, *, starter: str, starter_present: bool, moderator: bool) -> bool:
    """Whether `member` may stop (or skip in) what `starter` began in a voice channel: the
    starter, a moderator there (Move Members), or anyone once the starter has left it."""
    return member == starter or moderator or not starter_present
