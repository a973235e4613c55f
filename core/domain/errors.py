"""Errors a chat user can cause or should hear about.

Every error carries a key into the message catalogue (`core.chat.messages`) and the values that
fill it, so each adapter renders it in the chat's language with one error handler. Adapters never
see `httpx`, SQLAlchemy or ffmpeg exceptions: the core translates them at its edges.

    VoicebridgeError
    ├── UserInputError            the request itself is wrong; retrying will not help
    │   ├── EmptyText
    │   ├── TextTooLong
    │   ├── BadChoice             a setting value outside its choices
    │   ├── NotAllowed            e.g. a group member who is not an administrator
    │   │   └── AdminsOnly        ...naming the command (/forget, /digest, /summary off)
    │   ├── NothingToProcess      a command that needs a reply to audio or text got none
    │   ├── UnknownCommand        a /command the bot does not have
    │   ├── BadWindow             `/summary` with a window it cannot read (usage line)
    │   ├── BadDigest             `/digest` with a time it cannot read (usage line)
    │   ├── UnknownTimeZone
    │   ├── BadVoiceName          a name for a chat's own voice that is not allowed
    │   │   └── VoiceNameTaken    ...the chat has a voice of that name, or it is a built-in one
    │   ├── UnknownVoice          /voice delete of a voice the chat does not have
    │   ├── TooManyVoices
    │   ├── BadVoiceDescription   empty or too long
    │   └── NotYourRecording      cloning a voice note someone else recorded
    │   └── NothingToSummarise    no stored messages in the window
    │       └── LoggingIsOff      ...because the chat turned logging off
    ├── AudioError                the audio could not be used
    │   ├── UndecodableAudio      corrupt, truncated, or not audio at all
    │   ├── EmptyAudio            no audio track, or zero length
    │   └── AudioTooLarge         over a size or duration limit
    │       └── TooLongToAsk      longer than one audio-understanding request holds
    ├── LimitReached              a limit that protects the owner (`core.app.limits`)
    │   ├── SlowDown              one person's requests this minute
    │   ├── ChatSlowDown          the whole chat's requests this minute
    │   │   └── AutoTranscriptsPaused  ...reached by automatic transcripts
    │   ├── QuotaUsed             a daily quota of the chat
    │   │   ├── AudioQuotaUsed    (...Short: some left, not enough; ...Over: more than a day's)
    │   │   ├── SpeechQuotaUsed   (SpeechQuotaShort, SpeechOverQuota: likewise)
    │   │   └── SummaryQuotaUsed
    │   └── AlreadyTold           automatic work refused again: the chat heard why, say nothing
    ├── PrivateBot                the chat or user is not on the allowlist
    └── MimoError                 the speech API failed
        ├── MimoAuthError         401, 403: the owner must fix the key or region
        ├── MimoBalanceError      402: the balance is used up
        ├── MimoContentFiltered   421
        ├── MimoBadRequest        400, 404: a bug or an unsupported input
        ├── MimoRateLimited       429 after retries
        ├── MimoUnavailable       500, 503, timeouts, broken connections after retries
        │   └── MimoCircuitOpen   not even tried: MiMo kept failing, the breaker is open
        └── MimoBadResponse       an answer without the expected content
"""

from __future__ import annotations

from typing import Any

MAX_QUOTED_CHARS = 40


def quoted(value: object) -> str:
    """What a user typed, as a reply repeats it: one printable line of at most
    `MAX_QUOTED_CHARS` characters, so that a 5,000-character `/voice` argument cannot make the
    refusal itself too long to send."""
    line = " ".join("".join(ch if ch.isprintable() else " " for ch in str(value)).split())
    return line if len(line) <= MAX_QUOTED_CHARS else line[: MAX_QUOTED_CHARS - 1] + "…"


class VoicebridgeError(Exception):
    """Base of every error with a user-facing message. A `value` param is what the user typed
    and is always shortened with `quoted`."""

    key = "error.generic"

    def __init__(self, detail: str = "", **params: Any) -> None:
        super().__init__(detail or self.key)
        if "value" in params:
            params["value"] = quoted(params["value"])
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
    """Params: setting (a Term naming it), value, choices."""

    key = "error.bad_choice"


class NotAllowed(UserInputError):
    key = "error.admins_only"


class NothingToProcess(UserInputError):
    """Params: command."""

    key = "error.nothing_to_process"


class UnknownCommand(UserInputError):
    """Params: value (the command's name as typed, without the slash)."""

    key = "error.unknown_command"


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


class BadVoiceName(UserInputError):
    """Params: value, limit (characters)."""

    key = "error.bad_voice_name"


class VoiceNameTaken(BadVoiceName):
    """Params: value."""

    key = "error.voice_name_taken"


class UnknownVoice(UserInputError):
    """Params: value."""

    key = "error.unknown_voice"


class TooManyVoices(UserInputError):
    """Params: limit."""

    key = "error.too_many_voices"


class BadVoiceDescription(UserInputError):
    """Params: limit (characters)."""

    key = "error.bad_voice_description"


class NotYourRecording(UserInputError):
    key = "error.not_your_recording"


class AudioError(VoicebridgeError):
    key = "error.audio"


class UndecodableAudio(AudioError):
    key = "error.undecodable_audio"


class EmptyAudio(AudioError):
    key = "error.empty_audio"


class AudioTooLarge(AudioError):
    """Params: limit (Megabytes, or a Duration)."""

    key = "error.audio_too_large"


class TooLongToAsk(AudioTooLarge):
    """Params: limit (a Duration)."""

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


class MimoCircuitOpen(MimoUnavailable):
    """Params: wait (a Duration, until MiMo is tried again)."""

    key = "error.mimo_circuit_open"


class MimoBadResponse(MimoError):
    key = "error.mimo_bad_response"


class LimitReached(VoicebridgeError):
    key = "limits.reached"


class SlowDown(LimitReached):
    """Params: wait (a Duration, until the minute is over), limit (requests a minute)."""

    key = "limits.slow_down"


class ChatSlowDown(LimitReached):
    """Params: wait, limit."""

    key = "limits.chat_slow_down"


class AutoTranscriptsPaused(ChatSlowDown):
    """Params: wait, limit. Said once a minute; `AlreadyTold` after that."""

    key = "limits.auto_paused"


class QuotaUsed(LimitReached):
    """Params: limit, left, needed (counts, or Durations of audio), reset (a Duration until the
    UTC day ends)."""

    key = "limits.quota"


class AudioQuotaUsed(QuotaUsed):
    key = "limits.audio_quota"


class AudioQuotaShort(AudioQuotaUsed):
    key = "limits.audio_quota_short"


class AudioOverQuota(AudioQuotaUsed):
    key = "limits.audio_over_quota"


class SpeechQuotaUsed(QuotaUsed):
    key = "limits.speech_quota"


class SpeechQuotaShort(SpeechQuotaUsed):
    key = "limits.speech_quota_short"


class SpeechOverQuota(SpeechQuotaUsed):
    key = "limits.speech_over_quota"


class SummaryQuotaUsed(QuotaUsed):
    key = "limits.summary_quota"


class AskQuotaUsed(QuotaUsed):
    key = "limits.ask_quota"


class AskQuotaShort(AskQuotaUsed):
    key = "limits.ask_quota_short"


class AskOverQuota(AskQuotaUsed):
    key = "limits.ask_over_quota"


class AlreadyTold(LimitReached):
    """Automatic work (a voice note nobody asked to transcribe) refused by a limit the chat has
    already been told about in this minute or day: adapters reply nothing, so a busy group is
    not answered once per voice note."""

    key = "limits.reached"


class PrivateBot(VoicebridgeError):
    """The chat or user is not on ALLOWED_CHATS / ALLOWED_USERS."""

    key = "limits.private"


class StartupError(Exception):
    """The bot cannot start for a reason outside its settings (a platform that stays
    unreachable); the message says what to check in one line. Not for chats."""


class ConfigError(Exception):
    """A setting is missing or invalid; the message names it in one line. Not for chats."""
