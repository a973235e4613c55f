"""Memory from before the bot came: a chat's past voice messages, transcribed and kept as if the
bot had heard them when they were said, so that `/find` and `/ask` know them.

    plan  what a chat's history holds (`Past`: read from a Telegram Desktop export, or from a
          Discord channel's history) sorted out before anything is spent: the voice messages
          to transcribe, oldest first; those older than the retention window (nothing is kept
          longer than SUMMARY_RETENTION_DAYS from its own date, so they are not imported);
          those of people who said no to being transcribed; those kept whole already (by the
          bot live, or an import run before); with their minutes, and what share of the chat's
          daily quota and of the bot's daily budget that is, for the person to agree to
    run   each voice message transcribed in order (`Transcription`, its declared length
          reserved from the chat's quota and the budget as a voice note's is, not counted in
          anyone's minute of requests), at most ASR_MAX_IN_FLIGHT at once and behind live
          work (`RequestGate`: `last`); kept under its message, sender and date (`Said.past`:
          the retention counts from that date), unless its sender said no since the plan
          (read as each message is claimed; a no while it is heard, in any process, drops
          it whole, what was kept of it too: `ImportRun._took_back`); a day's quota or
          budget used up pauses it, said once, until the next UTC day. Run again, an import
          takes up where it stopped: what is kept whole is skipped, a message half heard sends
          MiMo only its rest. Where the chat keeps its messages for summaries (`/summary on`),
          its text messages and the transcripts go to its log too, under their own dates
    forget  `/forget` in the chat: its imports running in this process end first (the message
          being heard cut where it is), so that the forget deletes all they kept and nothing is
          kept after it; each returns `forgotten`. An import running in another process (the
          command line's) marks itself running in the database as it starts, a mark `/forget`
          deletes with the chat's data; it looks for its mark before each message, each piece
          sent and each answer kept, and once it is gone, stops and keeps nothing more
          (`forgotten` too). Every write of it (each piece, each log line, the export's text
          messages) is made under its mandate, read at the plan
          (`core.domain.memory.write_mandates`): a /forget since, in any process, keeps it out in
          the write's own transaction
    twice  two imports of one chat at once (the command run again in another terminal while
          the first runs, `/remember` on two replicas): each message is claimed in the
          database before it is sent to MiMo (`claim_past`), so that the other leaves it, goes
          on with the rest, and looks again every `ELSEWHERE_WAIT` seconds: kept whole
          meanwhile, it is done (`elsewhere`); given back unheard (a day's quota used up there,
          a failure), it is heard here. Each import says every third of WORK_LEASE_SECONDS
          that its process is alive, paused too, as a claim on a message's work renews its
          lease (`core.app.rules.work_claims`); the claims of one not seen for a whole lease (its
          process killed) are taken over
    gone  a message deleted on its platform while it was heard
          (`core.app.recordings.kept_transcripts`) is skipped, nothing of it kept, and counted
          (`gone`)

Each run is one `ImportRun` (`import_run.py`), which its workers share; the values it reads and
returns (`Past`, `PastVoice`, `ImportPlan`, `ImportProgress`) are in `import_values.py`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from datetime import timedelta

from core.app.memory.import_run import ImportRun, Paused
from core.app.memory.import_values import ImportPlan, ImportProgress, Past
from core.app.recordings.transcription import Transcription
from core.app.rules.limits import Limiter
from core.domain.mimo.account_minute_rules import Urgency, asking
from core.domain.shared_values import ChatRef
from core.ports import Clock, ImportUnitOfWork

__all__ = ["Importer"]


class Importer:
    """Imports of chats' past voice messages (see the module docstring)."""

    def __init__(
        self,
        *,
        transcription: Transcription,
        uow: Callable[[], ImportUnitOfWork],
        limiter: Limiter,
        clock: Clock,
        retention_days: int,
        at_once: int,
        lease: timedelta = timedelta(seconds=30),
    ) -> None:
        self._transcription = transcription
        self._uow = uow
        self._limiter = limiter
        self._clock = clock
        self.retention_days = retention_days
        self._at_once = max(1, at_once)  # ASR_MAX_IN_FLIGHT
        self.lease = lease  # WORK_LEASE_SECONDS: a claim on a past message lapses after it
        self._running: dict[ChatRef, list[ImportRun]] = {}  # by chat, for /forget

    async def plan(self, past: Past, *, leave_out: Collection[str] = ()) -> ImportPlan:
        """What importing `past` would do; `leave_out`: senders (ids) not to transcribe, besides
        those who said no in the chat."""
        cutoff = self._clock.now() - timedelta(days=self.retention_days)
        voices = sorted(past.voices, key=lambda voice: (voice.sent_at, voice.message_id))
        recent = [voice for voice in voices if voice.sent_at >= cutoff]
        async with self._uow() as uow:
            refusing = set(leave_out) | await uow.listening_consents.refusing(past.chat)
            allowed = [voice for voice in recent if voice.author_id not in refusing]
            kept = await uow.transcripts.whole_of(past.chat, [v.message_id for v in allowed])
            logging_on = (await uow.summary_states.get(past.chat)).logging_enabled
            mandate = await uow.mandates.read(past.chat)
        todo = tuple(voice for voice in allowed if voice.message_id not in kept)
        texts = (
            tuple(text for text in past.texts if text.sent_at >= cutoff)
            if past.logged and logging_on
            else ()
        )
        quota, budget = self._limiter.policy.quotas.audio_seconds, self._limiter.policy.budget
        used = (await self._limiter.today(past.chat)).used.audio_seconds if quota else 0
        spent = (await self._limiter.whole_bot()).today.audio_seconds if budget.audio_seconds else 0
        return ImportPlan(
            past=past, voices=todo, texts=texts, too_old=len(voices) - len(recent),
            left_out=len(recent) - len(allowed), done_before=len(allowed) - len(todo),
            quota=quota, quota_left=max(0, quota - used), budget=budget.audio_seconds,
            budget_left=max(0, budget.audio_seconds - spent), days=self.retention_days,
            mandate=mandate,
        )  # fmt: skip

    async def run(
        self,
        plan: ImportPlan,
        *,
        progress: Callable[[ImportProgress], None] | None = None,
        paused: Paused | None = None,
        background: bool = True,
    ) -> ImportProgress:
        """Transcribe and keep what `plan` found, oldest first; `progress` hears after each
        message, `paused` once each time a day's quota or the budget runs out (the import
        then waits for the next UTC day). `background` False: its requests queue with live
        work's, not behind it (the benchmark's comparison)."""
        with asking(Urgency.BACKGROUND if background else Urgency.PERSON, plan.past.chat):
            chat = plan.past.chat
            run = ImportRun(
                plan, transcription=self._transcription, uow=self._uow, clock=self._clock,
                lease=self.lease, at_once=self._at_once, progress=progress, paused=paused,
                background=background,
            )  # fmt: skip
            self._running.setdefault(chat, []).append(run)
            try:
                return await run.run()
            finally:
                self._running[chat].remove(run)
                if not self._running[chat]:
                    del self._running[chat]

    async def forget(self, chat: ChatRef) -> None:
        """`/forget` in `chat`: its imports running here end first (module docstring)."""
        workers = [worker for run in self._running.get(chat, []) for worker in run.forget()]
        here = asyncio.current_task()
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*(w for w in workers if w is not here), return_exceptions=True)
