"""The repository of spoken consent (`core.app.voices.clone_consent`): the sentences asked for
(`clone_challenges`) and who first sent each recording offered as a reading
(`consent_readings`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.voices.clone_consent_rules import CloneChallenge
from core.infra.storage.sql_statements import insert_for
from core.infra.storage.tables import CloneChallengeRow, ConsentReadingRow

__all__ = ["CloneConsentRepository"]

# Read as every voice note arrives (the copy check): built once, bound by name.
_OPEN_ON = (
    select(CloneChallengeRow)
    .where(
        CloneChallengeRow.platform == bindparam("platform"),
        CloneChallengeRow.expires_at > bindparam("now"),
    )
    .order_by(CloneChallengeRow.id.desc())
)


class CloneConsentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, challenge: CloneChallenge) -> None:
        row = CloneChallengeRow(
            platform=challenge.platform, person_id=challenge.person_id,
            chat_id=challenge.chat_id, asked_in=challenge.asked_in,
            private_chat=challenge.private_chat, name=challenge.name,
            sentence=challenge.sentence, words="\n".join(challenge.words),
            locale=challenge.locale, asked_at=challenge.asked_at,
            expires_at=challenge.expires_at, english=challenge.english,
            english_words="\n".join(challenge.english_words) or None,
            reader=challenge.reader or None,
        )  # fmt: skip
        self._session.add(row)

    async def open_on(self, platform: str, now: datetime) -> list[CloneChallenge]:
        """The challenges not expired on `platform`, newest first (few: a handful a person a
        day, each open minutes)."""
        found = await self._session.scalars(_OPEN_ON, {"platform": platform, "now": now})
        return [_to_challenge(row) for row in found.all()]

    async def asked_since(self, platform: str, person_id: str, since: datetime) -> int:
        """How many sentences the person asked for since `since` (their attempts)."""
        query = select(func.count()).where(
            CloneChallengeRow.platform == platform,
            CloneChallengeRow.person_id == person_id,
            CloneChallengeRow.asked_at >= since,
        )
        return int((await self._session.execute(query)).scalar_one())

    async def close(self, challenge_id: int, at: datetime) -> None:
        """A reading passed: the voice is cloned from it, and nothing more is taken."""
        statement = (
            update(CloneChallengeRow)
            .where(CloneChallengeRow.id == challenge_id)
            .values(expires_at=at, cloned_at=at)
        )
        await self._session.execute(statement)

    async def first_sender(self, platform: str, identity: str) -> str | None:
        query = select(ConsentReadingRow.person_id).where(
            ConsentReadingRow.platform == platform, ConsentReadingRow.identity == identity
        )
        return (await self._session.execute(query)).scalar_one_or_none()

    async def note_sender(self, platform: str, identity: str, person_id: str, at: datetime) -> None:
        """Remember who sent the file first; a later sender does not replace them."""
        statement = (
            insert_for(self._session, ConsentReadingRow)
            .values(platform=platform, identity=identity, person_id=person_id, seen_at=at)
            .on_conflict_do_nothing(index_elements=["platform", "identity"])
        )
        await self._session.execute(statement)

    async def delete_before(self, cutoff: datetime) -> int:
        """Retention: challenges asked and readings seen before `cutoff`."""
        challenges = delete(CloneChallengeRow).where(CloneChallengeRow.asked_at < cutoff)
        readings = delete(ConsentReadingRow).where(ConsentReadingRow.seen_at < cutoff)
        return await _affected(self._session, challenges) + await _affected(self._session, readings)


async def _affected(session: AsyncSession, statement: Any) -> int:
    result = cast(CursorResult[Any], await session.execute(statement))
    return int(result.rowcount or 0)


def _to_challenge(row: CloneChallengeRow) -> CloneChallenge:
    return CloneChallenge(
        platform=row.platform, person_id=row.person_id, chat_id=row.chat_id,
        asked_in=row.asked_in, private_chat=row.private_chat, name=row.name,
        sentence=row.sentence, words=tuple(row.words.split("\n")), locale=row.locale,
        asked_at=row.asked_at, expires_at=row.expires_at, english=row.english,
        english_words=tuple(row.english_words.split("\n")) if row.english_words else (),
        id=row.id, reader=row.reader or "",
    )  # fmt: skip
