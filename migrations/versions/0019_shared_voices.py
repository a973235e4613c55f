"""A cloned voice speaks for the chat only once its owner shared it

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-25 05:00:00

`chat_voices.shared`: its owner let the chat use their cloned voice (`/voice share NAME`), as the
chat's voice, for Read aloud, summaries and digests. Every voice that exists when this runs
starts unshared: nobody gave that consent yet. Written by hand in the shape autogenerate gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite takes it too): the SQL can be printed offline, without a live
    # database to reflect the table, as batch mode would need.
    op.add_column(
        "chat_voices",
        sa.Column("shared", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("chat_voices") as batch:
        batch.drop_column("shared")
