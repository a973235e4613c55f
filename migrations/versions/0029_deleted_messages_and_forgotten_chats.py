"""deleted messages and forgotten chats: what the bot was told, kept where every process sees it

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-27 13:37:10

`deleted_messages`: a message deleted on its platform (Discord, a Telegram Business contact's),
noted as the platform says so, so that a recording of it still being heard (in this process,
another replica or an import) is never kept nor posted. `running_imports`: an import of a
chat's past while it runs, deleted by `/forget` with the chat's data, so that an import running
in another process stops at a `/forget` (`core.app.recordings.kept_transcripts`,
`core.app.memory.importer`). Written from autogenerate's output.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | Sequence[str] | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deleted_messages",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("place", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "chat_id", "place", "message_id", name=op.f("pk_deleted_messages")
        ),
    )
    op.create_index(
        op.f("ix_deleted_messages_deleted_at"), "deleted_messages", ["deleted_at"], unique=False
    )
    op.create_table(
        "running_imports",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("import_id", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "chat_id", "import_id", name=op.f("pk_running_imports")
        ),
    )


def downgrade() -> None:
    op.drop_table("running_imports")
    op.drop_index(op.f("ix_deleted_messages_deleted_at"), table_name="deleted_messages")
    op.drop_table("deleted_messages")
