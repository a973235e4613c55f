"""Who is in a reading's voice channel as one of its messages is read (`room`): the people
there, by name, and the channels the message mentions that one of them may not see
(`unseen`), which its speech says as "a channel". A reading asks afresh as each message comes
up, as the platform tells of people coming and going (`core.ports.VoiceChannels`); the rules of
who may see what are `core.domain.reading_audience`'s.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.app.reader.message_speech import Room
from core.domain.reading import ChannelMessage, Reads
from core.domain.reading_audience import seen_by_all
from core.domain.values import ChatRef
from core.ports import VoiceChannels

__all__ = ["room", "unseen"]


def room(
    channels: VoiceChannels, server: ChatRef, voice_id: str, reads: Reads, message: ChannelMessage
) -> Room:
    """Who is in the voice channel `voice_id` as `message` is read, and which channels it
    mentions that one of them may not see."""
    present = channels.listeners(server, voice_id, about=reads.text_id)
    return Room(
        platform_locale=reads.platform_locale,
        present={listener.id: listener.name for listener in present},
        unseen_channels=unseen(channels, server, voice_id, message.channels),
    )


def unseen(
    channels: VoiceChannels, server: ChatRef, voice_id: str, mentioned: Iterable[str]
) -> frozenset[str]:
    """Those of the channels `mentioned` that someone in the voice channel now may not see."""
    return frozenset(
        channel for channel in mentioned
        if not seen_by_all(channels.listeners(server, voice_id, about=channel))
    )  # fmt: skip
