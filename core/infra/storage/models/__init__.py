"""Database tables, as SQLAlchemy 2 typed declarative models.

Rows are storage shapes, not domain values: repositories translate them to and from
`core.domain` types, so the use cases never see SQLAlchemy. Every schema change here needs a
matching migration in `migrations/versions/`; a test compares the two.

One module per area (every one imported here, so that `Base.metadata` holds every table):

    base.py          the declarative base, and the names of constraints
    preferences.py   a chat's preferences
    summaries.py     what a group said, kept for its summaries, and where each summary stands
    work.py          claims on incoming work; what the limits count (rate windows, daily usage)
    voices.py        a chat's voices
    transcripts.py   transcripts kept per recording, piece by piece
    telegram.py      Telegram's own: Business connections, voice notes cached for inline answers
    reading.py       the channel reader's choices
    listening_consents.py  listening consent: members' yes or no to being transcribed in a call
    live_calls.py    the calls being listened to and the channel readings, kept while they last
    mandates.py      how many times each chat was forgotten, which work under way checks
    account_minute.py  MiMo's minute shared by processes: every replica's uses, each queue
    clone_consent.py  spoken consent to a cloned voice: the sentences asked for, who first
                      sent each recording

A module named as one of another layer holds this layer's part of the same concept
(`summaries.py`, `claims.py`, `gists.py`...): the list is in `core.domain`'s map.
"""

from core.infra.storage.models.account_minute import MinuteQueueRow, MinuteUseRow
from core.infra.storage.models.base import NAMING_CONVENTION, Base
from core.infra.storage.models.clone_consent import CloneChallengeRow, ConsentReadingRow
from core.infra.storage.models.listening_consents import ListeningConsentRow
from core.infra.storage.models.live_calls import LiveCallRow, LiveReadingRow
from core.infra.storage.models.mandates import ChatForgetsRow
from core.infra.storage.models.preferences import ChatPreferencesRow
from core.infra.storage.models.reading import ReaderMemberRow, ReaderSettingsRow
from core.infra.storage.models.summaries import ChatMessageRow, ChatSummaryStateRow
from core.infra.storage.models.telegram import BusinessConnectionRow, InlineVoiceRow
from core.infra.storage.models.transcripts import (
    DeletedMessageRow,
    ImportClaimRow,
    RecordingTranscriptPartRow,
    RecordingTranscriptRow,
    RunningImportRow,
)
from core.infra.storage.models.voices import ChatVoiceRow
from core.infra.storage.models.work import ChatUsageRow, ClaimRow, RateWindowRow

__all__ = [
    "NAMING_CONVENTION",
    "Base",
    "BusinessConnectionRow",
    "ChatForgetsRow",
    "ChatMessageRow",
    "ChatPreferencesRow",
    "ChatSummaryStateRow",
    "ChatUsageRow",
    "ChatVoiceRow",
    "ClaimRow",
    "CloneChallengeRow",
    "ConsentReadingRow",
    "DeletedMessageRow",
    "ImportClaimRow",
    "InlineVoiceRow",
    "ListeningConsentRow",
    "LiveCallRow",
    "LiveReadingRow",
    "MinuteQueueRow",
    "MinuteUseRow",
    "RateWindowRow",
    "ReaderMemberRow",
    "ReaderSettingsRow",
    "RecordingTranscriptPartRow",
    "RecordingTranscriptRow",
    "RunningImportRow",
]
