"""seconds of recordings asked about

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 12:00:00

`/ask` draws on a daily quota of its own (DAILY_ASK_SECONDS): each chat's day counts the seconds
of the recordings it asked about. Earlier days read 0, which is what they were counted against.
Written by hand in the shape autogenerate gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat_usage") as batch:
        batch.add_column(
            sa.Column("ask_seconds", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("chat_usage") as batch:
        batch.drop_column("ask_seconds")
