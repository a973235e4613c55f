"""Who hears a reading, and whether what it reads may be said to them
(`core.app.channel_reader.reading_control`). No I/O here: the platform says who sits in the voice
channel and what each may do (`core.ports.VoiceChannels`); these rules decide.

A text channel is read aloud only while every person in the voice channel may read it (View
Channel and Read Message History there), and an age-restricted (NSFW) one only into an
age-restricted voice channel. A channel mentioned in a message is said by its name only when
everyone listening may see it; otherwise it is "a channel", decided as its clip plays.

Everyone in the voice channel listens, other bots too (a recording bot that may not see a
channel would keep what it hears): only the bot reading is left out. Nobody there but bots: the
reading has no one to read to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

__all__ = ["Channel", "Listener", "Suspension", "anyone_listens", "seen_by_all", "suspension"]


@dataclass(frozen=True)
class Channel:
    """A server's channel as the reader names it: `mention` is how its chat links to it."""

    id: str
    name: str
    mention: str
    nsfw: bool = False


@dataclass(frozen=True)
class Listener:
    """Someone in the voice channel (a person, or another bot), and what they may do in the
    channel asked about."""

    id: str
    name: str  # as the server shows them
    may_view: bool  # View Channel
    may_read: bool  # View Channel and Read Message History
    bot: bool = False


class Suspension(Enum):
    """Why a reading may not go on now: it is suspended until it may."""

    LISTENER = "listener"  # someone listening may not read the text channel
    AGE_RESTRICTED = "age_restricted"  # an NSFW text channel, a voice channel that is not


def suspension(text: Channel, voice: Channel, listeners: Sequence[Listener]) -> Suspension | None:
    """Why `text` may not be read aloud in `voice` to `listeners` now; None when it may."""
    if text.nsfw and not voice.nsfw:
        return Suspension.AGE_RESTRICTED
    if not all(listener.may_read for listener in listeners):
        return Suspension.LISTENER
    return None


def seen_by_all(listeners: Sequence[Listener]) -> bool:
    """Whether every listener may see the channel they were asked about (its name)."""
    return all(listener.may_view for listener in listeners)


def anyone_listens(listeners: Sequence[Listener]) -> bool:
    """Whether a person, not only bots, is there to hear the reading."""
    return any(not listener.bot for listener in listeners)
