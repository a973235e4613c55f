"""The unit of work: the port the service uses to reach storage, and its SQLAlchemy adapter.

    async with uow:
        prefs = await uow.preferences.get(chat)
        await uow.preferences.save(chat, replace(prefs, voice="Mia"))
        await uow.commit()

Leaving the block without `commit()` (an exception, an early return) rolls everything back, so a
half-done use case never leaves half its writes behind. Tests hand the service a `Fake...` unit
of work that satisfies the same protocol.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.domain import ChatRef, Preferences
from core.storage.repositories import PreferencesRepository


class PreferencesStore(Protocol):
    """What the service needs of preference storage; a missing chat reads as the defaults."""

    async def get(self, chat: ChatRef) -> Preferences: ...

    async def save(self, chat: ChatRef, prefs: Preferences) -> None: ...

    async def delete(self, chat: ChatRef) -> None: ...


class UnitOfWork(Protocol):
    # Read-only properties rather than plain attributes, so an implementation may expose a more
    # specific repository type (protocol attributes would have to match exactly).
    @property
    def preferences(self) -> PreferencesStore: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class SqlAlchemyUnitOfWork:
    """One `AsyncSession`, hence one transaction, per `async with` block.

    Reusable one block after another, but not entered twice at once: concurrent use cases each
    need their own instance (hand the service a factory).
    """

    preferences: PreferencesRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already in use; create one per use case")
        self._session = self._sessions()
        self.preferences = PreferencesRepository(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._active(), None
        try:
            await session.rollback()  # a no-op after commit()
        finally:
            await session.close()

    async def commit(self) -> None:
        await self._active().commit()

    async def rollback(self) -> None:
        await self._active().rollback()

    def _active(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._session
