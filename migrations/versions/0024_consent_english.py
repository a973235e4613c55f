"""spoken consent: the English sentence offered beside another language's, and no longer sample

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-26 06:00:00

`clone_challenges.english` and `english_words`: the English sentence (with random words of its
own) offered to a person whose language MiMo's speech recognition does not document; a reading
of either passes. `sample_seconds` goes: a passed reading now closes its sentence, and a clone
speaks only from the reading itself (no longer recording replaces it). Written by hand in the
shape autogenerate gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("clone_challenges", sa.Column("english", sa.Text(), nullable=True))
    op.add_column("clone_challenges", sa.Column("english_words", sa.Text(), nullable=True))
    # SQLite drops a column in place since 3.35 (every Python we support ships a newer one): no
    # batch copy, so `alembic upgrade --sql` prints it without a database.
    op.drop_column("clone_challenges", "sample_seconds")


def downgrade() -> None:
    with op.batch_alter_table("clone_challenges") as batch:
        batch.add_column(
            sa.Column("sample_seconds", sa.Float(), server_default="0", nullable=False)
        )
        batch.drop_column("english_words")
        batch.drop_column("english")
