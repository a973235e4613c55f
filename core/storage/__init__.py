"""Storage: preferences (and later stored messages, usage, processed updates) in SQL.

The service depends on the `UnitOfWork` protocol only; `SqlAlchemyUnitOfWork` is the real
adapter, built by the composition root from `create_engine` and `session_factory`.
"""

from core.storage.database import (
    alembic_config,
    create_engine,
    current_revision,
    downgrade,
    session_factory,
    upgrade,
)
from core.storage.models import Base, ChatPreferencesRow
from core.storage.repositories import PreferencesRepository
from core.storage.uow import PreferencesStore, SqlAlchemyUnitOfWork, UnitOfWork

__all__ = [
    "Base",
    "ChatPreferencesRow",
    "PreferencesRepository",
    "PreferencesStore",
    "SqlAlchemyUnitOfWork",
    "UnitOfWork",
    "alembic_config",
    "create_engine",
    "current_revision",
    "downgrade",
    "session_factory",
    "upgrade",
]
