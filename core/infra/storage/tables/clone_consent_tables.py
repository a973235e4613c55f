"""Spoken consent: the sentences asked for, who first sent each recording."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.infra.storage.tables.declarative_base import Base, UtcDateTime

__all__ = ["CloneChallengeRow", "ConsentReadingRow"]


class CloneChallengeRow(Base):
    """One `/voice clone NAME`: the sentence its person must read, where and until when
    (`core.domain.voices.clone_consent_rules.CloneChallenge`). Also how many a person asked for
    today (VOICE_CLONE_ATTEMPTS_PER_DAY): kept a day whatever `/forget` does
    (`core.app.voices.clone_consent.KEPT_DAYS`)."""

    __tablename__ = "clone_challenges"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    chat_id: Mapped[str] = mapped_column(String(64))
    asked_in: Mapped[str] = mapped_column(String(64))
    private_chat: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(32))
    sentence: Mapped[str] = mapped_column(Text)
    words: Mapped[str] = mapped_column(Text)  # the random part: a group of digits a line
    locale: Mapped[str] = mapped_column(String(16))
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())  # or when a reading passed
    cloned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # when a reading passed
    # The English sentence offered beside it (a language MiMo's recognition does not document),
    # and its random part (the same digits), one group a line.
    english: Mapped[str | None] = mapped_column(Text)
    english_words: Mapped[str | None] = mapped_column(Text)
    # The reader's name as the sentence gives it (their name on the platform; not `name`, the
    # voice's): a recogniser may write it in the reader's script. None before migration 0030.
    reader: Mapped[str | None] = mapped_column(Text)


class ConsentReadingRow(Base):
    """Who first sent each voice note the bot saw, by the platform's lasting id of the file:
    the same file offered as someone else's consent reading is a copy. Deleted by retention
    after a day."""

    __tablename__ = "consent_readings"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    identity: Mapped[str] = mapped_column(String(128), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
