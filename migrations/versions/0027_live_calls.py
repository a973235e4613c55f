"""live calls: a call being listened to, kept while it lasts so that a restart takes it up

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-26 23:40:00

`live_calls`: one row a server whose voice channel the bot listens in (`/listen`): where, who
started it and with which options, the name its transcript is kept under, when it started and
when it was last known alive, the message its captions go in. Deleted as the call ends; the
next start takes up the calls whose rows a stop for a deploy or a crash left
(`core.app.listening.call_lifecycle`). Written by hand in the shape autogenerate gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "live_calls",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("voice_id", sa.String(length=64), nullable=False),
        sa.Column("text_id", sa.String(length=64), nullable=False),
        sa.Column("starter", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("recording", sa.String(length=128), nullable=False),
        sa.Column("translate", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("interpret", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("captions_message", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alive_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "chat_id", name=op.f("pk_live_calls")),
    )


def downgrade() -> None:
    op.drop_table("live_calls")
