"""The calls being listened to, kept while they last: taken up by the next start."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, false
from sqlalchemy.orm import Mapped, mapped_column

from core.infra.storage.models.base import Base
from core.infra.storage.types import UtcDateTime

__all__ = ["LiveCallRow", "LiveReadingRow"]


class LiveCallRow(Base):
    """A server's call being listened to (`core.domain.live_calls.KeptCall`); deleted as the
    call ends (`/stop_listening`, everyone gone, the quota, `/forget`), kept through a restart.
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
    """A server's channel reading (`core.domain.live_calls.KeptReading`); deleted as the
    reading ends (`/stop`, everyone gone, idle, the quota), kept through a restart."""

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
