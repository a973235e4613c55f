"""mandates: a forget or a no reaches work under way in any process

Revision ID: 0033
Revises: 0032
Create Date: 2026-11-28 09:00:00

`chat_forgets`: how many times each chat was forgotten (`/forget`); `listen_consents.noes`: how
many times each member said no. Work that lasts reads both as it begins and each of its writes
checks they have not moved (`core.domain.memory.write_mandates`), so that a forget or a no landing
between two of its steps, on whichever replica, ends what it keeps. Chats forgotten before this
migration count 0 times, as do the no's said before it: work running across the upgrade reads its
counts after it. Written by hand in the shape autogenerate gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | Sequence[str] | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_forgets",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("forgets", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("platform", "chat_id", name=op.f("pk_chat_forgets")),
    )
    op.add_column(
        "listen_consents",
        sa.Column("noes", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("listen_consents") as batch:
        batch.drop_column("noes")
    op.drop_table("chat_forgets")
