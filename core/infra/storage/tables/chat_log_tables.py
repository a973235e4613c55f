"""What a group said, kept for its summaries, and where each summary stands."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.infra.storage.tables.declarative_base import Base, UtcDateTime

__all__ = ["ChatMessageRow", "ChatSummaryStateRow"]


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
