"""Telegram's own: Business connections, voice notes cached for inline answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.domain.recordings.business_choices import DESTINATIONS
from core.infra.storage.tables.declarative_base import Base, UtcDateTime

__all__ = ["BusinessConnectionRow", "InlineVoiceRow"]


class BusinessConnectionRow(Base):
    """A Telegram Business connection (`core.app.recordings.business_chats`) and its owner's
    choices. Deleted the moment the owner disconnects the bot, with every claim on the connection's
    messages.

    `skipped_chats`: the ids of the chats the owner left alone, separated by spaces. The
    columns `transcripts` and `destination` repeat `BusinessConnection`'s defaults
    (`core.domain.recordings.business_choices`: transcripts on from the start, to the owner's
    chat); a row is always saved from one. The destinations its check allows are that module's
    `DESTINATIONS` (a new one needs a migration too).
    """

    __tablename__ = "business_connections"
    __table_args__ = (
        CheckConstraint(
            "destination IN (" + ", ".join(f"'{d}'" for d in DESTINATIONS) + ")", name="destination"
        ),
    )

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
    """A voice note rendered for inline mode (`core.app.voices.inline_mode`), kept as the file id
    Telegram gave it once stored in TELEGRAM_INLINE_CACHE_CHAT, under the key of its text, voice and
    style (`core.domain.voices.inline_voice_cache_key.inline_voice_key`)."""

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
