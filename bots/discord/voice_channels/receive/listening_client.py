"""The voice client a call is joined with to listen: discord.py's (resuming, with both transport
modes: `bots.discord.discordpy_internals.ResumingVoiceClient`), which from the moment it connects
keeps the call's roster, so a receiver started later still knows every SSRC already claimed (Discord
says whose an SSRC is once per session), and reads the voice socket, handing each packet to its
receiver or dropping it: unread, packets would wait in the socket's buffer, and a receiver started
later would hear what was said before it (seconds of it) as if said now."""

from __future__ import annotations

from typing import Any, Protocol

import discord

from bots.discord import discordpy_internals
from bots.discord.discordpy_internals import ResumingVoiceClient
from bots.discord.voice_channels.receive.call_roster import CallRoster

__all__ = ["ListeningVoiceClient"]


class CallListener(Protocol):
    def datagram(self, data: bytes) -> None:
        """A packet off the voice socket (discord.py's socket reader thread)."""

    def turn_ended(self, user_id: int) -> None:
        """`user_id` left the call or said they stopped speaking (event loop)."""

    def call_ended(self) -> None:
        """The voice client is done: disconnected for good (event loop)."""


class ListeningVoiceClient(ResumingVoiceClient):
    def __init__(self, client: discord.Client, channel: discord.abc.Connectable) -> None:
        # Before discord.py's own set-up, which makes the connection that reports to it.
        self.roster = CallRoster()
        self.listener: CallListener | None = None
        self._reading = False
        super().__init__(client, channel)

    async def connect(  # discord.py's signature, overridden
        self,
        *,
        reconnect: bool,
        timeout: float,  # noqa: ASYNC109
        self_deaf: bool = False,
        self_mute: bool = False,
    ) -> None:
        await super().connect(
            reconnect=reconnect, timeout=timeout, self_deaf=self_deaf, self_mute=self_mute
        )
        if not self._reading:  # the socket exists now; the reader keeps to it across reconnects
            self._reading = True
            discordpy_internals.listen_to_voice_socket(self, self._datagram)

    def _datagram(self, data: bytes) -> None:
        listener = self.listener
        if listener is not None:
            listener.datagram(data)

    def voice_gateway_message(self, message: dict[str, Any]) -> None:
        ended = self.roster.take_in(message)
        if ended is not None and self.listener is not None:
            self.listener.turn_ended(ended)

    def cleanup(self) -> None:
        super().cleanup()
        if self.listener is not None:
            self.listener.call_ended()
