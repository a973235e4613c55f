"""What listening to a server's voice channels keeps: each member's yes or no to being
transcribed when the bot listens, and the calls and channel readings under way, kept while they
last so that the next start takes them up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, false, func
from sqlalchemy.orm import Mapped, mapped_column

from core.infra.storage.tables.declarative_base import Base, UtcDateTime

__all__ = ["ListeningConsentRow", "LiveCallRow", "LiveReadingRow"]


class ListeningConsentRow(Base):
    """A member's yes (or no) to being transcribed when the bot listens in one server's voice
    channels (`/listen_me`). A missing row: no (`core.app.listening.listening_consents`). Deleted
    by `/forget` with the server's data."""

    __tablename__ = "listen_consents"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    consents: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # How many times they said no: work under way on their words stops at a change
    # (`core.domain.memory.write_mandates`), a no followed at once by a yes too.
    noes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class LiveCallRow(Base):
    """A server's call being listened to (`core.domain.listening.kept_call_values.KeptCall`);
    deleted as the call ends (`/stop_listening`, everyone gone, the quota, `/forget`), kept through
    a restart. One row per server, its key: a call beginning there replaces the one kept before
    (`save` is an upsert).
    """

    __tablename__ = "live_calls"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    voice_id: Mapped[str] = mapped_column(String(64))
    text_id: Mapped[str] = mapped_column(String(64))
    starter: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16))
    recording: Mapped[str] = mapped_column(String(128))
    translate: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    interpret: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    cheaper: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    captions_message: Mapped[str | None] = mapped_column(String(64), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    alive_at: Mapped[datetime] = mapped_column(UtcDateTime())


class LiveReadingRow(Base):
    """A server's channel reading (`core.domain.listening.kept_call_values.KeptReading`); deleted as
    the reading ends (`/stop`, everyone gone, idle, the quota), kept through a restart."""

    __tablename__ = "live_readings"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    voice_id: Mapped[str] = mapped_column(String(64))
    text_id: Mapped[str] = mapped_column(String(64))
    own_chat: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    starter: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16))
    platform_locale: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_read: Mapped[str | None] = mapped_column(String(64), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    alive_at: Mapped[datetime] = mapped_column(UtcDateTime())
