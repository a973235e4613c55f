"""Listening consent: each member's yes or no to being transcribed when the bot listens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, false, func
from sqlalchemy.orm import Mapped, mapped_column

from core.infra.storage.models.base import Base

__all__ = ["ListeningConsentRow"]


class ListeningConsentRow(Base):
    """A member's yes (or no) to being transcribed when the bot listens in one server's voice
    channels (`/listen_me`). A missing row: no. Deleted by `/forget` with the server's data."""

    __tablename__ = "listen_consents"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    consents: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # How many times they said no: work under way on their words stops at a change
    # (`core.domain.mandates`), a no followed at once by a yes too.
    noes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
