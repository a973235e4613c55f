"""How many times each chat was forgotten: what work under way checks its writes against
(`core.domain.memory.write_mandates`)."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.infra.storage.tables.declarative_base import Base

__all__ = ["ChatForgetsRow"]


class ChatForgetsRow(Base):
    """A chat's count of `/forget`s, which a forget leaves (`core.app.memory.forgetting` says
    why): its id and a number."""

    __tablename__ = "chat_forgets"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    forgets: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
