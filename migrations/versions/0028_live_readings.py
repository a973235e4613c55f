"""live readings: a channel reading, kept while it lasts so that a restart takes it up

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-27 00:20:00

`live_readings`: one row a server whose text channel the bot reads aloud (`/read_channel`):
where, what, who started it and in which languages, the last message whose turn came, when it
started and when it was last known alive. Deleted as the reading ends; the next start takes up
the readings whose rows a stop for a deploy or a crash left
(`core.app.channel_reader.reading_control`). Written by hand in the shape autogenerate gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | Sequence[str] | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "live_readings",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("voice_id", sa.String(length=64), nullable=False),
        sa.Column("text_id", sa.String(length=64), nullable=False),
        sa.Column("own_chat", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("starter", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("platform_locale", sa.String(length=16), nullable=True),
        sa.Column("last_read", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alive_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "chat_id", name=op.f("pk_live_readings")),
    )


def downgrade() -> None:
    op.drop_table("live_readings")
