"""The unit of work on SQLAlchemy: one session, hence one transaction, per `async with` block.

    async with uow:
        prefs = await uow.preferences.get(chat)
        await uow.preferences.save(chat, replace(prefs, voice="Mia"))
        await uow.commit()

Leaving the block without `commit()` (an exception, an early return) rolls everything back, so a
half-done use case never leaves half its writes behind. The protocols it satisfies
(`UnitOfWork` and its stores) are ports, in `core.ports`; tests hand the use cases `Fake...` ones.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self, cast

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.infra.storage.chats.business_connections_in_database import BusinessConnectionRepository
from core.infra.storage.chats.chat_log_in_database import ChatLogRepository, SummaryStateRepository
from core.infra.storage.chats.chat_settings_in_database import PreferencesRepository
from core.infra.storage.chats.places_in_database import PlaceRepository
from core.infra.storage.mimo_minute.usage_view import MinuteNowRepository
from core.infra.storage.recordings.kept_transcripts_in_database import TranscriptRepository
from core.infra.storage.rules.claims_in_database import ClaimRepository
from core.infra.storage.rules.mandates_in_database import MandateRepository
from core.infra.storage.rules.usage_in_database import UsageRepository
from core.infra.storage.sqlite_setup import (
    DELETED,
    DELETION_TRIES,
    QUEUE_TIMEOUT_SECONDS,
    TransactionQueue,
    truncate_wal,
    wal_left_to_empty,
)
from core.infra.storage.voice_calls.kept_calls_in_database import (
    LiveCallRepository,
    LiveReadingRepository,
)
from core.infra.storage.voice_calls.listening_consents_in_database import ListeningConsentRepository
from core.infra.storage.voice_calls.reader_choices_in_database import ReadingRepository
from core.infra.storage.voices.clone_consent_in_database import CloneConsentRepository
from core.infra.storage.voices.inline_cache_in_database import InlineVoiceRepository
from core.infra.storage.voices.own_voices_in_database import VoiceRepository

__all__ = ["SqlAlchemyUnitOfWork"]

# Each store of a block, by its name on the unit of work, built on the block's session.
_STORES: dict[str, Callable[[AsyncSession], object]] = {
    "preferences": PreferencesRepository,
    "mandates": MandateRepository,
    "chat_log": ChatLogRepository,
    "summary_states": SummaryStateRepository,
    "claims": ClaimRepository,
    "usage": UsageRepository,
    "voices": VoiceRepository,
    "consents": CloneConsentRepository,
    "places": PlaceRepository,
    "transcripts": TranscriptRepository,
    "business": BusinessConnectionRepository,
    "inline_voices": InlineVoiceRepository,
    "reading": ReadingRepository,
    "listening_consents": ListeningConsentRepository,
    "live_calls": LiveCallRepository,
    "live_readings": LiveReadingRepository,
    "minute_now": MinuteNowRepository,
}


class SqlAlchemyUnitOfWork:
    """One `AsyncSession`, hence one transaction, per `async with` block.

    Reusable one block after another, but not entered twice at once: concurrent use cases each
    need their own instance (hand the use cases a factory).
    """

    preferences: PreferencesRepository
    mandates: MandateRepository
    chat_log: ChatLogRepository
    summary_states: SummaryStateRepository
    claims: ClaimRepository
    usage: UsageRepository
    voices: VoiceRepository
    consents: CloneConsentRepository
    places: PlaceRepository
    transcripts: TranscriptRepository
    business: BusinessConnectionRepository
    inline_voices: InlineVoiceRepository
    reading: ReadingRepository
    listening_consents: ListeningConsentRepository
    live_calls: LiveCallRepository
    live_readings: LiveReadingRepository
    minute_now: MinuteNowRepository

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        queue: TransactionQueue | None = None,
    ) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        # SQLite (`database_engines.transaction_queue`): one transaction at a time in this process,
        # waiting in its queue here rather than in SQLite's busy handler.
        self._queue = queue
        self._deleted = False  # the transaction deleted rows: the log is emptied after it

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already in use; create one per use case")
        if self._queue is not None:
            await self._queue.acquire(QUEUE_TIMEOUT_SECONDS)
        self._session = self._sessions()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._active(), None
        for name in _STORES.keys() & vars(self).keys():  # the block's stores go with its session
            delattr(self, name)
        try:
            await session.rollback()  # a no-op after commit()
        finally:
            try:
                await session.close()
            finally:
                if self._queue is not None:
                    self._queue.release()
        engine = cast(AsyncEngine, session.bind)
        if self._deleted or wal_left_to_empty(engine):
            # SQLite: nothing of what was deleted stays in the write-ahead log either; once the
            # queue of transactions is let go, so that no write waits for it.
            tries, self._deleted = DELETION_TRIES if self._deleted else 1, False
            await truncate_wal(engine, tries=tries)

    async def commit(self) -> None:
        session = self._active()
        await session.commit()
        self._deleted = self._deleted or session.info.pop(DELETED, False)

    async def rollback(self) -> None:
        await self._active().rollback()

    def __getattr__(self, name: str) -> Any:
        """A store the block had not used yet, built on its session as it is first asked for:
        most blocks use one or two of the seventeen."""
        make = _STORES.get(name)
        if make is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        store = make(self._active())
        setattr(self, name, store)
        return store

    def _active(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._session
