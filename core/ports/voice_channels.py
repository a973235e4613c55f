"""What the channel reader (`core.app.channel_reader`) needs of a platform's voice channels:
the places and the people in them as the platform shows them now (`VoiceChannels`), and the
bot's voice connection in one server once it joined (`VoiceCall`). The Discord adapter
implements both (`bots.discord.voice_channels`); a feature that listens in voice channels would
stand on the same two.

Ids are the platform's, as strings; a server is the `ChatRef` its preferences live under.
"""

from __future__ import annotations

from typing import Protocol

from core.domain.listeners import Channel, Listener
from core.domain.values import ChatRef, VoiceNote


class VoiceCall(Protocol):
    """The bot in one server's voice channel. A moderator may move it meanwhile: `voice_id`
    follows."""

    @property
    def voice_id(self) -> str: ...

    async def play(self, note: VoiceNote) -> bool:
        """Play `note` to its end in the voice channel; False when it could not be played whole
        (the clip failed to decode, the call ended under it). A `skip` ends it early, as True."""
        ...

    def skip(self) -> bool:
        """End the clip playing now, or call off the one about to play; False when none is."""
        ...

    async def post(self, line: str) -> None:
        """One line in the voice channel's own text chat (refused there: nothing happens)."""
        ...

    async def leave(self) -> None:
        """Leave the voice channel (already gone: nothing happens)."""
        ...


class VoiceChannels(Protocol):
    """A platform's servers as the reader sees them now: channels, the people in a voice
    channel with what each may do, and joining one."""

    def channel(self, server: ChatRef, channel_id: str) -> Channel | None:
        """A channel of `server` by id; None when it is gone or not the bot's to see."""
        ...

    def listeners(self, server: ChatRef, voice_id: str, *, about: str) -> list[Listener]:
        """Everyone in the voice channel `voice_id` but the bot itself (people, and other bots
        marked so), each with what they may do in the channel `about`."""
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

    async def join(self, server: ChatRef, voice_id: str) -> VoiceCall:
        """Join the voice channel; raises `errors.CouldNotJoin` when that fails."""
        ...
