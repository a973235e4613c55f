"""The Discord side of each listened call, built for the core as it joins one
(`core.app.listening.call_lifecycle.Sides`): a `DiscordListenedCall`
(`bots.discord.listening.listened_call_side`, which needs the voice extras: imported only once a
call is listened to), with the receiver's settings and the captions' turn gap, which tests
change; and the goodbye of a call kept through a restart and not taken up (`ended_away`): posted in
the voice channel's chat with its transcript and the rule that refused it, if one did, without
joining."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import discord

from bots.discord.answers.error_handler import error_text
from bots.discord.discord_wording import text
from bots.discord.listening.caption_messages import CAPTION_GAP, with_transcript
from core.app.listening.call_lifecycle import ListenedCalls
from core.app.listening.listened_call import ListenAsked, ListenedCall
from core.app.listening.past_calls import PastCalls
from core.app.voice_calls.seats import CallSeat
from core.domain import errors
from core.domain.message_splitting import format_duration
from core.ports import ListenedVoice

if TYPE_CHECKING:  # the voice extras
    from bots.discord.voice_channels.receive import ReceiveSettings

logger = logging.getLogger(__name__)

__all__ = ["ListenedCallSides"]


class ListenedCallSides:
    def __init__(self, kept: PastCalls, client: discord.Client | None = None) -> None:
        self.kept = kept  # the calls' kept transcripts, posted with the goodbye
        self.client = client  # where a call the bot does not join again says goodbye
        self.receive: ReceiveSettings | None = None  # None: the defaults
        self.caption_gap = CAPTION_GAP  # seconds between one member's utterances of one caption

    def __call__(self, call: ListenedCall, seat: CallSeat, owner: ListenedCalls) -> ListenedVoice:
        from bots.discord.listening.listened_call_side import DiscordListenedCall

        return DiscordListenedCall(
            call, seat, owner, kept=self.kept, settings=self.receive, caption_gap=self.caption_gap
        )

    async def ended_away(
        self, asked: ListenAsked, recording: str, away: timedelta,
        refused: errors.VoicebridgeError | None = None,
    ) -> None:  # fmt: skip
        """A call kept through a restart and not taken up: its goodbye in the voice channel's
        chat, with its transcript and, where a rule refused it, the rule, without joining."""
        channel = None if self.client is None else self.client.get_channel(int(asked.voice_id))
        if not isinstance(channel, discord.VoiceChannel):
            logger.info("the call kept in %s ended where its channel is gone", asked.server)
            return
        where = {"voice": channel.mention, "away": format_duration(away.total_seconds())}
        if refused is None:
            bye = text("discord.listen.away_ended", asked.locale, **where)
        else:
            why = error_text(refused, asked.locale)
            bye = text("discord.listen.away_refused", asked.locale, **where, why=why)
        transcript = await self.kept.kept(asked.server, recording)
        bye, files = with_transcript(bye, transcript, asked.locale)
        try:
            await channel.send(bye, files=files, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException:
            logger.warning("could not post in voice channel %s", channel.id)
