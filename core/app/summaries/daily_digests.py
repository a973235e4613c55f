"""Daily digests: a chat's schedule, and posting the ones that are due (each covers
`summary_windows.DIGEST_WINDOW`).

The schedule lives in the database (`chat_summary_state.next_digest_at`), so it survives restarts
and every replica sees the same one. Each due digest is claimed with a compare-and-set before it
is summarised, so with several replicas polling it is posted once: at most once, in fact, since a
replica that dies between claiming and posting loses that day's digest rather than risk two.
One round of the scheduler picks up at most `DUE_PER_ROUND` due digests, oldest first.
A chat forgotten while its digest was written gets none (`core.app.rules.outgoing_check`): the
`/forget` said its messages were gone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime

from core.app.rules.request_audience import Audiences
from core.app.summaries.chat_summaries import SummaryService
from core.chat.answer_languages import Audience
from core.chat.summary_wording import summary_text
from core.domain import errors
from core.domain.mimo.account_minute_rules import Urgency, asking
from core.domain.shared_values import ChatRef, Platform
from core.domain.summaries.digest_times import DigestOff, missed, next_run, parse_digest_args
from core.domain.summaries.summary_values import DigestPost, SummaryState
from core.domain.summaries.summary_windows import DIGEST_WINDOW, SummaryRequest
from core.ports import Clock, SummaryUnitOfWork

logger = logging.getLogger(__name__)

__all__ = ["DigestService"]

DUE_PER_ROUND = 100  # due digests one round of the scheduler picks up; the rest wait for the next


class DigestService:
    def __init__(
        self,
        *,
        uow: Callable[[], SummaryUnitOfWork],
        summaries: SummaryService,
        audiences: Audiences,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._summaries = summaries
        self._audiences = audiences  # a digest's request: nobody asks, the whole chat reads it
        self._clock = clock

    async def set_digest(self, chat: ChatRef, argument: str, *, can_manage: bool) -> SummaryState:
        """`/digest [HH:MM [zone] | off]`: the schedule after the change (or as it is, without an
        argument). Changing it is for administrators: `errors.AdminsOnly` for anyone else."""
        choice = parse_digest_args(argument)
        async with self._uow() as uow:
            state = await uow.summary_states.get(chat)
            if choice is None:
                return state
            if not can_manage:
                raise errors.AdminsOnly(command="digest")
            if isinstance(choice, DigestOff):
                state = replace(state, digest_time=None, next_digest_at=None)
            else:
                zone = choice.time_zone or state.time_zone
                next_at = next_run(self._clock.now(), choice.at, zone)
                state = replace(
                    state, digest_time=choice.at, time_zone=zone, next_digest_at=next_at
                )
            await uow.summary_states.save(chat, state)
            await uow.commit()
        logger.info("digest of %s set to %s", chat, state.digest_time)
        return state

    async def due(self, platforms: Iterable[Platform]) -> list[tuple[ChatRef, datetime]]:
        """The chats whose digest is due now, oldest first, at most `DUE_PER_ROUND`."""
        async with self._uow() as uow:
            now = self._clock.now()
            return await uow.summary_states.due(platforms, now, limit=DUE_PER_ROUND)

    async def run(self, chat: ChatRef, due: datetime) -> DigestPost | None:
        """Claim the digest due at `due` and write it; None when another replica claimed it,
        it is too late, or the chat said nothing in the last 24 hours."""
        with asking(Urgency.BACKGROUND, chat):  # nobody waits for a digest
            now = self._clock.now()
            async with self._uow() as uow:
                state = await uow.summary_states.get(chat)
                next_at = (
                    None
                    if state.digest_time is None
                    else next_run(now, state.digest_time, state.time_zone)
                )
                claimed = await uow.summary_states.claim_digest(chat, due, next_at)
                await uow.commit()
            if not claimed or next_at is None:
                return None
            if missed(due, now):
                logger.warning("skipped the digest of %s due at %s: found it at %s", chat, due, now)
                return None
            # Nobody asks (counted in the chat's usage, never refused by its limits); the chat's
            # preferences read once, for the summary's language and its headings'.
            request = await self._audiences.request(chat, Audience(), asker=None)
            try:
                summary = await self._summaries.summarise(request, SummaryRequest(DIGEST_WINDOW))
            except errors.NothingToSummarise:
                logger.info("no digest for %s: nothing said in the last 24 h", chat)
                return None
            except errors.SummaryWentAway:  # forgotten while it was written: nothing is posted
                logger.info("no digest for %s: the chat was forgotten while it was written", chat)
                return None
            text = summary_text(summary, request.chat_locale, digest=True)
            return DigestPost(chat=chat, text=text)
