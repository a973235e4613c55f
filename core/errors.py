"""Errors a chat user can cause or should hear about.

Every error carries a key into the message catalogue (`core.messages`) and the values that fill
it, so each adapter renders it in the chat's language with one error handler. Adapters never see
`httpx`, SQLAlchemy or ffmpeg exceptions: the core translates them at its edges.

    VoicebridgeError
    ├── UserInputError            the request itself is wrong; retrying will not help
    │   ├── EmptyText
    │   ├── TextTooLong
    │   ├── BadChoice             a setting value outside its choices
    │   ├── NotAllowed            e.g. a group member who is not an administrator
    │   │   └── AdminsOnly        ...naming the command (/forget, /digest, /summary off)
    │   ├── NothingToProcess      a command that needs a reply to audio or text got none
    │   ├── BadWindow             `/summary` with a window it cannot read (usage line)
    │   ├── BadDigest             `/digest` with a time it cannot read (usage line)
    │   ├── UnknownTimeZone
    │   └── NothingToSummarise    no stored messages in the window
    │       └── LoggingIsOff      ...because the chat turned logging off
    ├── AudioError                the audio could not be used
    │   ├── UndecodableAudio      corrupt, truncated, or not audio at all
    │   ├── EmptyAudio            no audio track, or zero length
    │   └── AudioTooLarge         over a size or duration limit
    │       └── TooLongToAsk      longer than one audio-understanding request holds
    └── MimoError                 the speech API failed
        ├── MimoAuthError         401, 403: the owner must fix the key or region
        ├── MimoBalanceError      402: the balance is used up
        ├── MimoContentFiltered   421
        ├── MimoBadRequest        400, 404: a bug or an unsupported input
        ├── MimoRateLimited       429 after retries
        ├── MimoUnavailable       500, 503, timeouts, broken connections after retries
        └── MimoBadResponse       an answer without the expected content
"""

from __future__ import annotations

from typing import Any


class VoicebridgeError(Exception):
    """Base of every error with a user-facing message."""

    key = "error.generic"

    def __init__(self, detail: str = "", **params: Any) -> None:
        super().__init__(detail or self.key)
        self.detail = detail
        self.params = params


class UserInputError(VoicebridgeError):
    key = "error.bad_input"


class EmptyText(UserInputError):
    key = "error.empty_text"


class TextTooLong(UserInputError):
    """Params: length, limit."""

    key = "error.text_too_long"


class BadChoice(UserInputError):
    """Params: setting, value, choices."""

    key = "error.bad_choice"


class NotAllowed(UserInputError):
    key = "error.admins_only"


class NothingToProcess(UserInputError):
    """Params: command."""

    key = "error.nothing_to_process"


class AdminsOnly(NotAllowed):
    """Params: command."""

    key = "error.admins_only_command"


class BadWindow(UserInputError):
    key = "usage.summary"


class BadDigest(UserInputError):
    key = "usage.digest"


class UnknownTimeZone(UserInputError):
    """Params: value."""

    key = "error.unknown_time_zone"


class NothingToSummarise(UserInputError):
    """Params: days (how long messages are kept)."""

    key = "summary.nothing"


class LoggingIsOff(NothingToSummarise):
    key = "summary.nothing_logging_off"


class AudioError(VoicebridgeError):
    key = "error.audio"


class UndecodableAudio(AudioError):
    key = "error.undecodable_audio"


class EmptyAudio(AudioError):
    key = "error.empty_audio"


class AudioTooLarge(AudioError):
    """Params: limit (human readable)."""

    key = "error.audio_too_large"


class TooLongToAsk(AudioTooLarge):
    """Params: limit (human readable duration)."""

    key = "error.too_long_to_ask"


class MimoError(VoicebridgeError):
    key = "error.mimo"

    def __init__(self, detail: str = "", *, status: int | None = None, **params: Any) -> None:
        super().__init__(detail, **params)
        self.status = status


class MimoAuthError(MimoError):
    key = "error.mimo_auth"


class MimoBalanceError(MimoError):
    key = "error.mimo_balance"


class MimoContentFiltered(MimoError):
    key = "error.mimo_filtered"


class MimoBadRequest(MimoError):
    key = "error.mimo_bad_request"


class MimoRateLimited(MimoError):
    key = "error.mimo_rate_limited"


class MimoUnavailable(MimoError):
    key = "error.mimo_unavailable"


class MimoBadResponse(MimoError):
    key = "error.mimo_bad_response"


class ConfigError(Exception):
    """A setting is missing or invalid; the message names it in one line. Not for chats."""
