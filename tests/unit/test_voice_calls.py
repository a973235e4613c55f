"""Two occupants playing in one call (`core.app.voice_calls.seats`): the reading and a listening
that interprets wait in one queue, one clip at a time; a skip stops its own seat's clip (or calls
off the one waiting), never the other's."""

from __future__ import annotations

import asyncio
from typing import Any

from core.app.voice_calls.seats import Occupant, VoiceCalls
from core.domain.shared_values import ChatRef, VoiceNote
from core.ports import Clip

SERVER = ChatRef("discord", "guild:1")


class PlatformCall:
    """The platform's call: what played, in order; each clip ends when the test says."""

    def __init__(self) -> None:
        self.voice_id, self.live, self.can_listen = "lounge", True, True
        self.played: list[str] = []
        self.ends: dict[str, asyncio.Event] = {}
        self.skipped: list[str] = []
        self.playing: str | None = None

    async def play(self, note: Clip, *, wanted: Any = None) -> bool:
        if wanted is not None and not wanted():
            return True
        if isinstance(note, VoiceNote):
            name = note.data.decode()
        else:  # speech as it comes
            name = b"".join([piece async for piece in note]).decode()
        assert self.playing is None, f"{name} played over {self.playing}"
        self.playing = name
        self.played.append(name)
        try:
            await self.ends.setdefault(name, asyncio.Event()).wait()
        finally:
            self.playing = None
        return True

    def skip(self) -> bool:
        if self.playing is None:
            return False
        self.skipped.append(self.playing)
        self.ends[self.playing].set()
        return True

    async def deafen(self, deaf: bool) -> None:
        return None

    async def post(self, line: str) -> None:
        return None

    async def leave(self) -> None:
        return None


class Channels:
    def __init__(self, call: PlatformCall) -> None:
        self.call = call

    def connected(self, server: ChatRef) -> bool:
        return True

    async def join(self, server: ChatRef, voice_id: str, *, deaf: bool) -> Any:
        return self.call


def clip(name: str) -> VoiceNote:
    return VoiceNote(data=name.encode(), duration=1.0)


async def test_the_reading_and_the_interpreter_play_one_at_a_time_and_skip_only_their_own() -> None:
    call = PlatformCall()
    calls = VoiceCalls(Channels(call))  # type: ignore[arg-type]
    reading = await calls.join(SERVER, "lounge", Occupant.READING)
    listening = await calls.join(SERVER, "lounge", Occupant.LISTENING)
    message = asyncio.create_task(reading.play(clip("message")))
    await asyncio.sleep(0)
    interpretation = asyncio.create_task(listening.play(clip("interpretation")))
    await asyncio.sleep(0)
    assert call.played == ["message"]  # the interpretation waits for the message's end
    assert listening.skip()  # its own clip, waiting: called off
    assert call.skipped == []  # the listening's skip never cut the reading's clip
    call.ends["message"].set()
    assert await message
    assert await interpretation  # called off while it waited: never played
    assert call.played == ["message"]

    second = asyncio.create_task(listening.play(clip("second")))
    await asyncio.sleep(0)
    assert not reading.skip()  # the reading has nothing playing: the interpretation plays on
    assert call.skipped == []
    call.ends["second"].set()
    await second
    assert call.played == ["message", "second"]
