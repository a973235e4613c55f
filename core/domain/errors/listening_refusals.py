"""The listened calls' refusals (/listen, /stop_listening: `core.app.listening`): who may start and
stop listening in a voice channel, a call's summary asked for where none is kept, and a member's
no to being transcribed that holds in the call but could not be stored. All but that last derive
from the channel reader's `ReadingRefused` (`channel_reader_refusals.py`)."""

from __future__ import annotations

from core.domain.errors.base import VoicebridgeError
from core.domain.errors.channel_reader_refusals import ReadingRefused

__all__ = ["AlreadyListening", "NoCallKept", "NoNotSaved", "NotListening", "NotYourListening"]


class AlreadyListening(ReadingRefused):
    """/listen where the bot is in a voice channel of the server already and may not share it
    (decided by `core.app.voice_calls.seats.VoiceCalls.refuse_listening`)."""

    key = "listen.busy"


class NoNotSaved(VoicebridgeError):
    """A member's no to being transcribed holds in the call being listened to (nothing more
    of them is taken), but could not be stored: once the call ends, it is not known."""

    key = "listen.no_not_saved"


class NotListening(ReadingRefused):
    """/stop_listening where the bot does not listen."""

    key = "listen.not_listening"


class NotYourListening(ReadingRefused):
    """/stop_listening by someone other than the listening's starter, while the starter is in
    the call, without Move Members (the reading's rule: `core.app.voice_calls.seats.may_stop`)."""

    key = "listen.not_yours"


class NoCallKept(ReadingRefused):
    """A call's summary asked for where no call the bot listened to is kept (none yet, or
    deleted by retention or `/forget`)."""

    key = "listen.no_call"
