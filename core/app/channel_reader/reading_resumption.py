"""A channel reading through a restart: kept in the database while it lasts, so that the process
that next holds a server takes it up after a deploy or a crash
(`core.app.channel_reader.reading_control` decides when), and what decides, once it is found
again (`core.app.channel_reader.reading_control.ChannelReader.resume`), whether it may be taken up
and what it says and reads once it is or is not.

`KeptReadings` keeps and reads:

    keep     a reading started, switched to another text channel, or moved: its state
             (`core.domain.listening.kept_call_values.KeptReading`) saved, replacing any kept
             before, unless a /forget came, in any process, since the reading was asked for (or
             found again after a restart): its `mandate`, checked in the write's own transaction.
             Joining the voice channel takes seconds, and the /forget of those seconds deletes
             nothing yet, so the reading would otherwise be taken up after the next restart
    read     a message came up to be read (before its clip plays): the next start reads from the
             one after it. A message cut by a crash or a stop as it played is therefore not read
             again: a reading never reads one message twice
    alive    while it runs, every `ALIVE_SECONDS`, and as the process stops for a deploy
    gone     the reading ended (/stop, everyone gone, idle, the quota, the channel gone)

A failure to store is logged and costs only the resume, never the reading
(`core.app.voice_calls.restart_recovery`, which also says whether a server has anything kept).

Once a kept reading is found again:

    refused     why it may not be taken up: its starter no longer served by the allowlist (read
                again, as `/read_channel` in either of its channels would be let through),
                nobody left in its voice channel, or away longer than it may be
    ended_line  the one line its voice channel's chat hears when it ends instead (naming the
                rule that refused it, where one did)
    back_line   the one line it hears when it is back
    missed      the messages posted after its place (the last message that came up, not
                that one again; its start, where none did), oldest first, at most `MISSED`
    caught_up   what it reads first: those, then those that arrived while it was being taken
                up, none twice
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from core.app.voice_calls.restart_recovery import KeptServers, KeptStore
from core.chat.message_catalogue import text
from core.domain import errors
from core.domain.channel_reader.reader_rules import ChannelMessage
from core.domain.channel_reader.reading_audience_rules import Channel, anyone_listens
from core.domain.listening.kept_call_values import KeptReading
from core.domain.memory.write_mandates import Mandate
from core.domain.message_splitting import format_duration
from core.domain.shared_values import ChatRef
from core.ports import Clock, ReadingUnitOfWork, VoiceChannels

__all__ = [
    "MISSED",
    "KeptReadings",
    "back_line",
    "caught_up",
    "ended_line",
    "missed",
    "refused",
]

# The most messages a reading taken up after a restart reads of those it missed (its queue,
# DISCORD_READER_QUEUE, may then keep fewer of them, the newest).
MISSED = 100


class KeptReadings:
    """The channel readings kept while they last (see the module docstring)."""

    def __init__(self, *, store: KeptStore, clock: Clock, servers: KeptServers) -> None:
        self._store, self.clock = store, clock
        self.servers = servers  # shared with the calls kept (`core.app.listening.kept_calls`)

    async def mandate(self, server: ChatRef) -> Mandate | None:
        """What a reading asked for now in `server` is kept under (None where it cannot be
        read: kept unchecked, as before mandates)."""
        return await self._store.read(
            lambda uow: uow.mandates.read(server),
            failing=f"read what the reading in {server} is kept under",
            default=None,
        )

    async def keep(self, reading: KeptReading) -> None:
        self.servers.kept(reading.server)
        await self._store.write(
            lambda uow: _saved(uow, reading), failing=f"keep the reading in {reading.server}"
        )

    async def read(self, server: ChatRef, message_id: str) -> None:
        now = self.clock.now()
        await self._store.write(
            lambda uow: uow.live_readings.read(server, message_id, now),
            failing=f"keep the reading's place in {server}",
        )

    async def alive(self, server: ChatRef) -> None:
        now = self.clock.now()
        await self._store.write(
            lambda uow: uow.live_readings.alive(server, now),
            failing=f"mark the reading in {server} alive",
        )

    async def gone(self, server: ChatRef) -> None:
        await self._store.write(
            lambda uow: uow.live_readings.delete(server),
            failing=f"let go of the reading kept in {server}",
        )

    async def find(self, server: ChatRef) -> KeptReading | None:
        if not await self.servers.may_have_kept(server):
            return None
        return await self._store.read(
            lambda uow: _found(uow, server),
            failing=f"read the reading kept in {server}",
            default=None,
        )


async def _saved(uow: ReadingUnitOfWork, reading: KeptReading) -> None:
    """`reading` saved where its mandate holds (None: unchecked)."""
    if reading.mandate is None or await uow.mandates.holds(reading.mandate):
        await uow.live_readings.save(reading)


async def _found(uow: ReadingUnitOfWork, server: ChatRef) -> KeptReading | None:
    """The reading kept in `server`, with the mandate it goes on under: read together, so that
    a /forget either deleted it already or moves the count after."""
    kept = await uow.live_readings.get(server)
    return None if kept is None else replace(kept, mandate=await uow.mandates.read(server))


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


async def missed(channels: VoiceChannels, kept: KeptReading) -> list[ChannelMessage]:
    """What the reading `kept` missed: the messages of its channel posted after the last one
    that came up to be read (`KeptReadings.read`: not that one again, read or cut as it
    played), or after its start where none did; oldest first, at most `MISSED`."""
    return await channels.history_after(
        kept.server, kept.text_id, after=kept.last_read, since=kept.started_at, at_most=MISSED
    )


def caught_up(
    kept: KeptReading,
    posted: Sequence[ChannelMessage],
    arrived: Sequence[tuple[str, ChannelMessage]],
) -> list[ChannelMessage]:
    """The messages posted after its place (`posted`, as `missed` reads them), then those of
    its channel that `arrived` (channel, message) while it was taken up, each once."""
    seen = {message.id for message in posted}
    later = [one for where, one in arrived if where == kept.text_id and one.id not in seen]
    return [*posted, *later]
