"""A channel reading taken up after a restart (`core.app.reader.channel_reader.ChannelReader.
resume`): what decides whether it may be, and what it says and reads once it is or is not.

    refused     why it may not be taken up: its starter no longer served by the allowlist (read
                again, as `/read_channel` in either of its channels would be let through),
                nobody left in its voice channel, or away longer than it may be
    ended_line  the one line its voice channel's chat hears when it ends instead (naming the
                rule that refused it, where one did)
    back_line   the one line it hears when it is back
    caught_up   what it reads first: the messages posted after its place, oldest first (at
                most `MISSED`), then those that arrived while it was being taken up, none twice
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from core.chat.messages import text
from core.domain import errors
from core.domain.live_calls import KeptReading
from core.domain.reading import ChannelMessage
from core.domain.reading_audience import Channel, anyone_listens
from core.domain.text import format_duration
from core.ports import VoiceChannels

__all__ = ["MISSED", "back_line", "caught_up", "ended_line", "refused"]

# The most messages a reading taken up after a restart reads of those it missed (its queue,
# DISCORD_READER_QUEUE, may then keep fewer of them, the newest).
MISSED = 100


def refused(
    channels: VoiceChannels, kept: KeptReading, away: timedelta, *, within: timedelta
) -> Exception | None:
    """Why the reading `kept` may not be taken up after `away` (`within` the longest it may
    have been away), or None."""
    if not served(channels, kept):
        return errors.NoLongerServed(f"{kept.starter} in {kept.text_id}")
    listeners = channels.listeners(kept.server, kept.voice_id, about=kept.text_id)
    if not anyone_listens(listeners) or away > within:
        return errors.NotReading(f"away {away}, or nobody left in its voice channel")
    return None


def served(channels: VoiceChannels, kept: KeptReading) -> bool:
    """Whether the allowlist still lets the reading's starter start it, as `/read_channel`
    in the channel it reads or in the voice channel it reads in would be let through."""
    return any(
        channels.served(kept.server, channel, kept.starter)
        for channel in {kept.voice_id, kept.text_id}
    )


def ended_line(kept: KeptReading, away: timedelta, why: Exception) -> str:
    """What the voice channel's chat hears of a reading kept that ends instead."""
    where = {"voice": f"<#{kept.voice_id}>", "away": format_duration(away.total_seconds())}
    if isinstance(why, errors.NoLongerServed):
        return text("reader.away_refused", kept.locale, **where, why=text(why.key, kept.locale))
    return text("reader.away_ended", kept.locale, **where)


def back_line(kept: KeptReading, read: Channel, voice: Channel, away: timedelta) -> str:
    """What it hears of a reading kept that is back, reading `read` in `voice`."""
    key = "reader.back_own_chat" if kept.own_chat else "reader.back"
    return text(key, kept.locale, away=format_duration(away.total_seconds()),
                channel=read.mention, voice=voice.mention)  # fmt: skip


def caught_up(
    kept: KeptReading,
    missed: Sequence[ChannelMessage],
    arrived: Sequence[tuple[str, ChannelMessage]],
) -> list[ChannelMessage]:
    """The messages posted after its place (`missed`), then those of its channel that
    `arrived` (channel, message) while it was taken up, each once."""
    seen = {message.id for message in missed}
    later = [one for where, one in arrived if where == kept.text_id and one.id not in seen]
    return [*missed, *later]
