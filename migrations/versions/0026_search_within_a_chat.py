"""transcript search within the asker's chat, and nothing of a deleted line left in the file

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-26 19:30:00

0025's indexes searched every chat's lines and only then kept the asker's: a search cost what
the whole bot held. Now each database's index starts with the chat:

SQLite      the FTS5 table `transcript_search` and its triggers go; a B-tree index over a chat's
            lines newest first that carries their folded text
            (`ix_recording_transcript_parts_chat_search`) lets `/find` read only the chat's own
            lines, and stop once it has a page. The FTS5 table also kept every deleted line in
            its segments until they happened to be merged (SQLite 3.40 has no `secure-delete`
            for FTS5), and SQLite leaves deleted rows' bytes in free pages unless told
            otherwise (`core.infra.storage.sqlite_setup` now says `secure_delete` on every
            connection): the file is rebuilt (VACUUM) so that lines forgotten before this
            upgrade leave nothing behind. This takes a while on a large database and needs as
            much free disk again while it runs.
PostgreSQL  the trigram index is keyed by chat too (`btree_gin`, a trusted extension since
            PostgreSQL 13, lets a GIN index hold `chat_id` beside pg_trgm's trigrams), so a word
            is looked up among the chat's lines only; without GIN's pending list
            (`fastupdate`), which every search read whole, whatever chat its lines were of
            (up to 4 MB: a large chat's searches took 20 times as long before it was flushed).
            A word of two Chinese, Japanese or Korean characters has no trigram: a second GIN
            index, of each line's chat beside its pairs of such characters
            (`voicebridge_cjk_pairs`, an immutable function made here), finds it among the
            chat's lines (150 ms to read a chat of 100,000 lines for a rare one, 2 ms through
            it). The B-tree over a chat's lines newest first gains the line's start, for the
            order `/find` shows them in.

`search_id`, the FTS5 row of a line, goes on both. A recording's message is found by its id
among its chat's (`ix_recording_transcripts_said`): a message deleted on its platform takes
what was kept of it along.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTS = "recording_transcript_parts"
HEADERS = "recording_transcripts"
CHAT_TIME = "ix_recording_transcript_parts_chat_time"  # 0025's
SQLITE_CHAT_SEARCH = "ix_recording_transcript_parts_chat_search"
PG_OLD_TRIGRAMS = "ix_recording_transcript_parts_folded_trgm"
PG_CHAT_TRIGRAMS = "ix_recording_transcript_parts_chat_trgm"
PG_CHAT_LINES = "ix_recording_transcript_parts_chat_lines"
PG_CHAT_PAIRS = "ix_recording_transcript_parts_chat_pairs"
# Every two characters that follow each other in a folded line where one is Chinese, Japanese
# (kana) or Korean (hangul), once each: `/find 发票` among the chat's lines without a trigram.
PG_PAIRS_FUNCTION = r"""CREATE FUNCTION voicebridge_cjk_pairs(folded text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT pair), '{}') FROM (
    SELECT substr(folded, i, 2) AS pair FROM generate_series(1, length(folded) - 1) AS i
  ) AS pairs
  WHERE pair ~ '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]'
$$"""


def upgrade() -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    op.drop_index(op.f("ix_recording_transcript_parts_search_id"), table_name=PARTS)
    op.drop_index(CHAT_TIME, table_name=PARTS)
    if sqlite:
        for statement in (
            "DROP TRIGGER IF EXISTS transcript_search_gone",
            "DROP TRIGGER IF EXISTS transcript_search_changed",
            "DROP TRIGGER IF EXISTS transcript_search_kept",
            "DROP TABLE IF EXISTS transcript_search",
        ):
            op.execute(statement)
        op.create_index(
            SQLITE_CHAT_SEARCH, PARTS, ["platform", "chat_id", "made_at", "start_ms", "folded"]
        )
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        op.execute(f"DROP INDEX IF EXISTS {PG_OLD_TRIGRAMS}")
        op.execute(
            f"CREATE INDEX {PG_CHAT_TRIGRAMS} ON {PARTS} USING gin (chat_id, folded gin_trgm_ops)"
            " WITH (fastupdate = off)"
        )
        op.execute(PG_PAIRS_FUNCTION)
        op.execute(
            f"CREATE INDEX {PG_CHAT_PAIRS} ON {PARTS} USING gin"
            " (chat_id, voicebridge_cjk_pairs(folded)) WITH (fastupdate = off)"
        )
        op.create_index(PG_CHAT_LINES, PARTS, ["platform", "chat_id", "made_at", "start_ms"])
    op.create_index("ix_recording_transcripts_said", HEADERS, ["platform", "chat_id", "message_id"])
    # SQLite drops a column in place since 3.35: no batch copy.
    op.drop_column(PARTS, "search_id")
    if sqlite and not op.get_context().as_sql:
        # VACUUM cannot run inside the migration's transaction.
        with op.get_context().autocommit_block():
            op.execute("VACUUM")


def downgrade() -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    op.drop_index("ix_recording_transcripts_said", table_name=HEADERS)
    op.add_column(PARTS, sa.Column("search_id", sa.BigInteger(), nullable=True))
    op.create_index(op.f("ix_recording_transcript_parts_search_id"), PARTS, ["search_id"])
    if sqlite:
        op.drop_index(SQLITE_CHAT_SEARCH, table_name=PARTS)
        for statement in _SQLITE_SEARCH:
            op.execute(statement)
    else:
        op.drop_index(PG_CHAT_LINES, table_name=PARTS)
        op.execute(f"DROP INDEX IF EXISTS {PG_CHAT_PAIRS}")
        op.execute("DROP FUNCTION IF EXISTS voicebridge_cjk_pairs(text)")
        op.execute(f"DROP INDEX IF EXISTS {PG_CHAT_TRIGRAMS}")
        op.execute(f"CREATE INDEX {PG_OLD_TRIGRAMS} ON {PARTS} USING gin (folded gin_trgm_ops)")
    op.create_index(CHAT_TIME, PARTS, ["platform", "chat_id", "made_at"])


# 0025's FTS5 table, filled again, and its triggers as they were.
_SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE transcript_search USING fts5(folded, tokenize = 'trigram')",
    """INSERT INTO transcript_search (rowid, folded)
        SELECT rowid, folded FROM recording_transcript_parts ORDER BY made_at, start_ms""",
    "UPDATE recording_transcript_parts SET search_id = rowid",
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
