"""processed updates

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 09:00:00

Claims on incoming work (`core.app.rules.work_claims`): one row per message or command that leads to
work, keyed by platform, chat and message so that only the first delivery can insert it. Written by
hand in the shape autogenerate gives, with `DateTime(timezone=True)` for the application's
`UtcDateTime` (see 0002).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "processed_updates",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("requester", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("instance", sa.String(length=128), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('started', 'done', 'failed')", name=op.f("ck_processed_updates_state")
        ),
        sa.PrimaryKeyConstraint(
            "platform", "chat_id", "message_id", name=op.f("pk_processed_updates")
        ),
    )
    op.create_index(
        "ix_processed_updates_instance_state", "processed_updates", ["instance", "state"]
    )
    op.create_index(op.f("ix_processed_updates_claimed_at"), "processed_updates", ["claimed_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_processed_updates_claimed_at"), table_name="processed_updates")
    op.drop_index("ix_processed_updates_instance_state", table_name="processed_updates")
    op.drop_table("processed_updates")
