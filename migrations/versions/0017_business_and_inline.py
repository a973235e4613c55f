"""Telegram Business connections and their owners' choices; inline mode's rendered voices

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-23 11:10:00

One row per connection a user made from their Telegram account to the bot
(`core.app.recordings.business_chats`): who owns it, whether it may reply on their behalf, and what
the owner chose (transcripts on or off, where they go, which chats are left alone). Written by hand
in the shape autogenerate gives.

Beside it, `inline_voices`: each voice note inline mode rendered, as the Telegram file id it got
once stored, under the key of its text, voice and style
(`core.domain.voices.inline_voice_cache_key`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "business_connections",
        sa.Column("connection_id", sa.String(length=128), nullable=False),
        sa.Column("owner_user_id", sa.String(length=64), nullable=False),
        sa.Column("owner_chat_id", sa.String(length=64), nullable=False),
        sa.Column("can_reply", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("transcripts", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("destination", sa.String(length=16), server_default="owner", nullable=False),
        sa.Column("skipped_chats", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column(
            "connected_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "destination IN ('owner', 'reply')", name=op.f("ck_business_connections_destination")
        ),
        sa.PrimaryKeyConstraint("connection_id", name=op.f("pk_business_connections")),
    )
    op.create_index(
        op.f("ix_business_connections_owner_user_id"),
        "business_connections",
        ["owner_user_id"],
        unique=False,
    )
    op.create_table(
        "inline_voices",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("file_id", sa.String(length=256), nullable=False),
        sa.Column("seconds", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_inline_voices")),
    )


def downgrade() -> None:
    op.drop_table("inline_voices")
    op.drop_index(op.f("ix_business_connections_owner_user_id"), table_name="business_connections")
    op.drop_table("business_connections")
