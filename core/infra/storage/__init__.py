"""Storage on SQLAlchemy: preferences, the chat log, summary state, claims, usage and voices.

The use cases depend on the `UnitOfWork` ports (`core.ports`) only; `SqlAlchemyUnitOfWork` is
the real adapter, built by the composition root from `create_engine` and `session_factory`.
`core.infra.local_preferences.MemoryUnitOfWork` keeps preferences in the process instead, for
the command line (outside this package, so the command line never loads SQLAlchemy).
"""

from core.infra.storage.chatlog import ChatLogRepository, SummaryStateRepository
from core.infra.storage.database import (
    alembic_config,
    create_engine,
    current_revision,
    downgrade,
    session_factory,
    upgrade,
)
from core.infra.storage.models import Base, ChatMessageRow, ChatPreferencesRow, ChatSummaryStateRow
from core.infra.storage.repositories import PreferencesRepository
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
