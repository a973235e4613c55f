"""A server's voice call, owned here: the channel reader (`core.app.reader.channel_reader`) and the
listening (`core.app.calls.listening`, joined by its adapter) take seats in it, and every decision
about it is made here through the platform's port (`core.ports.VoiceChannels`, `VoiceCall`), which
only does what it is told.

    join     an occupant asks for the call in a voice channel: it comes along into the bot's
             call where that one may be shared (`core.domain.voice_call`: the same channel, the
             other alone in it, a client that can listen), undeafening it as the listening comes;
             otherwise the port joins, deafened for the reading, undeafened for the listening
    refuse   `/listen` where the bot is in voice already (reading elsewhere, playing `/say`) and
             cannot share it: refused before anything starts (`errors.AlreadyListening`)
    alone    `/say` in a voice channel: joined only where the bot is in no voice channel of the
             server (taken before the first await: two at once cannot both join), deafened,
             and left once its clips are played
    let go   an occupant is done: the call is deafened again where the reading goes on alone,
             and left once no seat is taken
    play     one clip at a time in a call, whichever occupant plays it: a listening that interprets
             (`core.app.calls.interpretation_queue`) and a reading sharing the call go one by one;
             whether a clip is still wanted (its speaker's consent, its lateness) is asked once
             it comes up, and again just before its first frame

One call per server (a bot has one voice connection in a server), held by this process: one
map of them, each with the clip playing in it (who has a seat in it is `core.domain.voice_call`'s).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from core.domain import errors
from core.domain.values import ChatRef
from core.domain.voice_call import AfterLettingGo, CallSeats, Occupant
from core.ports import Clip, VoiceCall, VoiceChannels

logger = logging.getLogger(__name__)

__all__ = ["CallSeat", "VoiceCalls"]


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
        """Raise `errors.AlreadyListening` where the bot is in voice in `server` and the
        listening may not come along into that call in `voice_id`."""
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
