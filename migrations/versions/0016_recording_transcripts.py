"""transcripts kept per recording, piece by piece; a chat's automatic translation

Revision ID: 0016
Revises: 0009
Create Date: 2026-11-23 11:10:00

A recording's transcript is kept under the platform's lasting id of the file, each piece stored
as MiMo answers for it, so a recording transcribed once (or partly, before a crash) is not sent
to MiMo again. `chat_preferences.autotranslate` holds the language a chat's transcripts are also
translated into (/autotranslate), NULL when off, and `gist_minutes` the length from which a
recording also gets its gist (/tldr auto); `chat_voices.speaks_translations` that a cloned
voice's owner let it speak translations of their words (/voicetranslations). Written by hand
in the shape autogenerate gives, with `DateTime(timezone=True)` for the application's
`UtcDateTime` (see 0002).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite takes it with a constant default), so `--sql` mode needs no
    # live database to reflect the tables, as batch mode would.
    op.add_column("chat_preferences", sa.Column("autotranslate", sa.String(64), nullable=True))
    op.add_column("chat_preferences", sa.Column("gist_minutes", sa.Integer(), nullable=True))
    op.add_column(
        "chat_voices",
        sa.Column("speaks_translations", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_table(
        "recording_transcripts",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("recording", sa.String(length=128), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "chat_id", "recording", name=op.f("pk_recording_transcripts")
        ),
    )
    op.create_index(op.f("ix_recording_transcripts_made_at"), "recording_transcripts", ["made_at"])
    op.create_table(
        "recording_transcript_parts",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("recording", sa.String(length=128), nullable=False),
        sa.Column("start_ms", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("end_ms", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "platform",
            "chat_id",
            "recording",
            "start_ms",
            name=op.f("pk_recording_transcript_parts"),
        ),
    )
    op.create_index(
        op.f("ix_recording_transcript_parts_made_at"),
        "recording_transcript_parts",
        ["made_at"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_recording_transcript_parts_made_at"), table_name="recording_transcript_parts"
    )
    op.drop_table("recording_transcript_parts")
    op.drop_index(op.f("ix_recording_transcripts_made_at"), table_name="recording_transcripts")
    op.drop_table("recording_transcripts")
    with op.batch_alter_table("chat_voices") as batch:
        batch.drop_column("speaks_translations")
    with op.batch_alter_table("chat_preferences") as batch:
        batch.drop_column("gist_minutes")
        batch.drop_column("autotranslate")
