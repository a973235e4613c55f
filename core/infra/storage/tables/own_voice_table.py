"""A chat's voices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.infra.storage.tables.declarative_base import Base

__all__ = ["ChatVoiceRow"]


class ChatVoiceRow(Base):
    """A voice of one chat's own (`core.app.voices.own_voices`): designed (a description) or cloned
    (a sample recording, mp3 of at most 30 s). Deleted by `/voice delete` or, with all of the chat's
    voices, by `/forget`.

    `name_key` is the casefolded name: names are unique per chat whatever their case.
    """

    __tablename__ = "chat_voices"
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "name_key"),
        CheckConstraint("kind IN ('designed', 'cloned')", name="kind"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(32))
    name_key: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    # Loaded only when the voice speaks: listings never carry the recordings.
    sample: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    sample_mime: Mapped[str] = mapped_column(String(32), default="")
    owner_id: Mapped[str | None] = mapped_column(String(64))
    # Its owner allowed it to speak translations of their words (/voicetranslations on).
    speaks_translations: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # Its owner shared it with the chat (/voice share): only then does it speak words not
    # its owner's own (the chat's voice for anyone, Read aloud, summaries, digests).
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Its owner let it read their messages aloud in voice channels (/myvoice own_voice).
    reads_messages: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Cloned after its owner read the consent sentence (`core.domain.voices.clone_consent_rules`);
    # clones made before that (migration 0022) speak only their owner's words until read for.
    verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
