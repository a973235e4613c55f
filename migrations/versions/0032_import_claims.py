"""import claims: two imports of one chat at once hear each message once

Revision ID: 0032
Revises: 0031
Create Date: 2026-11-28 04:00:00

`import_claims`: a past message an import is hearing now, so that a second import of the same
chat running at the same time (the command run again in another terminal, `/remember` on two
replicas) leaves it to the first instead of sending it to MiMo, and charging it, again.
`running_imports.seen_at`: when the import's process was last alive (it writes it every few
seconds); a claim of an import not seen for a while is taken over. NULL for the imports running
as this migration runs, which count as seen at their start. Written by hand in the shape
autogenerate gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | Sequence[str] | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "running_imports", sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_table(
        "import_claims",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("place", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("import_id", sa.String(length=32), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "chat_id", "place", "message_id", name=op.f("pk_import_claims")
        ),
    )


def downgrade() -> None:
    op.drop_table("import_claims")
    with op.batch_alter_table("running_imports") as batch:
        batch.drop_column("seen_at")
