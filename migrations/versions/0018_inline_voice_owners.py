"""inline mode's renderings note whose voice they are in, and the message that keeps them

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-24 10:00:00

Each row of `inline_voices` now names the chat whose voice it was rendered in (the asker's own
chat with the bot) and that voice's name, so `/forget` and `/voice delete` delete it, and the
chat and message that keep the voice note (Telegram's cache chat), which go with it.
`created_at` is indexed: renderings expire with SUMMARY_RETENTION_DAYS. Rows from before stay
unnoted (NULL) and expire the same way. Written by hand in the shape autogenerate gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inline_voices") as table:
        table.add_column(sa.Column("owner_platform", sa.String(length=16), nullable=True))
        table.add_column(sa.Column("owner_chat_id", sa.String(length=64), nullable=True))
        table.add_column(sa.Column("voice_name", sa.String(length=64), nullable=True))
        table.add_column(sa.Column("kept_in", sa.String(length=64), nullable=True))
        table.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))
        table.create_index(
            "ix_inline_voices_owner", ["owner_platform", "owner_chat_id"], unique=False
        )
        table.create_index(op.f("ix_inline_voices_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inline_voices") as table:
        table.drop_index(op.f("ix_inline_voices_created_at"))
        table.drop_index("ix_inline_voices_owner")
        table.drop_column("message_id")
        table.drop_column("kept_in")
        table.drop_column("voice_name")
        table.drop_column("owner_chat_id")
        table.drop_column("owner_platform")
