"""A voice message that arrived in a Discord channel, parsed once into the core's `Arrival`
(`core.app.voice_note_events`): what arrived (the voice message, where to fetch it:
`bots.discord.recording_attachments`), who sent it and whom the transcript is for (whose limits it
counts against, and in which language: `bots.discord.answers.discord_asker`), where (the channel
whose auto-transcribe may override the server's: `bots.discord.place_access`), and what it may be:
its sender's reading of their consent sentence (`bots.discord.recordings.declared_consent_reading`),
a forwarded one's too, which is all there is of a forward. The core decides which it is, once; the
cog renders what comes back.
"""

from __future__ import annotations

import discord

from bots.discord.answers.discord_asker import message_audience, unasked
from bots.discord.place_access import channel_override_of, for_message
from bots.discord.recording_attachments import remote, voice_message_in
from bots.discord.recordings.declared_consent_reading import consent_reading
from core.app.voice_note_events import Arrival

__all__ = ["arrival_of"]


def arrival_of(message: discord.Message) -> Arrival | None:
    """The voice message `message` carries (a person's; a bot's is never heard), as the core
    takes it; a forwarded one as its part in spoken consent alone (no `source`). None for
    anything else."""
    reading = consent_reading(message)
    voice = None if message.author.bot else voice_message_in(message)
    if voice is None and reading is None:
        return None
    return Arrival(
        chat=for_message(message),
        source=None if voice is None else remote(voice, message=message),
        audience=message_audience(message), asker=unasked(message),
        channel=channel_override_of(message), reading=reading,
    )  # fmt: skip
