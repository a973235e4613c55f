"""leases on claims, and what is needed to redo their work

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 21:30:00

A claim is held under a lease its process renews while it works (`owner`, `lease_until`); once
the lease lapses, any process sharing the database takes the work over (`attempts` counts how
often) and redoes it from `payload` (the Telegram update, or the Discord message to fetch again).
Claims made before have neither: they read as lapsed, and without a payload they are reported as
interrupted, as before. Written by hand in the shape autogenerate gives, with
`DateTime(timezone=True)` for the application's `UtcDateTime` (see 0002).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processed_updates") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=160), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("payload", sa.Text(), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch.create_index("ix_processed_updates_state_lease", ["state", "lease_until"])


def downgrade() -> None:
    with op.batch_alter_table("processed_updates") as batch:
        batch.drop_index("ix_processed_updates_state_lease")
        batch.drop_column("attempts")
        batch.drop_column("payload")
        batch.drop_column("lease_until")
        batch.drop_column("owner")
