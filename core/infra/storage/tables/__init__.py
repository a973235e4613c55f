"""Database tables, as SQLAlchemy 2 typed declarative models.

Rows are storage shapes, not domain values: repositories translate them to and from
`core.domain` types, so the use cases never see SQLAlchemy. Every schema change here needs a
matching migration in `migrations/versions/`; a test compares the two.

One module per area (every one imported here, so that `Base.metadata` holds every table):

chat_log_tables.py    what a group said, kept for its summaries, and where each summary stands
chat_settings_table.py  a chat's preferences
clone_consent_tables.py  spoken consent to a cloned voice: the sentences asked for, who first sent
                      each recording
declarative_base.py   the declarative base, and the names of constraints; column types that behave
                      the same on SQLite and PostgreSQL
forget_count_table.py  how many times each chat was forgotten, which work under way checks
listening_tables.py   listening consent: members' yes or no to being transcribed in a call; the
                      calls being listened to and the channel readings, kept while they last
minute_tables.py      MiMo's minute shared by processes: every replica's uses, each queue
own_voice_table.py    a chat's voices
reader_choices_tables.py  the channel reader's choices
telegram_tables.py    Telegram's own: Business connections, voice notes cached for inline answers
transcript_tables.py  transcripts kept per recording, piece by piece
work_tables.py        claims on incoming work; what the limits count (rate windows, daily usage)

A concept that spans the layers is named in each for its part of it (`chat_log_tables`,
`chat_log_in_database`, `summary_values`...): the list is in `core.domain`'s map.
"""

from core.infra.storage.tables.chat_log_tables import ChatMessageRow, ChatSummaryStateRow
from core.infra.storage.tables.chat_settings_table import ChatPreferencesRow
from core.infra.storage.tables.clone_consent_tables import CloneChallengeRow, ConsentReadingRow
from core.infra.storage.tables.declarative_base import NAMING_CONVENTION, Base
from core.infra.storage.tables.forget_count_table import ChatForgetsRow
from core.infra.storage.tables.listening_tables import (
    ListeningConsentRow,
    LiveCallRow,
    LiveReadingRow,
)
from core.infra.storage.tables.minute_tables import MinuteQueueRow, MinuteUseRow
from core.infra.storage.tables.own_voice_table import ChatVoiceRow
from core.infra.storage.tables.reader_choices_tables import ReaderMemberRow, ReaderSettingsRow
from core.infra.storage.tables.telegram_tables import BusinessConnectionRow, InlineVoiceRow
from core.infra.storage.tables.transcript_tables import (
    DeletedMessageRow,
    ImportClaimRow,
    RecordingTranscriptPartRow,
    RecordingTranscriptRow,
    RunningImportRow,
)
from core.infra.storage.tables.work_tables import ChatUsageRow, ClaimRow, RateWindowRow

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
