"""Storage on SQLAlchemy: preferences, the chat log, summary state, claims, usage and voices.

chats/                what is kept of a chat: its preferences, its log and summary state, Business
                      connections, the places every table names
mimo_minute/          MiMo's minute shared by replicas, and the minute now for `voicebridge usage`
recordings/           kept transcripts, imports' marks, and /find's search over them
rules/                claims on incoming work, the limits' state, the mandates work writes under
tables/               the tables, as typed declarative models, one module per area
voice_calls/          what the voice calls keep: listening consent, the calls being listened to,
                      the channel reader's choices
voices/               a chat's own voices, the consent they are cloned under, inline voice notes
database_copy.py      one database copied into another (`db copy`: from SQLite to PostgreSQL)
database_engines.py   engines, sessions and the schema's migrations (Alembic)
sql_statements.py     the statements every repository shares: an upsert, the dialect's INSERT, a
                      chat's key columns, a mapped class's table
sqlite_minute_snapshots.py  MiMo's minute as a bot that keeps it alone (SQLite) holds it, written
                      while it sends, for `voicebridge usage`
sqlite_setup.py       SQLite's own: its file, and what each connection is told
unit_of_work_in_database.py  the unit of work: one session, one transaction, per block

The use cases depend on the `UnitOfWork` ports (`core.ports`) only; `SqlAlchemyUnitOfWork` is
the real adapter, built by the composition root from `create_engine` and `session_factory`.
`core.infra.local_settings.LocalUnitOfWork` keeps preferences in the process instead, for
the command line (outside this package, so the command line never loads SQLAlchemy).

A concept that spans the layers is named in each for its part of it (`chat_log_in_database`,
`chat_log_store_port`, `summary_values`...): the list is in `core.domain`'s map.
"""

from core.infra.storage.chats.chat_log_in_database import ChatLogRepository, SummaryStateRepository
from core.infra.storage.chats.chat_settings_in_database import PreferencesRepository
from core.infra.storage.database_engines import (
    alembic_config,
    create_engine,
    current_revision,
    downgrade,
    session_factory,
    upgrade,
)
from core.infra.storage.tables import Base, ChatMessageRow, ChatPreferencesRow, ChatSummaryStateRow
from core.infra.storage.unit_of_work_in_database import SqlAlchemyUnitOfWork

__all__ = [
    "Base",
    "ChatLogRepository",
    "ChatMessageRow",
    "ChatPreferencesRow",
    "ChatSummaryStateRow",
    "PreferencesRepository",
    "SqlAlchemyUnitOfWork",
    "SummaryStateRepository",
    "alembic_config",
    "create_engine",
    "current_revision",
    "downgrade",
    "session_factory",
    "upgrade",
]
