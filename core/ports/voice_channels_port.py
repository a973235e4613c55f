"""What a server's voice call (`core.app.voice_calls.seats`: the channel reader and the listening
take seats in it) needs of a platform's voice channels: the places and the people in them as the
platform shows them now (`VoiceChannels`), and the bot's voice connection in one server once it
joined (`VoiceCall`), which does what the core decides (join, deafen, undeafen, leave). The Discord
adapter implements both (`bots.discord.voice_channels.call_connection`).

Ids are the platform's, as strings; a server is the `ChatRef` its preferences live under.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from core.domain.channel_reader.reader_rules import ChannelMessage
from core.domain.channel_reader.reading_audience_rules import Channel, Listener
from core.domain.shared_values import ChatRef, VoiceNote

__all__ = ["Clip", "ListenedVoice", "SpeechSlices", "VoiceCall", "VoiceCallSeat", "VoiceChannels"]


class SpeechSlices(Protocol):
    """Speech played as it is made (`core.app.voices.streamed_speech`): PCM16LE mono samples at
    `rate` Hz, slice by slice as they come; the iteration raises where the speech was cut
    mid-way. `longest`: the seconds it may last at most. Closed by whoever played it, or by
    whoever gave up on playing it."""

    rate: int
    longest: float

    @property
    def duration(self) -> float:
        """Seconds of speech come so far (all of it, once played whole)."""
        ...

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


Clip = VoiceNote | SpeechSlices  # what a call plays: a whole voice note, or speech as it comes


class VoiceCallSeat(Protocol):
    """The bot's call in one server as one of its occupants has it, its seat (the reading, the
    listening): leaving lets go of that seat only (`core.app.voice_calls.seats`). A moderator may
    move it meanwhile: `voice_id` follows."""

    @property
    def voice_id(self) -> str: ...

    async def play(self, note: Clip, *, wanted: Callable[[], bool] | None = None) -> bool:
        """Play `note` to its end in the voice channel, speech as it comes from its first
        slice; False when it could not be played whole (the clip failed to decode, the call
        ended under it, the speech was cut mid-way). A `skip` ends it early, as True.
        `wanted`: asked once the clip came up in the call, just before its first frame;
        False calls it off (nothing of it is heard, True)."""
        ...

    def skip(self) -> bool:
        """End the clip playing now, or call off the one about to play; False when none is."""
        ...

    async def post(self, line: str) -> None:
        """One line in the voice channel's own text chat (refused there: nothing happens)."""
        ...

    async def leave(self) -> None:
        """Let go of the call; its connection left once no seat is taken (already gone: nothing
        happens)."""
        ...


class VoiceCall(VoiceCallSeat, Protocol):
    """The bot's voice connection in one server, doing what `core.app.voice_calls.seats`
    decides."""

    async def leave(self) -> None:
        """Leave the voice channel (already gone: nothing happens)."""
        ...

    @property
    def live(self) -> bool:
        """Whether it is still the bot's voice connection in the server (not disconnected for
        good, nor replaced)."""
        ...

    @property
    def can_listen(self) -> bool:
        """Whether the members' voices can be heard through it (the platform's voice extras)."""
        ...

    async def deafen(self, deaf: bool) -> None:
        """Deafen the bot in the call (the platform sends a deafened client no voice), or
        undeafen it, returning once the platform says so (raises `errors.CouldNotJoin` when it
        does not). A deafen that fails is logged, never raised."""
        ...


class VoiceChannels(Protocol):
    """A platform's servers as a call sees them now: channels, the people in a voice channel
    with what each may do, and joining one."""

    def channel(self, server: ChatRef, channel_id: str) -> Channel | None:
        """A channel of `server` by id; None when it is gone or not the bot's to see."""
        ...

    def listeners(self, server: ChatRef, voice_id: str, *, about: str) -> list[Listener]:
        """Everyone in the voice channel `voice_id` but the bot itself (people, and other bots
        marked so), each with what they may do in the channel `about`."""
        ...

    def served(self, server: ChatRef, channel_id: str, member_id: str) -> bool:
        """Whether the allowlist (ALLOWED_CHATS, ALLOWED_USERS) lets `member_id` ask for work in
        the channel `channel_id` of `server` as of now: the check a command there passes."""
        ...

    def may_speak(self, server: ChatRef, voice_id: str, member_id: str) -> bool:
        """Whether the member may speak in the voice channel: allowed to Speak there, and
        neither muted by a moderator nor timed out."""
        ...

    def moves_members(self, server: ChatRef, voice_id: str, member_id: str) -> bool:
        """Whether the member may move others out of the voice channel (a moderator there)."""
        ...

    def sits_in(self, server: ChatRef, member_id: str) -> str | None:
        """The voice channel the member sits in, by id, or None."""
        ...

    def connected(self, server: ChatRef) -> bool:
        """Whether the bot has a voice connection in `server`, whatever it does there."""
        ...

    async def history_after(
        self, server: ChatRef, channel_id: str, *, after: str | None, since: datetime, at_most: int
    ) -> list[ChannelMessage]:
        """The messages of `channel_id` a reading would read, posted after the message `after`
        (None: after `since`), oldest first, at most `at_most`: those a reading kept through a
        restart missed."""
        ...

    async def post(self, server: ChatRef, channel_id: str, line: str) -> None:
        """`line` in the channel's chat, without a call (a failure is logged, not raised)."""
        ...

    async def join(self, server: ChatRef, voice_id: str, *, deaf: bool) -> VoiceCall:
        """Join the voice channel, deafened or not, with a connection that can listen where the
        platform's voice extras are there; raises `errors.CouldNotJoin` when that fails."""
        ...


class ListenedVoice(Protocol):
    """The platform's side of one call being listened to (`core.app.listening.call_lifecycle` starts
    and ends it): it receives the members' voices and hands each piece of a turn to the core, and
    renders in the call's chat what the core decides (the opening line, a member's arrival, the
    interpreter's news, the goodbye). It decides nothing: when the voice connection closes under it,
    it says so (`ListenedCalls.connection_closed`)."""

    async def start(self) -> None:
        """Start receiving: from now on each piece of a turn goes to the core."""
        ...

    async def opened(
        self, transcribed: list[str], not_transcribed: list[str], away: timedelta | None = None
    ) -> None:
        """The opening line in the call's chat: who is transcribed, who is not (by id); `away`:
        the call was taken up after a restart, the bot gone for so long."""
        ...

    async def tell(self, news: Any) -> None:
        """The interpreter's news (`core.app.interpreter.interpretation_queue.News`), after the
        captions."""
        ...

    def arrived(self, member_id: str, transcribed: bool) -> None:
        """Tell, in the call's chat, that a member who joined is transcribed or not."""
        ...

    async def stop(self) -> None:
        """Stop receiving: the turns going on are handed over, every caption made is posted."""
        ...

    async def goodbye(self, recording: str | None) -> None:
        """The last line in the call's chat, with the call's kept transcript `recording`
        (None: without it, /forget deletes it)."""
        ...
