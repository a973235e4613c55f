"""listen cheaper: a call kept through a restart remembers `/listen cheaper:True`

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-27 21:00:00

`live_calls.cheaper`: the call was started with `/listen cheaper:True`, its captions cut in
pieces of 2 to 4 seconds with nothing heard twice (issue 86); false for the calls kept before,
which go on as `/listen` now comes, with captions sooner.
Written by hand in the shape autogenerate gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | Sequence[str] | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "live_calls",
        sa.Column("cheaper", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("live_calls") as batch:
        batch.drop_column("cheaper")
