"""chat languages

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01 12:00:00

The language of what the bot posts to a whole chat (`core.chat.answer_languages`): the one its
administrators chose with /botlanguage, and the one of whoever last ran a command there. Both
are catalogue locales (`zh_Hans`, `pt_BR`) or NULL. Written by hand in the shape autogenerate
gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat_preferences") as batch:
        batch.add_column(sa.Column("interface_language", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("commander_language", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat_preferences") as batch:
        batch.drop_column("commander_language")
        batch.drop_column("interface_language")
