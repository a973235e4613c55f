"""listening: each member's consent to being transcribed in a server

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-25 18:45:00

`listen_consents`: a member's yes (or no) to being transcribed when the bot listens in the
server's voice channels (`/listen_me`); a member without a row is not transcribed. Written by
hand in the shape autogenerate gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "listen_consents",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("consents", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint(
            "platform", "chat_id", "member_id", name=op.f("pk_listen_consents")
        ),
    )


def downgrade() -> None:
    op.drop_table("listen_consents")
