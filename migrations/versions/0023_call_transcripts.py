"""call transcripts: who said each line of a call the bot listened to

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-25 21:00:00

A call's transcript is kept as recordings' transcripts are (`recording_transcripts`, under the
recording `call:<voice channel>:<start>`), with retention and `/forget`; each of its lines
names its speaker: `recording_transcript_parts.speaker_id` (the member's id) and `speaker`
(their name at the time), NULL for a recording's pieces. Written by hand in the shape
autogenerate gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("recording_transcript_parts") as batch:
        batch.add_column(sa.Column("speaker_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("speaker", sa.String(length=256), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recording_transcript_parts") as batch:
        batch.drop_column("speaker")
        batch.drop_column("speaker_id")
