"""Claims on incoming work, and what the limits count: rate windows and daily usage."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.infra.storage.tables.declarative_base import Base, UtcDateTime

__all__ = ["ChatUsageRow", "ClaimRow", "RateWindowRow"]


class ClaimRow(Base):
    """A claim on one incoming message or command that leads to work (see
    `core.app.rules.work_claims`).

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
    # What the work is redone from once taken over (see `core.app.rules.work_claims`), None: not
    # redone; once it ends, only the id of the message that answered it, where known.
    payload: Mapped[str | None] = mapped_column(Text())
    attempts: Mapped[int] = mapped_column(Integer(), server_default="0")


class RateWindowRow(Base):
    """Costly requests of one person or one chat in one clock minute, for the rate limits
    (`core.app.rules.limits`). Rows older than an hour are purged.

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
    """What one chat used of MiMo in one UTC day, against its daily quotas
    (`core.app.rules.limits`), and shown by `/usage`. Earlier days are deleted by `/forget` and
    after SUMMARY_RETENTION_DAYS.

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
