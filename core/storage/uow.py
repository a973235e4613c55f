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

from collections.abc import Iterable
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.domain.claims import Claim, ClaimState
from core.domain.limits import Counts
from core.domain.summaries import ChatMessage, SummaryState
from core.domain.values import ChatRef, ChatVoice, Platform, Preferences
from core.storage.chatlog import ChatLogRepository, SummaryStateRepository
from core.storage.processed import ProcessedUpdateRepository
from core.storage.repositories import PreferencesRepository
from core.storage.usage import UsageRepository
from core.storage.voices import VoiceRepository


class PreferencesStore(Protocol):
    """What the service needs of preference storage; a missing chat reads as the defaults."""

    async def get(self, chat: ChatRef) -> Preferences: ...

    async def find(self, chat: ChatRef) -> Preferences | None:
        """The chat's stored preferences, or None when it has no row of its own."""
        ...

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


class ChatLogStore(Protocol):
    """Stored messages for summaries; every call is scoped to one chat except retention."""

    async def add(self, message: ChatMessage) -> None: ...

    async def recent(
        self, chat: ChatRef, *, after: datetime | None = None, limit: int
    ) -> list[ChatMessage]: ...

    async def count(self, chat: ChatRef) -> int: ...

    async def delete_chat(self, chat: ChatRef) -> int: ...

    async def delete_sent_before(self, cutoff: datetime) -> int: ...


class SummaryStateStore(Protocol):
    async def get(self, chat: ChatRef) -> SummaryState: ...

    async def save(self, chat: ChatRef, state: SummaryState) -> None: ...

    async def mark_summarised(self, chat: ChatRef, at: datetime) -> None: ...

    async def delete(self, chat: ChatRef) -> None: ...

    async def due(
        self, platforms: Iterable[Platform], now: datetime, *, limit: int = 100
    ) -> list[tuple[ChatRef, datetime]]: ...

    async def claim_digest(
        self, chat: ChatRef, due: datetime, next_at: datetime | None
    ) -> bool: ...


class SummaryUnitOfWork(UnitOfWork, Protocol):
    """What the summary use cases need: preferences plus the chat log and summary state."""

    @property
    def chat_log(self) -> ChatLogStore: ...

    @property
    def summary_states(self) -> SummaryStateStore: ...

    @property
    def usage(self) -> UsageStore:
        """For `/forget`, which deletes the chat's usage of earlier days too."""
        ...

    @property
    def voices(self) -> VoiceStore:
        """For `/forget`, which deletes the chat's own voices and samples too."""
        ...


class ChatLogUnitOfWork(UnitOfWork, Protocol):
    """What the chat log's retention purge (`core.retention`) needs."""

    @property
    def chat_log(self) -> ChatLogStore: ...


class ProcessedUpdateStore(Protocol):
    """Claims on incoming work (`core.work`)."""

    async def claim(self, claim: Claim, *, instance: str, at: datetime) -> bool: ...

    async def finish(self, claim: Claim, state: ClaimState, *, at: datetime) -> bool: ...

    async def unfinished(self, platform: Platform, instance: str) -> list[Claim]: ...

    async def state(self, claim: Claim) -> ClaimState | None: ...

    async def delete_claimed_before(self, cutoff: datetime) -> int: ...


class WorkUnitOfWork(UnitOfWork, Protocol):
    """What `core.work.WorkLedger` needs: the claims."""

    @property
    def processed(self) -> ProcessedUpdateStore: ...


class UsageStore(Protocol):
    """The limits' state (`core.limits`): requests per minute window, usage per chat and day."""

    async def hit(self, platform: str, subject: str, window: datetime) -> int: ...

    async def tell(self, platform: str, subject: str, window: datetime) -> bool: ...

    async def delete_windows_before(self, cutoff: datetime) -> int: ...

    async def day(self, chat: ChatRef, day: date) -> Counts: ...

    async def reserve(self, chat: ChatRef, day: date, amounts: Counts, limits: Counts) -> bool: ...

    async def add(self, chat: ChatRef, day: date, amounts: Counts) -> None: ...

    async def tell_today(self, chat: ChatRef, day: date) -> bool: ...

    async def delete_days_before(self, cutoff: date) -> int: ...

    async def delete_chat(self, chat: ChatRef, *, today: date) -> None: ...


class UsageUnitOfWork(UnitOfWork, Protocol):
    """What `core.limits.Limiter` needs: the usage store."""

    @property
    def usage(self) -> UsageStore: ...


class VoiceStore(Protocol):
    """A chat's own voices (`core.voices`); names match whatever their case."""

    async def in_chat(self, chat: ChatRef) -> list[ChatVoice]: ...

    async def find(self, chat: ChatRef, name: str) -> ChatVoice | None: ...

    async def add(self, chat: ChatRef, voice: ChatVoice) -> bool: ...

    async def delete(self, chat: ChatRef, name: str) -> bool: ...

    async def delete_chat(self, chat: ChatRef) -> int: ...


class VoiceUnitOfWork(UnitOfWork, Protocol):
    """What `core.voices` needs: preferences (the chosen voice) and the chat's voices."""

    @property
    def voices(self) -> VoiceStore: ...


class SqlAlchemyUnitOfWork:
    """One `AsyncSession`, hence one transaction, per `async with` block.

    Reusable one block after another, but not entered twice at once: concurrent use cases each
    need their own instance (hand the service a factory).
    """

    preferences: PreferencesRepository
    chat_log: ChatLogRepository
    summary_states: SummaryStateRepository
    processed: ProcessedUpdateRepository
    usage: UsageRepository
    voices: VoiceRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already in use; create one per use case")
        self._session = self._sessions()
        self.preferences = PreferencesRepository(self._session)
        self.chat_log = ChatLogRepository(self._session)
        self.summary_states = SummaryStateRepository(self._session)
        self.processed = ProcessedUpdateRepository(self._session)
        self.usage = UsageRepository(self._session)
        self.voices = VoiceRepository(self._session)
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
