"""Database tables, as SQLAlchemy 2 typed declarative models.

Rows are storage shapes, not domain values: repositories translate them to and from
`core.domain` types, so the use cases never see SQLAlchemy. Every schema change here needs a
matching migration in `migrations/versions/`; a test compares the two.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.infra.storage.types import UtcDateTime

# Named constraints keep Alembic's generated names identical on SQLite and PostgreSQL, and let a
# later migration drop or alter a constraint by name (SQLite batch mode needs names to do that).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ChatPreferencesRow(Base):
    """One chat's preferences; a missing row means every default applies.

    Keyed by platform as well as chat id because Telegram and Discord ids can collide.
    """

    __tablename__ = "chat_preferences"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    voice: Mapped[str | None] = mapped_column(String(64))
    style: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="auto", server_default="auto")
    auto_transcribe: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    tts_model: Mapped[str | None] = mapped_column(String(64))
    # Locales of the catalogue (`zh_Hans`): chosen with /botlanguage, and the last commander's.
    interface_language: Mapped[str | None] = mapped_column(String(16))
    commander_language: Mapped[str | None] = mapped_column(String(16))
    # /autotranslate: the language every transcript is also translated into (its English name).
    autotranslate: Mapped[str | None] = mapped_column(String(64))
    # /tldr auto MINUTES: recordings at least this long also get their gist; NULL: off.
    gist_minutes: Mapped[int | None] = mapped_column(Integer)
    # Server-side clocks so every replica stamps rows with the same time source.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ChatMessageRow(Base):
    """One logged message, caption or voice-note transcript of a group chat, for summaries.

    Deleted after the retention period, or all at once by `/forget`. A message id appears once
    per kind: a voice note with a caption is a caption row and a transcript row, and logging the
    same message twice (a re-delivered update, two replicas) changes nothing.
    """

    __tablename__ = "chat_messages"
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "message_id", "kind"),
        # Summaries read one chat's messages by time.
        Index("ix_chat_messages_chat_time", "platform", "chat_id", "sent_at"),
    )

    # BIGINT on PostgreSQL for a long-lived log; SQLite only auto-increments INTEGER keys.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(256))
    # When it was said (the platform's time), which is also what retention goes by.
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    text: Mapped[str] = mapped_column(Text)


class ChatSummaryStateRow(Base):
    """A chat's summary settings and bookkeeping; a missing row means logging on, no digest."""

    __tablename__ = "chat_summary_state"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    logging_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    last_summary_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    digest_time: Mapped[time | None] = mapped_column(Time())
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # The scheduler of every replica asks "which digests are due?" with this column.
    next_digest_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ClaimRow(Base):
    """A claim on one incoming message or command that leads to work (see `core.app.claims`).

    The primary key is the claim: of several deliveries of one message (a redelivered update, a
    webhook retry, a gateway replay, replicas racing), only the INSERT that creates the row wins.
    Deleted after the retention period.
    """

    __tablename__ = "processed_updates"
    __table_args__ = (
        CheckConstraint("state IN ('started', 'done', 'failed')", name="state"),
        # The start-up sweep asks for one instance's unfinished claims.
        Index("ix_processed_updates_instance_state", "instance", "state"),
        # Every sweep asks for the unfinished claims whose lease lapsed.
        Index("ix_processed_updates_state_lease", "state", "lease_until"),
    )

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    # Telegram: the chat and the message. Discord: the channel, and the message or interaction.
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    requester: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    instance: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The process working on it (instance name and a mark of the process) and until when its
    # lease runs; renewed while it works. NULL: claimed before leases, lapsed.
    owner: Mapped[str | None] = mapped_column(String(160))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # What the work is redone from once taken over (see `core.app.claims`), None: not redone;
    # once it ends, only the id of the message that answered it, where known.
    payload: Mapped[str | None] = mapped_column(Text())
    attempts: Mapped[int] = mapped_column(Integer(), server_default="0")


class RateWindowRow(Base):
    """Costly requests of one person or one chat in one clock minute, for the rate limits
    (`core.app.limits`). Rows older than an hour are purged.

    `subject` is "chat:<chat id>" or "user:<user id>"; `told` records that automatic work over
    the limit was refused aloud once in this minute (later refusals are silent).
    """

    __tablename__ = "rate_windows"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime(), primary_key=True, index=True)
    hits: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    told: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ChatUsageRow(Base):
    """What one chat used of MiMo in one UTC day, against its daily quotas (`core.app.limits`), and
    shown by `/usage`. Earlier days are deleted by `/forget` and after SUMMARY_RETENTION_DAYS.

    `told` records that the chat heard its automatic transcripts stopped for the day.
    """

    __tablename__ = "chat_usage"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    audio_seconds: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    tts_chars: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    summaries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    ask_seconds: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    prompt_tokens: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    completion_tokens: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    told: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ChatVoiceRow(Base):
    """A voice of one chat's own (`core.app.voices`): designed (a description) or cloned (a sample
    recording, mp3 of at most 30 s). Deleted by `/voice delete` or, with all of the chat's
    voices, by `/forget`.

    `name_key` is the casefolded name: names are unique per chat whatever their case.
    """

    __tablename__ = "chat_voices"
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "name_key"),
        CheckConstraint("kind IN ('designed', 'cloned')", name="kind"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(32))
    name_key: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    # Loaded only when the voice speaks: listings never carry the recordings.
    sample: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    sample_mime: Mapped[str] = mapped_column(String(32), default="")
    owner_id: Mapped[str | None] = mapped_column(String(64))
    # Its owner allowed it to speak translations of their words (/voicetranslations on).
    speaks_translations: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # Its owner shared it with the chat (/voice share): only then does it speak words not
    # its owner's own (the chat's voice for anyone, Read aloud, summaries, digests).
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Its owner let it read their messages aloud in voice channels (/myvoice own_voice).
    reads_messages: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Cloned after its owner read the consent sentence (`core.domain.consent`); clones made
    # before that (migration 0022) speak only their owner's words until read for.
    verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RecordingTranscriptRow(Base):
    """A recording's transcript, kept so that it is never paid for twice (`core.app.kept`):
    keyed by the chat and the platform's lasting id of the recording (Telegram's
    `file_unique_id`, a Discord attachment's id). `duration` is set once every piece was heard;
    until then a redo (a crash, a takeover) sends MiMo only the pieces not in
    `recording_transcript_parts`. The chat's data: deleted by `/forget` and after
    SUMMARY_RETENTION_DAYS."""

    __tablename__ = "recording_transcripts"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    recording: Mapped[str] = mapped_column(String(128), primary_key=True)
    # What ASR was told the recording is in (`/language`: auto, zh, en).
    language: Mapped[str] = mapped_column(String(8))
    duration: Mapped[float | None] = mapped_column(Float())
    made_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class RecordingTranscriptPartRow(Base):
    """One piece of a kept transcript, stored the moment MiMo answered for it; offsets in
    milliseconds of the original recording, so they compare exactly when the piece comes again."""

    __tablename__ = "recording_transcript_parts"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    recording: Mapped[str] = mapped_column(String(128), primary_key=True)
    start_ms: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    end_ms: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    made_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    # A call's line (`core.app.listening`): who said it, by id and by name at the time; NULL
    # for a recording's pieces.
    speaker_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    speaker: Mapped[str | None] = mapped_column(String(256), nullable=True)


class BusinessConnectionRow(Base):
    """A Telegram Business connection (`core.app.business`) and its owner's choices. Deleted the
    moment the owner disconnects the bot, with every claim on the connection's messages.

    `skipped_chats`: the ids of the chats the owner left alone, separated by spaces.
    """

    __tablename__ = "business_connections"
    __table_args__ = (CheckConstraint("destination IN ('owner', 'reply')", name="destination"),)

    connection_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    owner_user_id: Mapped[str] = mapped_column(String(64), index=True)
    owner_chat_id: Mapped[str] = mapped_column(String(64))
    can_reply: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    transcripts: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    destination: Mapped[str] = mapped_column(String(16), default="owner", server_default="owner")
    skipped_chats: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    connected_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class InlineVoiceRow(Base):
    """A voice note rendered for inline mode (`core.app.inline`), kept as the file id Telegram
    gave it once stored in TELEGRAM_INLINE_CACHE_CHAT, under the key of its text, voice and
    style (`core.domain.inline.inline_voice_key`)."""

    __tablename__ = "inline_voices"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_id: Mapped[str] = mapped_column(String(256))
    seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), server_default=func.now(), index=True
    )
    # The chat whose voice it was rendered in (its asker's own chat) and that voice's name
    # (casefolded):
    # `/forget` and `/voice delete` take it. NULL for renderings from before they were noted.
    owner_platform: Mapped[str | None] = mapped_column(String(16), nullable=True)
    owner_chat_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    voice_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The message that keeps the voice note (Telegram: in the cache chat), deleted with it.
    kept_in: Mapped[str | None] = mapped_column(String(64), nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (Index("ix_inline_voices_owner", "owner_platform", "owner_chat_id"),)


class ReaderSettingsRow(Base):
    """A server's choices for the channel reader (`core.app.channel_reader`): whose messages
    it reads besides its members'. A missing row: none of them. Deleted by `/forget`."""

    __tablename__ = "reader_settings"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    bots: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    webhooks: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    commands: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ReaderMemberRow(Base):
    """A member's own choices for the channel reader in one server: a model's voice for their
    messages (`/myvoice`; NULL: one is assigned) and whether they are read at all (`/read_me`).
    A missing row: assigned a voice, read. Deleted by `/forget` with the server's data."""

    __tablename__ = "reader_members"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    voice: Mapped[str | None] = mapped_column(String(64))
    read: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ListenConsentRow(Base):
    """A member's yes (or no) to being transcribed when the bot listens in one server's voice
    channels (`/listen_me`). A missing row: no. Deleted by `/forget` with the server's data."""

    __tablename__ = "listen_consents"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    consents: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class CloneChallengeRow(Base):
    """One `/voice clone NAME`: the sentence its person must read, where and until when
    (`core.domain.consent.CloneChallenge`). Also how many a person asked for today
    (VOICE_CLONE_ATTEMPTS_PER_DAY), so `/forget` leaves them: retention deletes them after a day."""

    __tablename__ = "clone_challenges"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    chat_id: Mapped[str] = mapped_column(String(64))
    asked_in: Mapped[str] = mapped_column(String(64))
    private_chat: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(32))
    sentence: Mapped[str] = mapped_column(Text)
    words: Mapped[str] = mapped_column(Text)  # the random words, one per line
    locale: Mapped[str] = mapped_column(String(16))
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())  # or when a reading passed
    cloned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # when a reading passed
    # The English sentence offered beside it (a language MiMo's recognition does not document),
    # and its random words, one per line.
    english: Mapped[str | None] = mapped_column(Text)
    english_words: Mapped[str | None] = mapped_column(Text)


class ConsentReadingRow(Base):
    """Who first sent each voice note the bot saw, by the platform's lasting id of the file:
    the same file offered as someone else's consent reading is a copy. Deleted by retention
    after a day."""

    __tablename__ = "consent_readings"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    identity: Mapped[str] = mapped_column(String(128), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
