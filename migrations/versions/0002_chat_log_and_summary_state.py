"""chat log and summary state

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 01:37:37

Reviewed by hand after autogenerate: `UtcDateTime` is written as the `DateTime(timezone=True)`
it stores (a migration must not import application types that may change later), and defaults
use `sa.true()`/`sa.func.now()` so the same script runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_messages",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=256), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_messages")),
        sa.UniqueConstraint(
            "platform",
            "chat_id",
            "message_id",
            "kind",
            name=op.f("uq_chat_messages_platform_chat_id_message_id_kind"),
        ),
    )
    op.create_index(
        "ix_chat_messages_chat_time", "chat_messages", ["platform", "chat_id", "sent_at"]
    )
    op.create_index(op.f("ix_chat_messages_sent_at"), "chat_messages", ["sent_at"])

    op.create_table(
        "chat_summary_state",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("logging_enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("last_summary_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("digest_time", sa.Time(), nullable=True),
        sa.Column("time_zone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("next_digest_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.PrimaryKeyConstraint("platform", "chat_id", name=op.f("pk_chat_summary_state")),
    )
    op.create_index(
        op.f("ix_chat_summary_state_next_digest_at"), "chat_summary_state", ["next_digest_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_chat_summary_state_next_digest_at"), table_name="chat_summary_state")
    op.drop_table("chat_summary_state")
    op.drop_index(op.f("ix_chat_messages_sent_at"), table_name="chat_messages")
    op.drop_index("ix_chat_messages_chat_time", table_name="chat_messages")
    op.drop_table("chat_messages")
