"""chat voices

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 12:00:00

A chat's own voices (`core.app.voices.own_voices`): designed from a description or cloned from a
sample recording, which is stored in the row (an mp3 of at most 30 s, a few hundred kB). Written by
hand in the shape autogenerate gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_voices",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("name_key", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sample", sa.LargeBinary(), nullable=True),
        sa.Column("sample_mime", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint("kind IN ('designed', 'cloned')", name=op.f("ck_chat_voices_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_voices")),
        sa.UniqueConstraint(
            "platform", "chat_id", "name_key", name=op.f("uq_chat_voices_platform_chat_id_name_key")
        ),
    )


def downgrade() -> None:
    op.drop_table("chat_voices")
