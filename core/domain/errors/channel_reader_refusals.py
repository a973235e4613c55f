"""The channel reader's refusals (`core.app.channel_reader.reading_control`): who may start, switch,
skip and stop a reading, and what may be read to whom. Each names what the member can see: the
channels by their mention, never what they hold."""

from __future__ import annotations

from core.domain.errors.request_refusals import UserInputError

__all__ = [
    "AgeRestricted",
    "CouldNotJoin",
    "ListenerMayNotRead",
    "MayNotSpeakThere",
    "NotReading",
    "NotYourReading",
    "ReadingElsewhere",
    "ReadingRefused",
    "ReadingShareUsed",
    "VoiceChosenByAnother",
]


class ReadingRefused(UserInputError):
    """A reading not started, switched, skipped or stopped."""


class MayNotSpeakThere(ReadingRefused):
    """The member may not speak in the voice channel (denied Speak, server-muted or timed
    out), so nothing they ask is spoken there. Params: voice."""

    key = "reader.may_not_speak"


class ListenerMayNotRead(ReadingRefused):
    """Someone in the voice channel may not read the text channel (View Channel and Read
    Message History). Params: channel, voice."""

    key = "reader.listener_may_not_read"


class AgeRestricted(ReadingRefused):
    """An age-restricted (NSFW) text channel into a voice channel that is not. Params: channel,
    voice."""

    key = "reader.age_restricted"


class ReadingElsewhere(ReadingRefused):
    """The server has a reading in another voice channel (a bot has one voice connection in a
    server)."""

    key = "reader.busy"


class NotReading(ReadingRefused):
    """/skip or /stop where nothing is read aloud."""

    key = "reader.not_reading"


class NotYourReading(ReadingRefused):
    """/skip or /stop by someone other than the reading's starter, while the starter listens,
    without Move Members."""

    key = "reader.not_yours"


class VoiceChosenByAnother(UserInputError):
    """`/myvoice name:` a voice another member of the server chose: a chosen voice is its
    member's alone, so nobody is read in a voice others know as someone else's. Params: voice."""

    key = "reader.voice_taken"


class CouldNotJoin(ReadingRefused):
    """Joining the voice channel failed (a timeout, a refused connection). Params: channel."""

    key = "reader.could_not_join"


class ReadingShareUsed(UserInputError):
    """A member's share of the server's daily speech in readings is used up: their messages
    are not read again until the day ends. Params: name."""

    key = "reader.share_used"
