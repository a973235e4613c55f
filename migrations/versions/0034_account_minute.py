"""account minute: MiMo's minute shared by every replica of a key

Revision ID: 0034
Revises: 0033
Create Date: 2026-11-29 09:00:00

`minute_turns`: each request's turn in its model's minute, taken by whichever replica, at the
database's clock, and when MiMo answered it (it counts a minute from then), with the seconds
of speech it carries (every replica's calls are lengthened for all of them); deleted once it
leaves the minute. `minute_lines`: each process's line of a
model: what waits in it (for the other replicas to leave the turns to more urgent work), the
429s it met, the pause a 429 asks of every replica, and, where a process keeps the minute
alone (SQLite), what its minute held, for `voicebridge usage`. Both start empty: the minute
before the upgrade is MiMo's to remember. Written by hand in the shape autogenerate gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
down_revision: str | Sequence[str] | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "minute_turns",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("speech", sa.Float(), server_default="0", nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("instance", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minute_turns")),
    )
    op.create_index(
        "ix_minute_turns_model_taken_at", "minute_turns", ["model", "taken_at"], unique=False
    )
    op.create_table(
        "minute_lines",
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=160), nullable=False),
        sa.Column("instance", sa.String(length=128), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("live", sa.Integer(), server_default="0", nullable=False),
        sa.Column("person", sa.Integer(), server_default="0", nullable=False),
        sa.Column("background", sa.Integer(), server_default="0", nullable=False),
        sa.Column("longest_wait", sa.Float(), server_default="0", nullable=False),
        sa.Column("requests", sa.Integer(), nullable=True),
        sa.Column("tokens", sa.Integer(), nullable=True),
        sa.Column("refused", sa.Integer(), server_default="0", nullable=False),
        sa.Column("refused_on", sa.Date(), nullable=True),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("slowed_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("model", "owner", name=op.f("pk_minute_lines")),
    )


def downgrade() -> None:
    op.drop_table("minute_lines")
    op.drop_index("ix_minute_turns_model_taken_at", table_name="minute_turns")
    op.drop_table("minute_turns")
