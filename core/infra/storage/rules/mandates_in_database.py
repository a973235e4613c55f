"""Mandates as the database keeps them (`core.domain.memory.write_mandates`): the one place where a
write of work under way is checked against a `/forget` or a no that landed since it began.

    read       as work begins: the chat's count of forgets (`chat_forgets`) and, for a
               speaker, their count of no's (`listen_consents.noes`); an event's request
               reads the count with the chat's preferences, in one statement
               (`read_with_preferences`)
    holds      in the transaction of each write: the counts read again, which the mandate
               judges (`Mandate.forgotten_since`, `speaker_allows`). Every write of work that
               lasts goes through it: a piece of a transcript and its end
               (`kept_transcripts_in_database.keep_part`, `complete`), a line of the chat's log
               (`chat_log.add`)
    forgotten  `/forget`, first in its transaction: the chat's count moves
    said_no    a member's no, stored: their count moves in the same statement

A write that something else would refuse as well (a Discord voice message deleted since:
`kept_transcripts_in_database`) reads that in the statement that reads the count
(`holds(..., unless=...)`), after the locks of both.

Neither crosses the other. SQLite's write transactions run one at a time
(`sqlite_setup.begin_immediate`). On PostgreSQL, `holds` takes a shared lock of the chat's and of
the speaker's own for the rest of its transaction, the forget and the no the same lock alone, before
anything else: a forget coming while a piece is kept waits for it, then deletes it too; a piece kept
while a forget commits waits for it, then reads the count moved.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Exists, Select, and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.memory.write_mandates import Mandate
from core.domain.shared_values import ChatRef, Preferences
from core.infra.storage.chats.chat_settings_in_database import PreferencesRepository, to_preferences
from core.infra.storage.sql_statements import chat_key, dialect_of, insert_for, table_of
from core.infra.storage.tables import ChatForgetsRow, ChatPreferencesRow, ListeningConsentRow

__all__ = ["MandateRepository", "Unless", "said_no", "with_forgets"]

Forgets = ChatForgetsRow
Consent = ListeningConsentRow

# The chat's count of forgets, read as work begins and again in each of its writes (a voice note
# reads it twice): built once on the table and bound by name (`chat_key`), since building the
# statement cost about as much as running it, and the ORM's steps around a read of one number
# did nothing.
_FORGETS = table_of(Forgets)
_COUNT_OF_FORGETS = select(_FORGETS.c.forgets).where(
    _FORGETS.c.platform == bindparam("platform"), _FORGETS.c.chat_id == bindparam("chat_id")
)

# As an event's work begins (`core.app.rules.request_audience`): the chat's count of forgets, beside
# the rows of preferences of the chat and of its channel (`channel_id`; the chat's own id again
# where there is none), in one statement: the count's one row joined with none, one or two.
_PREFERENCES = table_of(ChatPreferencesRow)
_ASKED = select(_COUNT_OF_FORGETS.scalar_subquery().label("forgets")).subquery("asked")
_WITH_PREFERENCES = select(_ASKED.c.forgets, _PREFERENCES).select_from(
    _ASKED.outerjoin(
        _PREFERENCES,
        and_(
            _PREFERENCES.c.platform == bindparam("platform"),
            _PREFERENCES.c.chat_id.in_([bindparam("chat_id"), bindparam("channel_id")]),
        ),
    )
)


def with_forgets(refused: Exists) -> Select[int | None, bool]:
    """The chat's count of forgets and whether `refused` finds a row, in one statement (built
    once by its caller, bound by name: `platform`, `chat_id` and `refused`'s own)."""
    return select(_COUNT_OF_FORGETS.scalar_subquery().label("forgets"), refused.label("refused"))


@dataclass(frozen=True)
class Unless:
    """What else refuses a write beside its mandate, read with the chat's count of forgets:
    `statement` (from `with_forgets`) bound with `bound` beside the chat's key, once `lock`
    has taken on PostgreSQL the lock that the write it guards against takes."""

    statement: Select[int | None, bool]
    bound: Mapping[str, Any]
    lock: Callable[[], Awaitable[None]]


class MandateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def read(self, chat: ChatRef, speaker: str | None = None) -> Mandate:
        """The mandate of work beginning now in `chat`, keeping `speaker`'s words if given."""
        forgets = await self._forgets(chat)
        noes = None if speaker is None else await self._noes(chat, speaker)
        return Mandate(chat, forgets, speaker, noes or 0)

    async def read_with_preferences(
        self, chat: ChatRef, channel: ChatRef | None = None
    ) -> tuple[Mandate, Preferences, Preferences | None]:
        """The mandate of an event's work beginning now in `chat`, with the chat's preferences
        (the defaults where it has none) and its `channel`'s own, if it has a row: one read."""
        if channel is not None and channel.platform != chat.platform:
            own = await PreferencesRepository(self._session).find(channel)
            prefs = await PreferencesRepository(self._session).get(chat)
            return await self.read(chat), prefs, own
        bound = {**chat_key(chat), "channel_id": (channel or chat).chat_id}
        rows = (await self._session.execute(_WITH_PREFERENCES, bound)).all()
        found = {row.chat_id: to_preferences(row) for row in rows if row.chat_id is not None}
        own = None if channel is None else found.get(channel.chat_id)
        return Mandate(chat, rows[0].forgets or 0), found.get(chat.chat_id, Preferences()), own

    async def noes(self, chat: ChatRef, speaker: str) -> int:
        """How many times `speaker` said no in `chat`, as work on their words begins."""
        return await self._noes(chat, speaker)

    async def holds(self, mandate: Mandate, *, unless: Unless | None = None) -> bool:
        """Whether a write under `mandate` may be made now (the module docstring), and nothing
        `unless` looks for is found (read in the same statement as the count of forgets)."""
        chat, speaker = mandate.chat, mandate.speaker
        await self._lock(f"forgets:{chat.platform}:{chat.chat_id}", shared=True)
        if unless is None:
            if mandate.forgotten_since(await self._forgets(chat)):
                return False
        else:
            await unless.lock()
            bound = {**chat_key(chat), **unless.bound}
            forgets, refused = (await self._session.execute(unless.statement, bound)).one()
            if refused or mandate.forgotten_since(forgets or 0):
                return False
        if speaker is None:
            return True
        await self._lock(f"noes:{chat.platform}:{chat.chat_id}:{speaker}", shared=True)
        row = (await self._session.execute(_consent(chat, speaker))).first()
        noes, consents = (row.noes, row.consents) if row is not None else (0, False)
        return mandate.speaker_allows(noes, consents)

    async def forgotten(self, chat: ChatRef) -> None:
        """`/forget` in `chat`: its count moves, first in the forget's transaction."""
        await self._lock(f"forgets:{chat.platform}:{chat.chat_id}", shared=False)
        statement = insert_for(self._session, Forgets).values(**chat_key(chat), forgets=1)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["platform", "chat_id"], set_={"forgets": Forgets.forgets + 1}
            )
        )

    async def _forgets(self, chat: ChatRef) -> int:
        found = await self._session.execute(_COUNT_OF_FORGETS, chat_key(chat))
        return found.scalar() or 0

    async def _noes(self, chat: ChatRef, speaker: str) -> int:
        row = (await self._session.execute(_consent(chat, speaker))).first()
        return 0 if row is None else int(row.noes)

    async def _lock(self, key: str, *, shared: bool) -> None:
        await lock(self._session, key, shared=shared)


async def said_no(session: AsyncSession, chat: ChatRef, member_id: str) -> None:
    """`member_id` said no in `chat`: stored, and their count moved, their lock taken first
    (`ListeningConsentRepository.save`)."""
    await lock(session, f"noes:{chat.platform}:{chat.chat_id}:{member_id}", shared=False)
    key = {**chat_key(chat), "member_id": member_id}
    statement = insert_for(session, Consent).values(**key, consents=False, noes=1)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(key),
            set_={"consents": False, "noes": Consent.noes + 1, "updated_at": func.now()},
        )
    )


async def lock(session: AsyncSession, key: str, *, shared: bool) -> None:
    """PostgreSQL: a lock of `key`'s for the rest of the transaction, shared or alone (SQLite's
    transactions run one at a time)."""
    if dialect_of(session) == "postgresql":
        take = func.pg_advisory_xact_lock_shared if shared else func.pg_advisory_xact_lock
        await session.execute(select(take(func.hashtext(key))))


def _consent(chat: ChatRef, member_id: str) -> Select[int, bool]:
    return select(Consent.noes, Consent.consents).where(
        Consent.platform == chat.platform,
        Consent.chat_id == chat.chat_id,
        Consent.member_id == member_id,
    )
