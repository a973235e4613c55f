"""transcript search: `/find` over a chat's kept transcripts

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-26 06:30:00

Each kept line gets `folded` (its text with case and accents folded,
`core.domain.memory.search_rules.fold`), filled here for the lines kept before, and a full-text
index over it: on PostgreSQL a GIN index with pg_trgm's trigram operators (`CREATE EXTENSION
pg_trgm`, a trusted extension since PostgreSQL 13); on SQLite an FTS5 table with the trigram
tokenizer (`transcript_search`), kept in step with the lines by triggers and pointed to by
`search_id`. Trigrams find any part of a word, so Chinese, Japanese and Korean, written without
spaces, are found as well as any other language. A kept recording also remembers where it was said
(its message, sender, time and Discord channel; a call's voice channel, filled here from its key).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTS = "recording_transcript_parts"
HEADERS = "recording_transcripts"
SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE transcript_search USING fts5(folded, tokenize = 'trigram')",
    """CREATE TRIGGER transcript_search_kept AFTER INSERT ON recording_transcript_parts BEGIN
        INSERT INTO transcript_search (folded) VALUES (new.folded);
        UPDATE recording_transcript_parts SET search_id = last_insert_rowid()
         WHERE rowid = new.rowid;
    END""",
    """CREATE TRIGGER transcript_search_changed AFTER UPDATE OF folded
        ON recording_transcript_parts BEGIN
        UPDATE transcript_search SET folded = new.folded WHERE rowid = new.search_id;
    END""",
    """CREATE TRIGGER transcript_search_gone AFTER DELETE ON recording_transcript_parts BEGIN
        DELETE FROM transcript_search WHERE rowid = old.search_id;
    END""",
]
SQLITE_UNSEARCH = [
    "DROP TRIGGER IF EXISTS transcript_search_gone",
    "DROP TRIGGER IF EXISTS transcript_search_changed",
    "DROP TRIGGER IF EXISTS transcript_search_kept",
    "DROP TABLE IF EXISTS transcript_search",
]


def fold(text: str) -> str:
    """`core.domain.memory.search_rules.fold` as it was when this migration was written."""

    def one(char: str) -> str:
        if char.isascii():
            return char.lower()
        normal = unicodedata.normalize("NFKD", char)
        return "".join(c for c in normal if not unicodedata.combining(c)).casefold()

    return "".join(one(char) for char in text)


def upgrade() -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    for column in (
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("author", sa.String(length=256), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("place", sa.String(length=64), nullable=True),
    ):
        op.add_column(HEADERS, column)
    op.add_column(
        PARTS, sa.Column("folded", sa.Text(), server_default=sa.text("''"), nullable=False)
    )
    op.add_column(PARTS, sa.Column("search_id", sa.BigInteger(), nullable=True))
    op.create_index(op.f("ix_recording_transcript_parts_search_id"), PARTS, ["search_id"])
    op.create_index(
        "ix_recording_transcript_parts_chat_time", PARTS, ["platform", "chat_id", "made_at"]
    )
    if sqlite:
        for statement in SQLITE_SEARCH:
            op.execute(statement)
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_recording_transcript_parts_folded_trgm ON recording_transcript_parts"
            " USING gin (folded gin_trgm_ops)"
        )
    if not op.get_context().as_sql:
        _fill()


def _fill() -> None:
    """The lines kept before: their folded text (into the index, by the triggers on SQLite),
    and each call's voice channel."""
    bind = op.get_bind()
    lines = bind.execute(
        sa.text(
            "SELECT platform, chat_id, recording, start_ms, text FROM recording_transcript_parts"
            " ORDER BY made_at, start_ms"  # so `search_id` grows with time, as for new lines
        )
    ).all()
    for platform, chat_id, recording, start_ms, said in lines:
        bind.execute(
            sa.text(
                "UPDATE recording_transcript_parts SET folded = :folded"
                " WHERE platform = :p AND chat_id = :c AND recording = :r AND start_ms = :s"
            ),
            {"folded": fold(said), "p": platform, "c": chat_id, "r": recording, "s": start_ms},
        )
        if bind.dialect.name == "sqlite":
            bind.execute(
                sa.text("INSERT INTO transcript_search (folded) VALUES (:folded)"),
                {"folded": fold(said)},
            )
            bind.execute(
                sa.text(
                    "UPDATE recording_transcript_parts SET search_id = last_insert_rowid()"
                    " WHERE platform = :p AND chat_id = :c AND recording = :r AND start_ms = :s"
                ),
                {"p": platform, "c": chat_id, "r": recording, "s": start_ms},
            )
    calls = bind.execute(
        sa.text(
            "SELECT platform, chat_id, recording FROM recording_transcripts"
            " WHERE recording LIKE 'call:%'"
        )
    ).all()
    for platform, chat_id, recording in calls:
        channel = recording.removeprefix("call:").partition(":")[0]
        bind.execute(
            sa.text(
                "UPDATE recording_transcripts SET place = :place"
                " WHERE platform = :p AND chat_id = :c AND recording = :r"
            ),
            {"place": channel, "p": platform, "c": chat_id, "r": recording},
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        for statement in SQLITE_UNSEARCH:
            op.execute(statement)
    else:
        op.execute("DROP INDEX IF EXISTS ix_recording_transcript_parts_folded_trgm")
    op.drop_index("ix_recording_transcript_parts_chat_time", table_name=PARTS)
    op.drop_index(op.f("ix_recording_transcript_parts_search_id"), table_name=PARTS)
    with op.batch_alter_table(PARTS) as batch:
        batch.drop_column("search_id")
        batch.drop_column("folded")
    with op.batch_alter_table(HEADERS) as batch:
        batch.drop_column("place")
        batch.drop_column("author")
        batch.drop_column("sent_at")
        batch.drop_column("message_id")
