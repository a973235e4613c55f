"""What the user asked for cannot be done as asked: the request, or its audio, is wrong."""

from __future__ import annotations

from core.domain.errors.base import VoicebridgeError

__all__ = [
    "AdminsOnly",
    "AnonymousCaller",
    "AnswerWentAway",
    "AudioError",
    "AudioFileTooLarge",
    "AudioTimedOut",
    "AudioTooLarge",
    "AudioTooLong",
    "BadChoice",
    "BadDigest",
    "BadVoiceDescription",
    "BadVoiceName",
    "BadWindow",
    "ConsentRefused",
    "DigitsWrong",
    "EmptyAudio",
    "EmptyText",
    "LoggingIsOff",
    "NoOwnVoice",
    "NoSearchWords",
    "NoSpeech",
    "NotAllowed",
    "NotYourRecording",
    "NotYourVoice",
    "NothingKept",
    "NothingToProcess",
    "NothingToSummarise",
    "ReadingCopied",
    "ReadingForwarded",
    "ReadingTooOld",
    "ReadingViaBot",
    "RecordingDeleted",
    "RecordingWentAway",
    "SentenceWrong",
    "StyleTooLong",
    "SummaryWentAway",
    "TextTooLong",
    "TooLongToAsk",
    "TooManyVoices",
    "UndecodableAudio",
    "UnknownCommand",
    "UnknownLanguage",
    "UnknownTimeZone",
    "UnknownVoice",
    "UserInputError",
    "VoiceNameTaken",
    "VoiceNotShared",
    "VoiceNotVerified",
    "WentAway",
]


class UserInputError(VoicebridgeError):
    key = "error.bad_input"


class EmptyText(UserInputError):
    key = "error.empty_text"


class NoSearchWords(UserInputError):
    """`/find` without a word to look for: nothing, or nothing but control characters."""

    key = "find.usage"


class TextTooLong(UserInputError):
    """Params: length, limit, setting (MAX_SAY_CHARS, which the refusal names: the operator's
    to raise)."""

    key = "error.text_too_long"


class StyleTooLong(TextTooLong):
    """A speaking style (`/style`, `say --style`) longer than a style may be: its sentence names
    the style, not the text to speak. Params: length, limit."""

    key = "error.style_too_long"


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


class RecordingDeleted(UserInputError):
    """The message that carried the recording was deleted while it was transcribed: its
    transcript is neither shown nor kept (`core.app.recordings.kept_transcripts`)."""

    key = "transcript.deleted"


class WentAway(UserInputError):
    """Words something was made from went away while it waited for MiMo (a message deleted,
    the chat forgotten, a member's no): it is not sent (`core.app.rules.outgoing_check`)."""

    key = "gone.answer"


class AnswerWentAway(WentAway):
    """`/ask` across the chat or about a call: a line handed to the model went away."""

    key = "gone.answer"


class SummaryWentAway(WentAway):
    """`/summary` (a channel's, a call's): a message or line it summed up went away."""

    key = "gone.summary"


class RecordingWentAway(WentAway):
    """`/tldr`, `/translate`, `/ask` about a recording: its message was deleted, or the chat
    forgotten, while what was made of it waited for MiMo."""

    key = "gone.recording"


class NothingKept(UserInputError):
    """`/ask` without a recording: nothing kept in the chat holds the question's words.
    Params: days (how long transcripts are kept)."""

    key = "memory.nothing_kept"


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


class NotYourVoice(UserInputError):
    """Sharing (or no longer sharing) a voice that is not one of the asker's cloned voices.
    Params: value."""

    key = "error.not_your_voice"


class VoiceNotShared(UserInputError):
    """Choosing, as the chat's voice, someone else's cloned voice they have not shared.
    Params: value."""

    key = "error.voice_not_shared"


class ConsentRefused(UserInputError):
    """A reading of the consent sentence that does not let a voice be cloned
    (`core.domain.voices.clone_consent_rules`); each kind says which part failed, in one line."""

    key = "error.consent.refused"


class ReadingForwarded(ConsentRefused):
    key = "error.consent.forwarded"


class ReadingViaBot(ConsentRefused):
    key = "error.consent.via_bot"


class ReadingCopied(ConsentRefused):
    key = "error.consent.copied"


class ReadingTooOld(ConsentRefused):
    key = "error.consent.too_old"


class SentenceWrong(ConsentRefused):
    key = "error.consent.sentence"


class DigitsWrong(ConsentRefused):
    key = "error.consent.digits"


class VoiceNotVerified(UserInputError):
    """Sharing a cloned voice made before spoken consent, not read for since. Params: value."""

    key = "error.voice_not_verified"


class AnonymousCaller(UserInputError):
    """A request on behalf of a chat (an anonymous administrator): no person to answer for."""

    key = "error.anonymous_caller"


class AudioError(VoicebridgeError):
    key = "error.audio"


class UndecodableAudio(AudioError):
    key = "error.undecodable_audio"


class AudioTimedOut(UndecodableAudio):
    """ffmpeg ran far longer than the recording's length warrants: a file that makes it wait or
    loop for ever is as unusable as one it cannot decode, and is told so."""


class EmptyAudio(AudioError):
    key = "error.empty_audio"


class AudioTooLarge(AudioError):
    """Params: limit (Megabytes, or a Duration)."""

    key = "error.audio_too_large"


class AudioTooLong(AudioTooLarge):
    """Longer than the operator allows a recording to be. Params: limit (a Duration), setting
    (MAX_AUDIO_SECONDS, which the refusal names)."""

    key = "error.audio_too_long"


class AudioFileTooLarge(AudioTooLarge):
    """A file larger than the operator allows. Params: limit (Megabytes), setting
    (MAX_AUDIO_MB, which the refusal names)."""

    key = "error.file_too_large"


class TooLongToAsk(AudioTooLarge):
    """Params: limit (a Duration)."""

    key = "error.too_long_to_ask"


class NoSpeech(UserInputError):
    """A recording to condense or translate in which nothing was heard."""

    key = "transcript.empty"


class UnknownLanguage(UserInputError):
    """Params: value (what was typed for a language to translate into)."""

    key = "translate.unknown_language"


class NoOwnVoice(UserInputError):
    """/voicetranslations from someone without a cloned voice of their own in the chat."""

    key = "error.no_own_voice"
