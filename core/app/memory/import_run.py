"""One import under way (`Importer.run`, `core.app.memory.importer`): a small object that holds
what its workers share, where it was four closures over one function's variables.

    ImportRun   the messages waiting, those another import holds (`elsewhere`), the tally,
                the import's mark and mandate, and whether a /forget ended it; `run` sets it
                up, starts ASR_MAX_IN_FLIGHT workers a round, and ends it; `forget` is how the
                import's owner ends it from outside (`Importer.forget`)
    a worker    takes the next message (`_next`: once the import may go on and live work lets
                it), claims it (`_claim`), hears and keeps it (`_hear`), and counts it (`_done`)
    a pause     the first worker refused for a day's quota or the budget says so once and
                waits for the next UTC day; the others wait for it (`_pause`)

What stops it, as the module docstring of `importer.py` says: a /forget (in this process, through
`forget`; in another, its mark gone or its mandate moved, `_still_wanted`), a sender's no
(`_claim`, `_took_back`) and a deletion on the platform (`gone`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Literal

from core.app.memory.import_values import ImportPlan, ImportProgress, PastVoice
from core.app.recordings.piece_transcriber import NoLongerWanted
from core.app.recordings.transcription import Transcription
from core.domain import errors
from core.domain.memory.write_mandates import Mandate
from core.domain.quantities import Duration
from core.domain.rules.quotas_rules import ANYONE
from core.domain.shared_values import Preferences
from core.domain.summaries.summary_values import ChatMessage
from core.ports import Clock, ImportUnitOfWork
from core.ports.background_tasks import every

logger = logging.getLogger(__name__)

__all__ = ["ClaimOutcome", "ImportRun", "Paused"]

# An import stops at these: no other message would fare better.
FATAL = (errors.MimoAuthError, errors.MimoBalanceError)
ELSEWHERE_WAIT = 5.0  # seconds between two looks at messages another import is hearing

Paused = Callable[[errors.QuotaUsed], Awaitable[None] | None]
# What a claim on a past message finds (`ImportRun._claim`): it is this import's to hear;
# another import's now; kept whole by another import already; its sender said no.
ClaimOutcome = Literal["mine", "busy", "kept", "refused"]


class ImportRun:
    """One import of a chat's past under way (see the module docstring)."""

    def __init__(
        self,
        plan: ImportPlan,
        *,
        transcription: Transcription,
        uow: Callable[[], ImportUnitOfWork],
        clock: Clock,
        lease: timedelta,
        at_once: int,
        progress: Callable[[ImportProgress], None] | None,
        paused: Paused | None,
        background: bool,
    ) -> None:
        self.tally = ImportProgress(total=len(plan.voices), seconds_total=plan.seconds)
        self.forgotten = False  # by a /forget in the chat, in any process
        self._plan, self._chat = plan, plan.past.chat
        self._transcription, self._uow, self._clock = transcription, uow, clock
        self._lease, self._at_once = lease, at_once
        self._progress, self._paused, self._background = progress, paused, background
        self._mark = uuid.uuid4().hex  # this import's, deleted by a /forget in any process
        self._mandate = plan.mandate
        self._waiting = list(plan.voices)
        self._elsewhere: list[PastVoice] = []  # claimed by another import: looked at later
        self._going = asyncio.Event()  # cleared while a day's quota or budget is used up
        self._going.set()
        self._under_way = 0  # messages being transcribed now
        self._workers: list[asyncio.Task[None]] = []
        self._prefs: Preferences | None = None  # the chat's, read as it begins (`_begin`)
        self._logs = False  # whether its transcripts go to the chat's log for summaries

    async def run(self) -> ImportProgress:
        """Mark the import running, hear its messages round after round until none is left or
        it is forgotten, and take the mark away again."""
        try:
            await self._begin()
            async with every(self._lease.total_seconds() / 3, self._alive,
                             name="import alive", about=self._chat):  # fmt: skip
                while self._waiting:
                    await self._round()
                    if self._elsewhere and not self.forgotten:
                        await self._clock.sleep(ELSEWHERE_WAIT)
                    if self.forgotten:
                        break
                    self._waiting.extend(self._elsewhere)  # heard by now, or free, or not
                    self._waiting.sort(key=_order)
                    self._elsewhere.clear()
        finally:
            async with self._uow() as uow:
                await uow.transcripts.end_import(self._chat, self._mark)
                await uow.commit()
        self.tally.forgotten = self.forgotten
        return self.tally

    def forget(self) -> list[asyncio.Task[None]]:
        """A /forget in this process: nothing more is heard; its workers, for the caller to
        cancel and await."""
        self.forgotten = True
        return list(self._workers)

    async def _begin(self) -> None:
        """Its mark set, the export's text messages kept, and what it hears under read."""
        chat = self._chat
        async with self._uow() as uow:
            await uow.transcripts.begin_import(chat, self._mark, at=self._clock.now())
            # A /forget since the plan, in any process, and the import keeps nothing.
            self._mandate = self._mandate or await uow.mandates.read(chat)
            await uow.commit()
        await self._log(self._plan.texts)
        async with self._uow() as uow:
            self._prefs = await uow.preferences.get(chat)
            self._logs = (
                self._plan.past.logged and (await uow.summary_states.get(chat)).logging_enabled
            )

    async def _round(self) -> None:
        """Workers hear what is waiting until none is left; /forget cancels each alone."""
        async with asyncio.TaskGroup() as group:
            for _ in range(min(self._at_once, len(self._waiting))):
                self._workers.append(group.create_task(self._worker()))
        self._workers.clear()  # all ended

    async def _worker(self) -> None:
        """One of the round's workers: the next message taken, claimed, heard and counted, until
        none is left or the import is forgotten."""
        while self._waiting:
            voice = await self._next()
            if voice is None:
                return
            claim, hers = await self._claim(voice)
            if claim == "busy":  # another import hears it now: looked at again later
                self._elsewhere.append(voice)
                continue
            if claim == "refused":  # its sender said no since the plan: it holds now
                self.tally.left_out += 1
            elif claim == "kept":  # by another import, since the plan
                self.tally.elsewhere += 1
            elif not await self._hear(voice, hers):
                continue
            self._done(voice)

    async def _next(self) -> PastVoice | None:
        """The next message to hear, once the import may go on; None once it was forgotten
        (nothing more is heard nor kept) or none is left."""
        await self._going.wait()
        if not await self._still_wanted():
            self._waiting.clear()
            return None
        # The live chat first: while a voice note is worked on, one message of the import goes
        # on at a time (it always progresses), the others wait for a lull.
        while self._background and self._under_way and self._transcription.live:
            await self._transcription.no_live_work()
        return self._waiting.pop(0) if self._waiting else None

    async def _still_wanted(self) -> bool:
        """False once the chat was forgotten since the import was planned, in any process (its
        mark deleted, or its mandate moved)."""
        if not self.forgotten:
            async with self._uow() as uow:
                self.forgotten = not (
                    await uow.transcripts.import_running(self._chat, self._mark)
                    and await uow.mandates.holds(self._writes_under)
                )
        return not self.forgotten

    async def _hear(self, voice: PastVoice, hers: Mandate) -> bool:
        """Transcribe and keep `voice`, counted in the tally; False where it is not done with:
        back in the queue for the next day, or the import forgotten meanwhile."""
        tally = self.tally
        self._under_way += 1
        try:
            await self._transcribe(voice, hers)
        except NoLongerWanted:  # forgotten, its sender's no, or deleted, while it was heard
            if not await self._still_wanted():
                self._waiting.clear()
                return False
            if await self._took_back(voice, hers):
                tally.left_out += 1
            else:
                tally.gone += 1
        except errors.QuotaUsed as refused:
            if not _never_fits(refused):  # longer than a whole day's quota or budget
                self._waiting.insert(_place_of(self._waiting, voice), voice)
                await self._pause(refused)
                return False
            tally.failed += 1
            tally.why_failed.append(refused)
        except FATAL:
            raise
        except (errors.VoicebridgeError, OSError) as failure:
            logger.warning("an imported message of %s failed: %r", self._chat, failure)
            tally.failed += 1
            if isinstance(failure, errors.UndecodableAudio):
                tally.unreadable.append(voice.name or voice.message_id)
            tally.why_failed.append(failure)
        else:
            tally.transcribed.append(voice.message_id)
        finally:
            self._under_way -= 1
        return True

    async def _transcribe(self, voice: PastVoice, hers: Mandate) -> None:
        """`voice` transcribed and kept, with its line in the chat's log, under `hers`; its
        claim given back either way."""
        assert self._prefs is not None
        try:
            transcript = await self._transcription.transcribe_recording(
                self._chat, voice.recording(self._mark), prefs=self._prefs, asker=ANYONE,
                rated=False, background=self._background, mandate=hers,
            )  # fmt: skip
            # Its line in the log too, under the same mandate: one message's work.
            if self._logs and not await self._log([voice.logged(self._chat, transcript.text)],
                                                  hers):  # fmt: skip
                raise NoLongerWanted()
        finally:  # heard, or not: free for another import, before any pause here
            await self._release(voice)

    def _done(self, voice: PastVoice) -> None:
        """`voice` counted as done (heard, left out, or failed), and the progress said."""
        tally = self.tally
        tally.done += 1
        tally.seconds_done += voice.seconds
        if self._progress is not None:
            shown = replace(tally, transcribed=list(tally.transcribed),
                            why_failed=list(tally.why_failed))  # fmt: skip
            self._progress(shown)

    async def _alive(self) -> None:
        """Its process says it is alive, so that its claims are not taken over."""
        async with self._uow() as uow:
            await uow.transcripts.import_seen(self._chat, self._mark, at=self._clock.now())
            await uow.commit()

    @property
    def _writes_under(self) -> Mandate:
        """The mandate the import writes under (read by `_begin`, before any worker starts)."""
        assert self._mandate is not None
        return self._mandate

    async def _pause(self, refused: errors.QuotaUsed) -> None:
        """The first worker refused says so once and waits for the next day; the others
        wait for it."""
        if not self._going.is_set():
            await self._going.wait()
            return
        self._going.clear()
        try:
            if self._paused is not None:
                telling = self._paused(refused)
                if telling is not None:
                    await telling
            reset = refused.params.get("reset")
            wait = reset.seconds if isinstance(reset, Duration) else 3600
            logger.info("import paused for %d s: %s", wait, type(refused).__name__)
            await self._clock.sleep(wait + 1)
        finally:
            self._going.set()

    async def _claim(self, voice: PastVoice) -> tuple[ClaimOutcome, Mandate]:
        """Whether this import may hear `voice` now (`importer.py`'s docstring: twice): `mine`;
        `busy` while another import of the chat hears it; `kept` once one has, since the plan
        (nothing to send, nothing to charge); `refused` where its sender said no since the
        plan. With the mandate its words are kept under: the import's, and its sender's no's
        as of now (a no from now on stops it, `_took_back`)."""
        mandate, mark = self._writes_under, self._mark
        chat, now, said, author = mandate.chat, self._clock.now(), voice.said(), voice.author_id
        async with self._uow() as uow:
            if author is not None and author in await uow.listening_consents.refusing(chat):
                return "refused", mandate
            hers = (
                mandate
                if author is None
                else mandate.of(author, await uow.mandates.noes(chat, author))
            )
            stale_before = now - self._lease
            if not await uow.transcripts.claim_past(chat, said, mark, at=now,
                                                    stale_before=stale_before):  # fmt: skip
                return "busy", hers
            kept = voice.message_id in await uow.transcripts.whole_of(chat, [voice.message_id])
            if kept:
                await uow.transcripts.release_past(chat, said, mark)
            await uow.commit()
        return ("kept" if kept else "mine"), hers

    async def _took_back(self, voice: PastVoice, mandate: Mandate) -> bool:
        """Whether `voice` was refused by its sender's no while it was heard (else its message
        was deleted): what was kept of it goes too, as a call drops the turn a no lands in."""
        async with self._uow() as uow:
            if await uow.mandates.holds(mandate):
                return False
            await uow.transcripts.discard(mandate.chat, voice.kept_as)
            await uow.commit()
        logger.info("an imported message of %s was taken back by its sender", mandate.chat)
        return True

    async def _release(self, voice: PastVoice) -> None:
        """`voice` heard or given back: another import may take it. Best effort: the import's
        end (or a /forget) deletes its claims anyway."""
        try:
            async with self._uow() as uow:
                await uow.transcripts.release_past(self._chat, voice.said(), self._mark)
                await uow.commit()
        except Exception:
            logger.warning(
                "could not give back an imported message of %s", self._chat, exc_info=True
            )

    async def _log(self, messages: Sequence[ChatMessage], mandate: Mandate | None = None) -> bool:
        """Keep `messages` in the chat's log for summaries, in one unit of work, while
        `mandate` (the import's by default) holds; False where it no longer did (a /forget,
        the sender's no). Best effort: a failure to store is logged, and costs the lines
        alone."""
        mandate = mandate or self._writes_under
        lines = [m for m in messages if m.text.strip() and not m.text.lstrip().startswith("/")]
        if not lines:
            return True
        try:
            async with self._uow() as uow:
                if not await uow.mandates.holds(mandate):
                    return False  # nothing of it is kept
                for line in lines:
                    await uow.chat_log.add(line)
                await uow.commit()
        except Exception:
            logger.exception("could not keep the imported messages of %s", mandate.chat)
        return True


def _order(voice: PastVoice) -> tuple[datetime, str]:
    return (voice.sent_at, voice.message_id)


def _never_fits(refused: errors.QuotaUsed) -> bool:
    """Whether what was refused is more than a whole day allows: waiting would not help."""
    if isinstance(refused, errors.AudioOverQuota):
        return True
    needed, limit = refused.params.get("needed"), refused.params.get("limit")
    if isinstance(needed, Duration) and isinstance(limit, Duration):
        return needed.seconds > limit.seconds
    return isinstance(needed, int) and isinstance(limit, int) and needed > limit


def _place_of(waiting: list[PastVoice], voice: PastVoice) -> int:
    """Where `voice` goes back among those `waiting`, oldest first."""
    return next((i for i, other in enumerate(waiting) if _order(other) > _order(voice)),
                len(waiting))  # fmt: skip
