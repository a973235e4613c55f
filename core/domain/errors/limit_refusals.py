"""A limit that protects the owner refused the request (enforced in `core.app.rules.limits`)."""

from __future__ import annotations

from core.domain.errors.base import VoicebridgeError

__all__ = [
    "AlreadyTold",
    "AskOverQuota",
    "AskQuotaShort",
    "AskQuotaUsed",
    "AudioBudgetSpent",
    "AudioOverQuota",
    "AudioQuotaShort",
    "AudioQuotaUsed",
    "AutoTranscriptsPaused",
    "BudgetSpent",
    "ChatSlowDown",
    "CloneAttemptsUsed",
    "LimitReached",
    "ListenQuotaUsed",
    "ListenStarterQuotaUsed",
    "NoLongerServed",
    "PersonAudioQuotaShort",
    "PersonAudioQuotaUsed",
    "PersonAutoTranscriptsPaused",
    "PersonSpeechQuotaShort",
    "PersonSpeechQuotaUsed",
    "PrivateBot",
    "QuotaUsed",
    "SlowDown",
    "SpeechBudgetSpent",
    "SpeechOverQuota",
    "SpeechQuotaShort",
    "SpeechQuotaUsed",
    "SummaryQuotaUsed",
]


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


class PersonAutoTranscriptsPaused(AutoTranscriptsPaused):
    """Params: wait, limit. The sender's recordings past their own rate; said once a minute."""

    key = "limits.auto_paused_person"


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


class PersonAudioQuotaUsed(QuotaUsed):
    """A person's own transcription of the day, all chats together (DAILY_PERSON_AUDIO_SECONDS)."""

    key = "limits.person_audio_quota"


class PersonAudioQuotaShort(PersonAudioQuotaUsed):
    key = "limits.person_audio_quota_short"


class PersonSpeechQuotaUsed(QuotaUsed):
    """A person's own speech of the day, all chats together (DAILY_PERSON_TTS_CHARS)."""

    key = "limits.person_speech_quota"


class PersonSpeechQuotaShort(PersonSpeechQuotaUsed):
    key = "limits.person_speech_quota_short"


class BudgetSpent(QuotaUsed):
    """The whole bot's day (DAILY_BUDGET_*), all chats together: it rests until midnight UTC."""


class AudioBudgetSpent(BudgetSpent):
    key = "limits.budget_audio"


class SpeechBudgetSpent(BudgetSpent):
    key = "limits.budget_speech"


class ListenQuotaUsed(QuotaUsed):
    """A server's listening of the day (DAILY_LISTEN_SECONDS): the seconds its members who said
    yes were heard in its voice channels. The call being listened to ends."""

    key = "limits.listen_quota"


class ListenStarterQuotaUsed(PersonAudioQuotaUsed):
    """The transcription of the day of the member who started a call's listening (their
    DAILY_PERSON_AUDIO_SECONDS, all chats together), which the call is charged to. The call
    being listened to ends; someone else may start it again."""

    key = "limits.listen_starter"


class CloneAttemptsUsed(LimitReached):
    """One person's `/voice clone` requests today (VOICE_CLONE_ATTEMPTS_PER_DAY).
    Params: limit, wait."""

    key = "error.clone_attempts_used"


class AlreadyTold(LimitReached):
    """Automatic work (a voice note nobody asked to transcribe) refused by a limit the chat has
    already been told about in this minute or day: adapters reply nothing, so a busy group is
    not answered once per voice note."""

    key = "limits.reached"


class PrivateBot(VoicebridgeError):
    """The chat or user is not on ALLOWED_CHATS / ALLOWED_USERS."""

    key = "limits.private"


class NoLongerServed(PrivateBot):
    """A call or a reading kept through a restart whose server (or channel) and starter are no
    longer on ALLOWED_CHATS / ALLOWED_USERS: it is ended, not taken up."""

    key = "limits.no_longer_served"
