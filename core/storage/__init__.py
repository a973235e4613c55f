"""Storage: preferences, the chat log and summary state (later usage, processed updates) in SQL.

The service depends on the `UnitOfWork` protocol only; `SqlAlchemyUnitOfWork` is the real
adapter, built by the composition root from `create_engine` and `session_factory`.
"""

from core.storage.chatlog import ChatLogRepository, SummaryStateRepository
from core.storage.database import (
    alembic_config,
    create_engine,
    current_revision,
    downgrade,
    session_factory,
    upgrade,
)
from core.storage.models import Base, ChatMessageRow, ChatPreferencesRow, ChatSummaryStateRow
from core.storage.repositories import PreferencesRepository
from core.storage.uow import (
    ChatLogStore,
    PreferencesStore,
    SqlAlchemyUnitOfWork,
    SummaryStateStore,
    SummaryUnitOfWork,
    UnitOfWork,
)

__all__ = [
    "Base",
    "ChatLogRepository",
    "ChatLogStore",
    "ChatMessageRow",
    "ChatPreferencesRow",
    "ChatSummaryStateRow",
    "PreferencesRepository",
    "PreferencesStore",
    "SqlAlchemyUnitOfWork",
    "SummaryStateRepository",
    "SummaryStateStore",
    "SummaryUnitOfWork",
    "UnitOfWork",
    "alembic_config",
    "create_engine",
    "current_revision",
    "downgrade",
    "session_factory",
    "upgrade",
]
