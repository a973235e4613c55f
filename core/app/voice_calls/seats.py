"""A server's voice call, owned here: who has a seat in it, who may end what has one, and every
decision about the call, made here through the platform's port (`core.ports.VoiceChannels`,
`VoiceCall`), which only does what it is told.

A bot has one voice connection in a server, held by this process. Reading a channel aloud
(`core.app.channel_reader.reading_control`) and listening (`core.app.listening.live_transcription`,
joined by its adapter) are two occupants of it, each with its seat: where both were asked for in the
same voice channel, they share it. `/say` in a voice channel is a third, which shares with nothing.

    join     an occupant asks for the call in a voice channel: it comes along into the bot's
             call where that one may be shared (the same channel, the other alone in it, a
             client that can listen: `CallSeats`), undeafening it as the listening comes;
             otherwise the port joins, deafened for the reading (a deafened client is sent no
             voice), undeafened for the listening
    refuse   `/listen` where the bot is in voice already (reading elsewhere, playing `/say`) and
             cannot share it: refused before anything starts (`errors.AlreadyListening`)
    alone    `/say` in a voice channel: joined only where the bot is in no voice channel of the
             server (taken before the first await: two at once cannot both join), deafened,
             and left once its clips are played
    let go   an occupant is done: the call is deafened again where the reading goes on alone,
             and left once no seat is taken
    stop     one rule for both occupants (`/stop`, `/skip`, `/stop_listening`): their starter,
             anyone allowed to move members out of the voice channel, or anyone once the
             starter has left it (`may_stop`)
    play     one clip at a time in a call, whichever occupant plays it: a listening that interprets
             (`core.app.interpreter.interpretation_queue`) and a reading sharing the call go one by
             one; whether a clip is still wanted (its speaker's consent, its lateness) is asked once
             it comes up, and again just before its first frame
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from core.domain import errors
from core.domain.shared_values import ChatRef
from core.ports import Clip, VoiceCall, VoiceChannels

__all__ = [
    "SHARING",
    "AfterLettingGo",
    "CallSeat",
    "CallSeats",
    "Occupant",
    "VoiceCalls",
    "may_stop",
]


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


@dataclass
class _Joined:
    """The bot's call in a server, and the one clip at a time played in it (by either occupant)."""

    call: VoiceCall
    playing: asyncio.Lock = field(default_factory=asyncio.Lock)


class CallSeat:
    """The call as one occupant has it, its seat (`core.ports.VoiceCall`): leaving it lets go of
    this seat only; `call` is the platform's own."""

    def __init__(self, owner: VoiceCalls, server: ChatRef, occupant: Occupant, call: VoiceCall):
        self._owner, self._server, self._occupant = owner, server, occupant
        self.call = call
        self._waiting = False  # a clip of this seat's waits for the other's to end
        self._called_off = False  # ...and was skipped meanwhile: it never plays
        self._playing = False

    @property
    def voice_id(self) -> str:
        return self.call.voice_id

    async def play(self, note: Clip, *, wanted: Callable[[], bool] | None = None) -> bool:
        """Play `note` once no other seat's clip plays; a skip meanwhile, or `wanted` saying
        no once it came up (asked again just before its first frame), calls it off (True,
        as a skip)."""
        self._waiting, self._called_off = True, False
        try:
            async with self._owner.playing(self._server):
                self._waiting = False
                if self._called_off or (wanted is not None and not wanted()):
                    return True
                self._playing = True
                return await self.call.play(note, wanted=wanted)
        finally:
            self._waiting = self._playing = False

    def skip(self) -> bool:
        """This seat's clip stops, or never starts; another seat's plays on."""
        if self._waiting:
            self._called_off = True
            return True
        return self.call.skip() if self._playing else False

    async def post(self, line: str) -> None:
        await self.call.post(line)

    async def leave(self) -> None:
        await self._owner.let_go(self._server, self._occupant)


class VoiceCalls:
    """The bot's voice call in each server (see the module docstring)."""

    def __init__(self, channels: VoiceChannels) -> None:
        self._channels = channels
        self._seats = CallSeats()
        self._joined: dict[ChatRef, _Joined] = {}  # the bot's call in each server

    def playing(self, server: ChatRef) -> asyncio.Lock:
        """Held while a clip plays in the server's call, by whichever occupant plays it."""
        joined = self._joined.get(server)
        return asyncio.Lock() if joined is None else joined.playing  # none: left already

    def refuse_listening(self, server: ChatRef, voice_id: str) -> None:
        """Raise `errors.AlreadyListening` where the bot is in voice in `server` (listening,
        reading aloud or playing `/say`: one voice connection per server) and the listening may
        not come along into that call in `voice_id`."""
        shared = self._shared(server, voice_id, Occupant.LISTENING)
        saying = Occupant.SAYING in self._seats.occupants(server)  # joining, or playing
        if shared is None and (self._channels.connected(server) or saying):
            raise errors.AlreadyListening()

    async def join(self, server: ChatRef, voice_id: str, occupant: Occupant) -> CallSeat:
        """The call in `voice_id` for `occupant`; raises `errors.CouldNotJoin`."""
        call = self._shared(server, voice_id, occupant)
        if call is not None:
            if not occupant.joins_deaf:
                await call.deafen(False)
        else:
            call = await self._channels.join(server, voice_id, deaf=occupant.joins_deaf)
            self._joined[server] = _Joined(call)
        self._seats.take(server, occupant)
        return CallSeat(self, server, occupant, call)

    async def let_go(self, server: ChatRef, occupant: Occupant) -> None:
        """`occupant` is done with the call: deafened again, or left (module docstring)."""
        after = self._seats.let_go(server, occupant)
        joined = self._joined.get(server)
        if joined is None:
            return
        if after is AfterLettingGo.DEAFEN:
            await joined.call.deafen(True)
        elif after is AfterLettingGo.LEAVE:
            del self._joined[server]
            await joined.call.leave()

    async def join_alone(self, server: ChatRef, voice_id: str) -> CallSeat | None:
        """The call in `voice_id` for `/say`, alone; None where the bot is in voice in
        `server` already. Raises `errors.CouldNotJoin`."""
        if self._seats.occupants(server) or self._channels.connected(server):
            return None
        self._seats.take(server, Occupant.SAYING)  # before the first await
        try:
            call = await self._channels.join(server, voice_id, deaf=True)
        except BaseException:
            self._seats.let_go(server, Occupant.SAYING)
            raise
        self._joined[server] = _Joined(call)
        return CallSeat(self, server, Occupant.SAYING, call)

    def _shared(self, server: ChatRef, voice_id: str, occupant: Occupant) -> VoiceCall | None:
        """The bot's call in `server`, where `occupant` may come along into it in `voice_id`."""
        joined = self._joined.get(server)
        call = None if joined is None else joined.call
        if call is None or not call.live:
            return None
        shared = self._seats.may_come_along(
            server, occupant, same_channel=call.voice_id == voice_id, can_listen=call.can_listen
        )
        return call if shared else None
