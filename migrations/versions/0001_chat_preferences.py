"""chat preferences

Revision ID: 0001
Revises:
Create Date: 2026-11-21 01:16:12
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_preferences",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("voice", sa.String(length=64), nullable=True),
        sa.Column("style", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), server_default="auto", nullable=False),
        sa.Column("auto_transcribe", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("tts_model", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("platform", "chat_id", name=op.f("pk_chat_preferences")),
    )


def downgrade() -> None:
    op.drop_table("chat_preferences")
