"""the channel reader: a server's rules, its members' choices, and consent for own voices

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 09:00:00

`reader_settings`: whose messages a server's channel reader reads besides its members' (bots,
webhooks, other bots' commands; none by default). `reader_members`: a member's own choices in
a server (a model's voice for their messages, and whether they are read at all).
`chat_voices.reads_messages`: a cloned voice's owner let it read their messages aloud; every
voice that exists when this runs starts without that consent. Written by hand in the shape
autogenerate gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reader_settings",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("bots", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("webhooks", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("commands", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("platform", "chat_id", name=op.f("pk_reader_settings")),
    )
    op.create_table(
        "reader_members",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("voice", sa.String(length=64), nullable=True),
        sa.Column("read", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("platform", "chat_id", "member_id", name=op.f("pk_reader_members")),
    )
    # A plain ADD COLUMN (SQLite takes it too), as 0019's.
    op.add_column(
        "chat_voices",
        sa.Column("reads_messages", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("chat_voices") as batch:
        batch.drop_column("reads_messages")
    op.drop_table("reader_members")
    op.drop_table("reader_settings")
