"""consent reader: the reader's name a consent sentence gives, kept with it

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-27 18:10:00

`clone_challenges.reader`: the name the sentence gives its reader (their name on the platform),
which a recogniser may write in the reader's script (ニコル for Nicole). Its reading was compared
without the voice's name (`/voice clone NAME`) instead, so a genuine reading with the reader's
name heard in kana or Hangul was refused whenever the two differed. Null in the sentences asked
before, open five minutes at most: the voice's name stands in for them.
Written by hand in the shape autogenerate gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | Sequence[str] | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("clone_challenges", sa.Column("reader", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clone_challenges") as batch:
        batch.drop_column("reader")
