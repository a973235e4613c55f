"""A chat's preferences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    String,
    Text,
    func,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.infra.storage.tables.declarative_base import Base

__all__ = ["ChatPreferencesRow"]


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
