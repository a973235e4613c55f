"""The voice client a call is joined with to listen: discord.py's (resuming, with both transport
modes: `bots.discord.discordpy.ResumingVoiceClient`) keeping the call's roster from the moment
it connects, so a receiver started later still knows every SSRC already claimed."""

from __future__ import annotations

from typing import Any, Protocol

import discord

from bots.discord.discordpy import ResumingVoiceClient
from bots.discord.receive.roster import CallRoster


class CallListener(Protocol):
    def turn_ended(self, user_id: int) -> None:
        """`user_id` left the call or said they stopped speaking (event loop)."""

    def call_ended(self) -> None:
        """The voice client is done: disconnected for good (event loop)."""


class ListeningVoiceClient(ResumingVoiceClient):
    def __init__(self, client: discord.Client, channel: discord.abc.Connectable) -> None:
        # Before discord.py's own set-up, which makes the connection that reports to it.
        self.roster = CallRoster()
        self.listener: CallListener | None = None
        super().__init__(client, channel)

    def voice_gateway_message(self, message: dict[str, Any]) -> None:
        ended = self.roster.heard(message)
        if ended is not None and self.listener is not None:
            self.listener.turn_ended(ended)

    def cleanup(self) -> None:
        super().cleanup()
        if self.listener is not None:
            self.listener.call_ended()
