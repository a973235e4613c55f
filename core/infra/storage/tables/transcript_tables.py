"""Transcripts kept per recording, piece by piece."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Float,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.infra.storage.tables.declarative_base import Base, UtcDateTime

__all__ = [
    "DeletedMessageRow",
    "ImportClaimRow",
    "RecordingTranscriptPartRow",
    "RecordingTranscriptRow",
    "RunningImportRow",
]

EMPTY = text("''")


class RecordingTranscriptRow(Base):
    """A recording's transcript, kept so that it is never paid for twice
    (`core.app.recordings.kept_transcripts`): keyed by the chat and the platform's lasting id of the
    recording (Telegram's `file_unique_id`, a Discord attachment's id). `duration` is set once every
    piece was heard; until then a redo (a crash, a takeover) sends MiMo only the pieces not in
    `recording_transcript_parts`. The chat's data: deleted by `/forget` and after
    SUMMARY_RETENTION_DAYS."""

    __tablename__ = "recording_transcripts"
    # A message deleted on its platform is looked up by its id among its chat's recordings.
    __table_args__ = (Index("ix_recording_transcripts_said", "platform", "chat_id", "message_id"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    recording: Mapped[str] = mapped_column(String(128), primary_key=True)
    # What ASR was told the recording is in (`/language`: auto, zh, en).
    language: Mapped[str] = mapped_column(String(8))
    duration: Mapped[float | None] = mapped_column(Float())
    made_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    # Where it was said, for `/find` (`core.domain.memory.search_rules.Said`): the message that
    # carried the recording, its sender's name and the time sent; `place` is the Discord channel it
    # is in, or a call's voice channel (NULL on Telegram, and for recordings kept before 0025).
    message_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    author: Mapped[str | None] = mapped_column(String(256), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    place: Mapped[str | None] = mapped_column(String(64), nullable=True)


class RecordingTranscriptPartRow(Base):
    """One piece of a kept transcript, stored the moment MiMo answered for it; offsets in
    milliseconds of the original recording, so they compare exactly when the piece comes again."""

    # `/find` reads one chat's lines newest first through an index of each database's own,
    # made by migration 0026 (`core.infra.storage.recordings.search_in_database`).
    __tablename__ = "recording_transcript_parts"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    recording: Mapped[str] = mapped_column(String(128), primary_key=True)
    start_ms: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    end_ms: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    made_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    # A call's line (`core.app.listening.live_transcription`): who said it, by id and by name at the
    # time; NULL for a recording's pieces.
    speaker_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    speaker: Mapped[str | None] = mapped_column(String(256), nullable=True)
    # The text with case and accents folded (`core.domain.memory.search_rules.fold`): what `/find`
    # searches, in the chat's own lines only (`core.infra.storage.recordings.search_in_database`).
    folded: Mapped[str] = mapped_column(Text, default="", server_default=EMPTY)


class DeletedMessageRow(Base):
    """A message deleted on its platform (a Discord server's, a Telegram Business contact's),
    noted the moment the platform says so, whether or not anything was kept of it yet: a
    recording it carried that is still being heard (by this process, another replica, or an
    import) is then never kept, nor its transcript posted (`core.app.recordings.kept_transcripts`).
    `place`: the Discord channel, or the Business contact's chat ('' where the chat is the place).
    Deleted after SUMMARY_RETENTION_DAYS, with the chat by `/forget`."""

    __tablename__ = "deleted_messages"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    place: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    deleted_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class RunningImportRow(Base):
    """An import of a chat's past running, in whichever process (`voicebridge import telegram`
    runs in its own): written as it starts, deleted as it ends, and by `/forget` with the rest
    of the chat's data. The import looks for its row before each message and each answer kept,
    and stops once it is gone (`core.app.memory.importer`). `seen_at`: when its process was last
    alive (written every third of WORK_LEASE_SECONDS while it runs, paused too); a row a killed
    import left stays until the chat's next `/forget`, and its claims lapse (`ImportClaimRow`)."""

    __tablename__ = "running_imports"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    import_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # None: written before migration 0032, and counted as seen at its start
    seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ImportClaimRow(Base):
    """A past message an import is hearing now: two imports of one chat running at once (the
    command run again in another terminal, `/remember` on two replicas) send each message to
    MiMo, and charge it, once (`core.app.memory.importer`). Written before the message is sent,
    deleted once it is heard or given back, with the import's end and by `/forget`. A claim of
    an import not seen alive for a lease (WORK_LEASE_SECONDS: its process killed) is taken
    over. Not `processed_updates`' claims: an import never redoes another's work, a lapsed claim
    is only free. `place`: the Discord channel ('' on Telegram)."""

    __tablename__ = "import_claims"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    place: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    import_id: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime())
