"""The channel reader's choices (listening consent: `listening_tables.py`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    String,
    false,
    func,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.infra.storage.tables.declarative_base import Base

__all__ = ["ReaderMemberRow", "ReaderSettingsRow"]


class ReaderSettingsRow(Base):
    """A server's choices for the channel reader (`core.app.channel_reader.reading_control`): whose
    messages it reads besides its members'. A missing row reads as `ReaderRules()`, whose defaults
    (`core.domain.channel_reader.reader_rules`: none of them) the columns repeat. Deleted by
    `/forget`."""

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
    A missing row: assigned a voice, read. Deleted by `/forget` with the server's data, but
    for a no to being read, kept with its voice forgotten."""

    __tablename__ = "reader_members"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    voice: Mapped[str | None] = mapped_column(String(64))
    read: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
