"""usage and limits

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 12:00:00

The limits that protect the owner (`core.app.rules.limits`): requests per person and per chat in
each clock minute (`rate_windows`), and each chat's usage per UTC day against its quotas
(`chat_usage`). Written by hand in the shape autogenerate gives, with `DateTime(timezone=True)` for
the application's `UtcDateTime` (see 0002).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_windows",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), server_default="0", nullable=False),
        sa.Column("told", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "subject", "window_start", name=op.f("pk_rate_windows")
        ),
    )
    op.create_index(op.f("ix_rate_windows_window_start"), "rate_windows", ["window_start"])

    op.create_table(
        "chat_usage",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("audio_seconds", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("tts_chars", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("summaries", sa.Integer(), server_default="0", nullable=False),
        sa.Column("prompt_tokens", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("completion_tokens", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("told", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("platform", "chat_id", "day", name=op.f("pk_chat_usage")),
    )


def downgrade() -> None:
    op.drop_table("chat_usage")
    op.drop_index(op.f("ix_rate_windows_window_start"), table_name="rate_windows")
    op.drop_table("rate_windows")
