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
          it whole, what was kept of it too: `_took_back`); a day's quota or budget used up
          pauses it, said once, until the UTC day turns. Run again, an import takes up where
          it stopped: what is kept whole is skipped, a message half heard sends MiMo only its
          rest. Where the chat keeps its messages for summaries (`/summary on`), its text
          messages and the transcripts go to its log too, under their own dates
    forget  `/forget` in the chat: its imports running in this process end first (the message
          being heard cut where it is), so that the forget deletes all they kept and nothing is
          kept after it; each returns `forgotten`. An import running in another process (the
          command line's) marks itself running in the database as it starts, a mark `/forget`
          deletes with the chat's data; it looks for its mark before each message, each piece
          sent and each answer kept, and once it is gone, stops and keeps nothing more
          (`forgotten` too). Every write of it (each piece, each log line, the export's text
          messages) is made under its mandate, read at the plan (`core.domain.mandates`): a
          /forget since, in any process, keeps it out in the write's own transaction
    twice  two imports of one chat at once (the command run again in another terminal while
          the first runs, `/remember` on two replicas): each message is claimed in the
          database before it is sent to MiMo (`claim_past`), so that the other leaves it, goes
          on with the rest, and looks again every `ELSEWHERE_WAIT` seconds: kept whole
          meanwhile, it is done (`elsewhere`); given back unheard (a day's quota used up there,
          a failure), it is heard here. Each import says every third of WORK_LEASE_SECONDS
          that its process is alive, paused too, as a claim on a message's work renews its
          lease (`core.app.rules.claims`); the claims of one not seen for a whole lease (its
          process killed) are taken over
    gone  a message deleted on its platform while it was heard
          (`core.app.recordings.kept_transcripts`) is skipped, nothing of it kept, and counted
          (`gone`)
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from core.app.recordings.transcription import Transcription, Withdrawn
from core.app.rules.limits import Limiter
from core.domain import errors
from core.domain.limits import ANYONE
from core.domain.mandates import Mandate
from core.domain.memory import Said
from core.domain.quantities import Duration
from core.domain.summaries import ChatMessage
from core.domain.values import ChatRef
from core.ports import Clock, ImportUnitOfWork, RemoteRecording
from core.ports.background import every

logger = logging.getLogger(__name__)

# An import stops at these: no other message would fare better.
FATAL = (errors.MimoAuthError, errors.MimoBalanceError)
ELSEWHERE_WAIT = 5.0  # seconds between two looks at messages another import is hearing


@dataclass(frozen=True)
class PastVoice:
    """One voice message of a chat's past: its message, sender, date and declared length, and
    where its recording is (a file of an export, or a URL to download)."""

    message_id: str
    author: str
    author_id: str | None
    sent_at: datetime
    seconds: float
    locate: Callable[[], Awaitable[str | Path]]
    size: int | None = None
    place: str | None = None  # Discord: its channel
    identity: str | None = None  # the platform's lasting id of the file (a Discord attachment's)
    name: str | None = None  # what the history calls its recording (an export's file), to say it

    def said(self, during: str | None = None) -> Said:
        """Its message, sender and date; heard by the import whose mark is `during`."""
        return Said(self.message_id, self.author, self.sent_at, self.place, past=True,
                    during=during)  # fmt: skip

    @property
    def kept_as(self) -> str:
        """The name its transcript is kept under."""
        return self.identity or f"past:{self.place or ''}:{self.message_id}"

    def logged(self, chat: ChatRef, words: str) -> ChatMessage:
        """Its transcript `words` as a line of the chat's log for summaries."""
        return ChatMessage(chat, self.message_id, self.author or "someone", self.sent_at, words,
                           "transcript")  # fmt: skip

    def recording(self, during: str | None = None) -> RemoteRecording:
        """Its recording, to be kept while the import's mark `during` stands."""
        return RemoteRecording(
            locate=self.locate, size=self.size, seconds=self.seconds, identity=self.kept_as,
            said=self.said(during),
        )  # fmt: skip


@dataclass(frozen=True)
class Past:
    """What a chat's history holds: its voice messages and its text messages. `logged`: a
    group's, whose messages may be kept for summaries (a private chat's never are)."""

    chat: ChatRef
    voices: Sequence[PastVoice]
    texts: Sequence[ChatMessage] = ()
    logged: bool = True


@dataclass(frozen=True)
class ImportPlan:
    """What an import will do, said before anything is spent."""

    past: Past
    voices: tuple[PastVoice, ...]  # to transcribe, oldest first
    texts: tuple[ChatMessage, ...]  # to keep for summaries (none where the chat keeps none)
    too_old: int  # voice messages older than the retention window: not imported
    left_out: int  # of people who said no to being transcribed
    done_before: int  # kept whole already
    quota: int  # the chat's daily seconds of audio (0: no limit)
    quota_left: int
    budget: int  # the whole bot's daily seconds of audio (0: no budget)
    budget_left: int
    days: int  # SUMMARY_RETENTION_DAYS
    # What it writes under, read as it was planned: a /forget of the chat since (the person
    # still deciding, or the import under way), in any process, ends it.
    mandate: Mandate | None = None

    @property
    def seconds(self) -> float:
        return sum(voice.seconds for voice in self.voices)

    def share_of(self, limit: int) -> float | None:
        """What the import takes of `limit` seconds a day, as a fraction (None: no limit)."""
        return self.seconds / limit if limit else None


@dataclass
class ImportProgress:
    """How far an import is: messages and seconds of speech done (failed ones included)."""

    total: int
    seconds_total: float
    done: int = 0
    seconds_done: float = 0.0
    failed: int = 0  # could not be transcribed (unreadable, longer than a day's quota...)
    why_failed: list[Exception] = field(default_factory=list)  # each failure's error, in order
    left_out: int = 0  # their sender said no to being transcribed since the plan
    # Recordings ffmpeg could not read as one (a playlist, a list of files...), by `name`.
    unreadable: list[str] = field(default_factory=list)
    forgotten: bool = False  # ended by a /forget in the chat (`Importer.forget`)
    gone: int = 0  # deleted on their platform before or while they were heard: skipped
    elsewhere: int = 0  # heard by another import of the chat running at the same time
    transcribed: list[str] = field(default_factory=list)  # message ids, in the order done


Paused = Callable[[errors.QuotaUsed], Awaitable[None] | None]
# A past message, for one import (`_claim`): its to hear; another import's now; heard by one
# already; its sender said no.
Hearing = Literal["mine", "busy", "heard", "refused"]


@dataclass
class _Running:
    """An import running: its workers, and whether a /forget ended it."""

    workers: list[asyncio.Task[None]] = field(default_factory=list)
    forgotten: bool = False


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
        self._lease = lease  # WORK_LEASE_SECONDS: a claim on a past message lapses after it
        self._running: dict[ChatRef, list[_Running]] = {}  # by chat, for /forget

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
        chat = plan.past.chat
        tally = ImportProgress(total=len(plan.voices), seconds_total=plan.seconds)
        mark = uuid.uuid4().hex  # this import's, deleted by a /forget in any process
        async with self._uow() as uow:
            await uow.transcripts.begin_import(chat, mark, at=self._clock.now())
            # A /forget since the plan, in any process, and the import keeps nothing.
            mandate = plan.mandate or await uow.mandates.read(chat)
            await uow.commit()
        await self._log(plan.texts, mandate)
        async with self._uow() as uow:
            prefs = await uow.preferences.get(chat)
            logs = plan.past.logged and (await uow.summary_states.get(chat)).logging_enabled
        waiting = list(plan.voices)
        going = asyncio.Event()
        going.set()
        under_way = 0  # messages of the import being transcribed now

        async def still_wanted() -> bool:
            """False once the chat was forgotten since the import was planned, in any process
            (its mark deleted, or its mandate moved)."""
            if not running.forgotten:
                async with self._uow() as uow:
                    running.forgotten = not (
                        await uow.transcripts.import_running(chat, mark)
                        and await uow.mandates.holds(mandate)
                    )
            return not running.forgotten

        async def worker() -> None:
            nonlocal under_way
            while waiting:
                await going.wait()
                if not await still_wanted():  # forgotten: nothing more is heard nor kept
                    waiting.clear()
                    return
                # The live chat first: while a voice note is worked on, one message of the
                # import goes on at a time (it always progresses), the others wait for a lull.
                while background and under_way and self._transcription.live:
                    await self._transcription.no_live_work()
                if not waiting:
                    return
                voice = waiting.pop(0)
                claim, hers = await self._claim(voice, mark, mandate)
                if claim == "refused":  # its sender said no since the plan: it holds now
                    tally.left_out += 1
                    done(voice)
                    continue
                if claim == "busy":  # another import hears it now: looked at again later
                    elsewhere.append(voice)
                    continue
                if claim == "heard":  # by another import, since the plan
                    tally.elsewhere += 1
                    done(voice)
                    continue
                under_way += 1
                try:
                    try:
                        heard = await self._transcription.transcribe_long_audio(
                            chat, voice.recording(mark), prefs=prefs, asker=ANYONE,
                            rated=False, background=background, mandate=hers,
                        )  # fmt: skip
                        # Its line in the log too, under the same mandate: one message's work.
                        if logs and not await self._log([voice.logged(chat, heard.text)], hers):
                            raise Withdrawn()
                    finally:  # heard, or not: free for another import, before any pause here
                        await self._release(chat, voice, mark)
                except Withdrawn:  # forgotten, its sender's no, or deleted, while it was heard
                    if not await still_wanted():
                        waiting.clear()
                        return
                    if await self._took_back(voice, hers):
                        tally.left_out += 1
                    else:
                        tally.gone += 1
                except errors.QuotaUsed as refused:
                    if not _never_fits(refused):  # longer than a whole day's quota or budget
                        waiting.insert(_place_of(waiting, voice), voice)
                        await self._pause(refused, going, paused)
                        continue
                    tally.failed += 1
                    tally.why_failed.append(refused)
                except FATAL:
                    raise
                except (errors.VoicebridgeError, OSError) as failure:
                    logger.warning("an imported message of %s failed: %r", chat, failure)
                    tally.failed += 1
                    if isinstance(failure, errors.UndecodableAudio):
                        tally.unreadable.append(voice.name or voice.message_id)
                    tally.why_failed.append(failure)
                else:
                    tally.transcribed.append(voice.message_id)
                finally:
                    under_way -= 1
                done(voice)

        def done(voice: PastVoice) -> None:
            tally.done += 1
            tally.seconds_done += voice.seconds
            if progress is not None:
                shown = replace(tally, transcribed=list(tally.transcribed),
                                why_failed=list(tally.why_failed))  # fmt: skip
                progress(shown)

        async def alive() -> None:
            async with self._uow() as uow:
                await uow.transcripts.import_seen(chat, mark, at=self._clock.now())
                await uow.commit()

        running = _Running()
        self._running.setdefault(chat, []).append(running)
        elsewhere: list[PastVoice] = []  # claimed by another import running: looked at later
        seconds = self._lease.total_seconds() / 3
        try:
            async with every(seconds, alive, name="import alive", about=chat):
                while waiting:
                    async with asyncio.TaskGroup() as group:  # /forget cancels each worker alone
                        for _ in range(min(self._at_once, len(waiting))):
                            running.workers.append(group.create_task(worker()))
                    running.workers.clear()  # all ended
                    if elsewhere and not running.forgotten:
                        await self._clock.sleep(ELSEWHERE_WAIT)
                    if running.forgotten:
                        break
                    waiting.extend(elsewhere)  # in line again: heard by now, or free, or not
                    waiting.sort(key=lambda voice: (voice.sent_at, voice.message_id))
                    elsewhere.clear()
        finally:
            self._running[chat].remove(running)
            if not self._running[chat]:
                del self._running[chat]
            async with self._uow() as uow:
                await uow.transcripts.end_import(chat, mark)
                await uow.commit()
        tally.forgotten = running.forgotten
        return tally

    async def forget(self, chat: ChatRef) -> None:
        """`/forget` in `chat`: its imports running here end first (module docstring)."""
        workers = []
        for running in self._running.get(chat, []):
            running.forgotten = True
            workers += running.workers
        here = asyncio.current_task()
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*(w for w in workers if w is not here), return_exceptions=True)

    async def _pause(
        self, refused: errors.QuotaUsed, going: asyncio.Event, paused: Paused | None
    ) -> None:
        """The first worker refused says so once and waits for the day to turn; the others
        wait for it."""
        if not going.is_set():
            await going.wait()
            return
        going.clear()
        try:
            if paused is not None:
                said = paused(refused)
                if said is not None:
                    await said
            reset = refused.params.get("reset")
            wait = reset.seconds if isinstance(reset, Duration) else 3600
            logger.info("import paused for %d s: %s", wait, type(refused).__name__)
            await self._clock.sleep(wait + 1)
        finally:
            going.set()

    async def _claim(
        self, voice: PastVoice, mark: str, mandate: Mandate
    ) -> tuple[Hearing, Mandate]:
        """Whether this import (`mark`) may hear `voice` now (module docstring: twice): `mine`;
        `busy` while another import of the chat hears it; `heard` once one has, since the plan
        (nothing to send, nothing to charge); `refused` where its sender said no since the
        plan. With the mandate its words are kept under: the import's, and its sender's no's
        as of now (a no from now on withdraws it, `_took_back`)."""
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
            heard = voice.message_id in await uow.transcripts.whole_of(chat, [voice.message_id])
            if heard:
                await uow.transcripts.release_past(chat, said, mark)
            await uow.commit()
        return ("heard" if heard else "mine"), hers

    async def _took_back(self, voice: PastVoice, mandate: Mandate) -> bool:
        """Whether `voice` was withdrawn by its sender's no while it was heard (else its message
        was deleted): what was kept of it goes too, as a call drops the turn a no lands in."""
        async with self._uow() as uow:
            if await uow.mandates.holds(mandate):
                return False
            await uow.transcripts.discard(mandate.chat, voice.kept_as)
            await uow.commit()
        logger.info("an imported message of %s was taken back by its sender", mandate.chat)
        return True

    async def _release(self, chat: ChatRef, voice: PastVoice, mark: str) -> None:
        """`voice` heard or given back: another import may take it. Best effort: the import's
        end (or a /forget) deletes its claims anyway."""
        try:
            async with self._uow() as uow:
                await uow.transcripts.release_past(chat, voice.said(), mark)
                await uow.commit()
        except Exception:
            logger.warning("could not give back an imported message of %s", chat, exc_info=True)

    async def _log(self, messages: Sequence[ChatMessage], mandate: Mandate) -> bool:
        """Keep `messages` in the chat's log for summaries, in one unit of work, while the
        import's `mandate` holds; False where it no longer did (a /forget, the sender's no).
        Best effort: a failure to store is logged, and costs the lines alone."""
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
    key = (voice.sent_at, voice.message_id)
    return next(
        (i for i, other in enumerate(waiting) if (other.sent_at, other.message_id) > key),
        len(waiting),
    )
