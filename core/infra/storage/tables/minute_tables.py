"""MiMo's minute for the whole account, where processes share it
(`core.domain.mimo.account_minute_rules`): the uses every replica took of each model's minute, and
each process's queue of a model (what waits in it, the 429s it met, the pause a 429 asks of every
replica)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.infra.storage.tables.declarative_base import Base, UtcDateTime

__all__ = ["MinuteQueueRow", "MinuteUseRow"]


class MinuteUseRow(Base):
    """A request's use of its model's minute, taken by one replica (PostgreSQL, where replicas
    share the minute; a process alone holds its uses in memory). `taken_at` and
    `answered_at` are the database's clock, so that every replica counts the same minute; once
    MiMo answered it, it counts a minute from then
    (`core.domain.mimo.account_minute_rules.ModelMinute`). Deleted once it leaves the minute, as
    MiMo forgets it: a replica that dies holds nothing past that."""

    # The table keeps the name it had when a use was called a turn: renaming it needs a
    # migration (and the operators' queries moved), which is not worth a word.
    __tablename__ = "minute_turns"
    __table_args__ = (Index("ix_minute_turns_model_taken_at", "model", "taken_at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    model: Mapped[str] = mapped_column(String(64))
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # MiMo's answer
    tokens: Mapped[int] = mapped_column(Integer)  # estimated, then as MiMo's answer counted
    speech: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")  # audio, s
    live: Mapped[bool] = mapped_column(Boolean)  # live work's: the rest is spread over the minute
    instance: Mapped[str] = mapped_column(String(128))  # the replica that took it


class MinuteQueueRow(Base):
    """One process's queue of one model. What waits in it, written while requests wait (and
    read by the other replicas only while `seen_at` is fresh: a dead replica's stops counting
    within seconds); the 429s it met on `refused_on`; the pause and the half minute a 429 asks
    of every replica (`paused_until`, `slowed_until`). Where a process holds the minute alone
    (SQLite), also what its minute held at `seen_at` (`requests`, `tokens`), which it writes
    every few seconds while it sends, for `voicebridge usage`; NULL where the uses are shared."""

    # The table keeps the name it had when a queue was called a line: renaming it needs a
    # migration (and the operators' queries moved), which is not worth a word.
    __tablename__ = "minute_lines"

    model: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(160), primary_key=True)  # instance/process mark
    instance: Mapped[str] = mapped_column(String(128))
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    live: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    person: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    background: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    longest_wait: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    requests: Mapped[int | None] = mapped_column(Integer)
    tokens: Mapped[int | None] = mapped_column(Integer)
    refused: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    refused_on: Mapped[date | None] = mapped_column(Date)
    paused_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    slowed_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
