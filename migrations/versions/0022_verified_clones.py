"""voices: spoken consent to cloning, and clones made before it marked unverified

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-25 21:10:00

`chat_voices.verified`: a clone made after its owner read the consent sentence. Every clone
stored before is unverified and no longer shared: it speaks only its owner's own words until
they read the sentence for it (`/voice clone NAME` again). `clone_challenges`: the sentences
asked for; `consent_readings`: who first sent each recording offered as a reading. Written by
hand in the shape autogenerate gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "chat_voices",
        sa.Column("verified", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.execute(sa.text("UPDATE chat_voices SET shared = false WHERE kind = 'cloned'"))
    op.create_table(
        "clone_challenges",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("asked_in", sa.String(length=64), nullable=False),
        sa.Column("private_chat", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cloned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sample_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clone_challenges")),
    )
    op.create_index(
        op.f("ix_clone_challenges_person_id"), "clone_challenges", ["person_id"], unique=False
    )
    op.create_index(
        op.f("ix_clone_challenges_asked_at"), "clone_challenges", ["asked_at"], unique=False
    )
    op.create_table(
        "consent_readings",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("identity", sa.String(length=128), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "identity", name=op.f("pk_consent_readings")),
    )
    op.create_index(
        op.f("ix_consent_readings_seen_at"), "consent_readings", ["seen_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_consent_readings_seen_at"), table_name="consent_readings")
    op.drop_table("consent_readings")
    op.drop_index(op.f("ix_clone_challenges_asked_at"), table_name="clone_challenges")
    op.drop_index(op.f("ix_clone_challenges_person_id"), table_name="clone_challenges")
    op.drop_table("clone_challenges")
    with op.batch_alter_table("chat_voices") as batch:
        batch.drop_column("verified")
