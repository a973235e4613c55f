"""Database tables, as SQLAlchemy 2 typed declarative models.

Rows are storage shapes, not domain values: repositories translate them to and from
`core.domain` types, so the service never sees SQLAlchemy. Every schema change here needs a
matching migration in `migrations/versions/`; a test compares the two.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, MetaData, String, Text, func, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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
    # Server-side clocks so every replica stamps rows with the same time source.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
