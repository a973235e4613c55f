"""The Discord side of each listened call, built for the core as it joins one
(`core.app.listened_calls.Sides`): a `DiscordListenedCall` (`bots.discord.call.listening`, which
needs the voice extras: imported only once a call is listened to), with the receiver's settings
and the captions' turn gap, which tests turn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bots.discord.call.captions import TURN_GAP
from core.app.calls import Calls
from core.app.listened_calls import ListenedCall, ListenedCalls
from core.app.voice_calls import HeldCall
from core.ports import ListenedVoice

if TYPE_CHECKING:  # the voice extras
    from bots.discord.call.receive import ReceiveSettings


class ListeningSides:
    def __init__(self, kept: Calls) -> None:
        self.kept = kept  # the calls' kept transcripts, posted with the goodbye
        self.receive: ReceiveSettings | None = None  # None: the defaults
        self.turn_gap = TURN_GAP  # seconds between one member's utterances of one caption

    def __call__(self, call: ListenedCall, held: HeldCall, owner: ListenedCalls) -> ListenedVoice:
        from bots.discord.call.listening import DiscordListenedCall

        return DiscordListenedCall(
            call, held, owner, kept=self.kept, settings=self.receive, turn_gap=self.turn_gap
        )
