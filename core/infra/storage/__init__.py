"""Storage on SQLAlchemy: preferences, the chat log, summary state, claims, usage and voices.

database.py      engines, sessions and the schema's migrations (Alembic)
copying.py       one database copied into another (`db copy`: from SQLite to PostgreSQL)
sqlite.py        SQLite's own: its file, and what each connection is told
models/          the tables, as typed declarative models, one module per area
types.py         column types that behave the same on SQLite and PostgreSQL
uow.py           the unit of work: one session, one transaction, per block
statements.py    the statements every repository shares: an upsert, the dialect's INSERT, a
                 chat's key columns, a mapped class's table
preferences.py   each chat's preferences
summaries.py     the chat log and each chat's summary state (`core.ports.storage.summaries`)
transcripts.py   kept transcripts and their parts
import_marks.py  an import's mark and the past messages it claims (read as its pieces are kept)
search.py        /find's search over them, within the asker's chat
claims.py        claims on incoming work (the table keeps its first name, processed_updates)
clone_consent.py  the consent sentences asked for (a cloned voice's), and who first sent
                  each voice note
usage.py         the limits' state: request windows and daily usage
voices.py        a chat's own voices
reading.py       the channel reader's rules and members' choices
listening_consents.py  listening consent: members' yes or no to being transcribed in a call
mandates.py      the check of every write of work under way against a /forget or a no since
live_calls.py    the calls being listened to, kept while they last
business.py      Telegram Business connections
inline.py        inline mode's rendered voice notes
places.py        every table that names a place, for /forget and retention
account_minute.py  MiMo's minute shared by replicas: each use under its model's lock, what
                 waits in each replica's queue, a 429's pause for all (`DatabaseLedger`)
minute_now.py    MiMo's minute now, for `voicebridge usage`: shared, or a lone bot's snapshot
minute_snapshots.py  ...which a bot that keeps the minute alone (SQLite) writes while it sends

The use cases depend on the `UnitOfWork` ports (`core.ports`) only; `SqlAlchemyUnitOfWork` is
the real adapter, built by the composition root from `create_engine` and `session_factory`.
`core.infra.local_preferences.LocalUnitOfWork` keeps preferences in the process instead, for
the command line (outside this package, so the command line never loads SQLAlchemy).

A module named as one of another layer holds this layer's part of the same concept
(`summaries.py`, `claims.py`, `gists.py`...): the list is in `core.domain`'s map.
"""

from core.infra.storage.database import (
    alembic_config,
    create_engine,
    current_revision,
    downgrade,
    session_factory,
    upgrade,
)
from core.infra.storage.models import Base, ChatMessageRow, ChatPreferencesRow, ChatSummaryStateRow
from core.infra.storage.preferences import PreferencesRepository
from core.infra.storage.summaries import ChatLogRepository, SummaryStateRepository
from core.infra.storage.uow import SqlAlchemyUnitOfWork

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
