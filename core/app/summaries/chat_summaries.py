"""The summary use cases: logging a group's messages and summarising a window.

Platform-neutral like every use case: adapters hand in `ChatMessage`s and `ChatRef`s and render
what comes back. The chat log only ever grows through `record`, and only while the chat has
logging on; `/forget` (`core.app.memory.forgetting`) and the retention purge
(`core.app.memory.retention_jobs`) are the ways it shrinks.

A summary is looked at again as it leaves, once MiMo wrote it (and read it aloud), before the
adapter has it (`core.app.rules.outgoing_check`): a `/forget` of the chat since its request was
read, or a message it sums up deleted meanwhile (a Discord channel's), and it is not sent
(`errors.SummaryWentAway`; a digest goes unsaid).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from core.app.rules.limits import Limiter
from core.app.rules.outgoing_check import Leaving
from core.app.rules.request_audience import Request
from core.app.summaries.summary_writing import summarise, writing_language
from core.app.use_case_metrics import counted
from core.app.voices.text_to_speech import TextToSpeech
from core.domain import errors
from core.domain.memory.write_mandates import Mandate, Sources
from core.domain.mimo.account_minute_rules import Urgency, asking
from core.domain.shared_values import ChatRef
from core.domain.summaries.summary_values import ChatMessage, Summary, SummaryState
from core.domain.summaries.summary_windows import (
    MAX_WINDOW_MESSAGES,
    SummaryRequest,
    Window,
    window_bounds,
)
from core.ports import NO_METRICS, ChatApi, Clock, Metrics, SummaryUnitOfWork

logger = logging.getLogger(__name__)

__all__ = ["SummaryLimits", "SummaryService"]


@dataclass(frozen=True)
class SummaryLimits:
    max_prompt_chars: int = 30_000
    retention_days: int = 7
    max_window_messages: int = MAX_WINDOW_MESSAGES


MAX_SPOKEN_PIECES = 12  # a summary needing more is cut: nobody listens to a quarter-hour digest
_BULLET = re.compile(r"^\s*[•\-*]\s*", re.MULTILINE)


class SummaryService:
    def __init__(
        self,
        *,
        uow: Callable[[], SummaryUnitOfWork],
        chat_api: ChatApi,
        limiter: Limiter,
        speech: TextToSpeech,
        clock: Clock,
        leaving: Leaving,
        limits: SummaryLimits = SummaryLimits(),
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self._uow = uow
        self._leaving = leaving  # a summary looked at again as it leaves
        self._chat_api = chat_api
        self._limiter = limiter
        self._speech = speech
        self.clock = clock
        self.limits = limits
        self.metrics = metrics  # summaries counted

    # The log

    async def record(self, message: ChatMessage, *, mandate: Mandate | None = None) -> bool:
        """Store one message for later summaries, if the chat logs; commands are never stored.
        `mandate`: what the work that made it (a transcript) writes under: a /forget since it
        began, in any process, keeps it out (`core.domain.memory.write_mandates`).

        Best effort by design: it runs beside the bot's real work, and a storage hiccup must not
        turn into an error reply to someone who only said something in a group.
        """
        if not message.text.strip() or message.text.lstrip().startswith("/"):
            return False
        try:
            async with self._uow() as uow:
                if mandate is not None and not await uow.mandates.holds(mandate):
                    return False
                if not (await uow.summary_states.get(message.chat)).logging_enabled:
                    return False
                await uow.chat_log.add(message)
                await uow.commit()
        except Exception:
            logger.exception("could not log a message of %s", message.chat)
            return False
        return True

    async def set_logging(self, chat: ChatRef, enabled: bool, *, can_manage: bool) -> bool:
        """`/summary on|off`: resume or stop storing the chat's messages (administrators:
        `errors.AdminsOnly` for anyone else)."""
        if not can_manage:
            raise errors.AdminsOnly(command="summary " + ("on" if enabled else "off"))
        async with self._uow() as uow:
            state = await uow.summary_states.get(chat)
            await uow.summary_states.save(chat, replace(state, logging_enabled=enabled))
            await uow.commit()
        logger.info("logging of %s turned %s", chat, "on" if enabled else "off")
        return enabled

    async def state(self, chat: ChatRef) -> SummaryState:
        async with self._uow() as uow:
            return await uow.summary_states.get(chat)

    # Summaries

    async def summarise(self, request: Request, asked: SummaryRequest) -> Summary:
        """A summary of the stored messages of the request's chat in the `asked` window; a
        request nobody asked (`asker` None) is a digest (counted in the chat's usage, never
        refused by its limits). With no stored message in the window, raises
        `errors.LoggingIsOff` where the chat's messages are not stored, else
        `errors.NothingToSummarise`; then as `summarise_messages`."""
        chat, now = request.chat, self.clock.now()
        async with self._uow() as uow:
            state = await uow.summary_states.get(chat)
            messages = await self._window(uow, chat, asked.window, state, now)
        if not messages:
            days = self.limits.retention_days
            if not state.logging_enabled:
                raise errors.LoggingIsOff(days=days)
            raise errors.NothingToSummarise(days=days)
        return await self.summarise_messages(request, messages, voice=asked.voice)

    @counted("summary")
    async def summarise_messages(
        self,
        request: Request,
        messages: Sequence[ChatMessage],
        *,
        voice: bool = False,
        place: ChatRef | None = None,
    ) -> Summary:
        """A summary of `messages` (oldest first) in the chat's language and time zone, by the
        preferences `request` read (they are not read again), against its asker's limits.

        The stored log comes through here, and so can messages an adapter read elsewhere (a
        Discord channel's history). Either way the last-summary marker moves to the newest
        message summarised, not to the clock: platform times can be whole seconds, and a message
        sent in the same second just after a summary must still be in the next one.

        `place` is where that marker is kept when it is not the request's chat: a Discord
        channel keeps its own, but speaks as its server does, whose limits and usage count.

        Not sent (`errors.SummaryWentAway`) where the chat was forgotten since `request` was
        read, or one of `messages` deleted, by the time it is written (`Leaving`). Raises
        `errors.NothingToSummarise` when `messages` is empty, and the limiter's refusals.
        """
        if not messages:
            raise errors.NothingToSummarise(days=self.limits.retention_days)
        chat, asker, marked = request.chat, request.asker, place or request.chat
        sources = Sources.of(request.mandate) + Sources.carried((chat, m.said) for m in messages)
        limiter = self._limiter
        await limiter.admit(chat, asker)
        state = await self.state(marked)
        # Asked, who asked waits for it; a digest (nobody asked) is background work.
        urgency = Urgency.PERSON if asker is not None else Urgency.BACKGROUND
        with asking(urgency, chat):
            async with limiter.spending(chat, asker, summaries=1) as spend:
                text = await summarise(
                    messages,
                    api=spend.metered(self._chat_api),
                    language=writing_language(request.prefs),
                    zone=state.time_zone,
                    budget=self.limits.max_prompt_chars,
                )
        note = None
        if voice:
            spoken = _BULLET.sub("", text)  # read as sentences, not as "bullet, ..."
            try:
                with asking(urgency, chat):
                    note = await self._speech.read_aloud(
                        request, spoken, max_pieces=MAX_SPOKEN_PIECES
                    )
            except errors.QuotaUsed:  # of speech: the chat's, the asker's share or the budget
                # The summary is made and paid for: it still goes out, as text only.
                logger.info("no voice for the summary of %s: its speech quota is used", marked)
        # The last step before the adapter sends it, the marker moved in its transaction:
        # a summary not sent moves no marker, so that the next one covers its messages.
        newest = max(m.sent_at for m in messages)
        if state.last_summary_at is not None and newest <= state.last_summary_at:
            await self._leaving.check(sources, errors.SummaryWentAway)
        else:
            async with self._uow() as uow:
                await self._leaving.check_in(uow, sources, errors.SummaryWentAway)
                await uow.summary_states.mark_summarised(marked, newest)
                await uow.commit()
        since = min(m.sent_at for m in messages)
        return Summary(text, len(messages), since, state.time_zone, note)

    async def _window(
        self,
        uow: SummaryUnitOfWork,
        chat: ChatRef,
        window: Window,
        state: SummaryState,
        now: datetime,
    ) -> list[ChatMessage]:
        after, limit = window_bounds(window, state.last_summary_at, now)
        limit = min(limit or self.limits.max_window_messages, self.limits.max_window_messages)
        return await uow.chat_log.recent(chat, after=after, limit=limit)
