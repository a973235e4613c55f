"""Transcripts kept per recording, so that MiMo never hears a recording (or a piece of one) twice.

    a recording the platform names (`RemoteRecording.identity`: Telegram's `file_unique_id`,
    a Discord attachment's id) is looked up first: transcribed already in the same ASR
    language, its transcript comes back without a download or a request (`/translate`,
    `/tldr`, a second `/transcribe`)
      -> otherwise each piece is stored the moment MiMo answers for it (`keep_part`), in a
         transaction of its own, so work interrupted by a crash and redone after a takeover
         (`core.app.rules.work_claims`) sends MiMo only the pieces it had not answered yet
      -> once every piece was heard, the transcript is marked whole (`complete`; a recording
         of one piece, as a voice note is, with that piece); one with a piece MiMo failed stays
         partial, and the next request retries that piece alone
      -> a recording of one piece has what MiMo billed for it recorded in the transaction that
         keeps it (`core.app.rules.job_spending.Charge`), kept or refused by its checks: the
         transcript is never kept without its cost, nor its cost lost to a kill after it

A recording whose message was deleted on its platform (`MemorySearch.forget_said`), or whose work's
mandate no longer holds (its chat forgotten, its speaker's no, since the work began:
`core.domain.memory.write_mandates`), is heard no further: its work is stopped before each piece is
sent and before its transcript is shown (`KeptParts.while_standing`; a live recording of one piece
is sent without that look, its mandate read just before), and no piece of it is kept after the
deletion, the forget or the no, whichever process hears it (the check is made in the transaction
that keeps it: `core.infra.storage.rules.mandates_in_database`).

A piece is matched by its stretch of the original recording: the converter cuts the same file
the same way every time. A failure to store is logged and costs only the saving, never the
transcript. Files at hand (the command line) have no identity and are not kept.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from core.app.rules.job_spending import Charge, Spend
from core.domain.memory.search_rules import Said
from core.domain.memory.write_mandates import Mandate
from core.domain.recordings.transcript_values import KeptTranscript, LongTranscript, TranscriptPart
from core.domain.shared_values import ChatRef, Usage
from core.ports import Clock, Recording, RemoteRecording, TranscriptUnitOfWork

logger = logging.getLogger(__name__)

__all__ = ["FORGETFUL", "KeptParts", "TranscriptKeeper"]

MATCH_SECONDS = 0.01  # a kept piece is the piece when both ends agree within this
Wanted = Callable[[], Awaitable[bool]]


class TranscriptKeeper:
    """The kept transcripts of every chat (see the module docstring)."""

    def __init__(
        self,
        *,
        uow: Callable[[], TranscriptUnitOfWork],
        clock: Clock,
        reads: Callable[[], TranscriptUnitOfWork] | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        # Units of work that only read, for `standing`: on SQLite outside the queue of write
        # transactions, so that the look before a piece is sent waits for none of them.
        self._reads = reads or uow

    async def recall(
        self, chat: ChatRef, recording: Recording, *, language: str, mandate: Mandate | None = None
    ) -> KeptParts:
        """What is kept of `recording` in `chat`, and where its new pieces go, while the work's
        `mandate` holds."""
        if not isinstance(recording, RemoteRecording) or recording.identity is None:
            return FORGETFUL
        identity = recording.identity
        kept = await self.find(chat, identity, language=language)
        return KeptParts(self, chat, identity, language, kept, recording.said, mandate)

    async def find(self, chat: ChatRef, recording: str, *, language: str) -> KeptTranscript | None:
        """What is kept of `recording`, when it was heard in `language`; one heard in another
        language is dropped, to be heard again as now asked."""
        async with self._uow() as uow:
            kept = await uow.transcripts.find(chat, recording)
            if kept is None or kept.language == language:
                return kept
            await uow.transcripts.discard(chat, recording)
            await uow.commit()
        return None

    async def standing(self, chat: ChatRef, said: Said | None, mandate: Mandate | None) -> bool:
        """Whether the work on a recording may go on, all in one read: the message that
        carried it still there (not deleted), the mark of the import hearing it still there,
        and the work's `mandate` holding (no /forget, no no of its speaker's). It reads what
        was committed before it began, a deletion or a forget included, and writes nothing."""
        async with self._reads() as uow:
            if said is not None and said.deletable and await uow.transcripts.is_deleted(chat, said):
                return False
            during = None if said is None else said.during
            if during is not None and not await uow.transcripts.import_running(chat, during):
                return False
            return mandate is None or await uow.mandates.holds(mandate)

    async def keep_part(
        self,
        chat: ChatRef,
        recording: str,
        *,
        language: str,
        part: TranscriptPart,
        whole: float | None = None,
        said: Said | None = None,
        mandate: Mandate | None = None,
        replace: bool = False,
        charge: Charge | None = None,
    ) -> bool:
        """Keep one heard piece; `whole`: the recording's length, when the piece is all of it,
        so that it is kept whole in the same transaction (a voice note is one piece); `said`:
        where the recording was said, for `/find`; `mandate`: what the work writes under
        (checked as it is kept); `replace`: the words kept at the same start replaced (a
        call's line as its words come); `charge`: what MiMo billed for the recording, recorded
        in the same transaction whether the piece is kept or not (MiMo billed it either way).
        True when it was kept, its checks passed; False when one failed, or the keeping did
        (logged: the charge is then recorded as the work ends)."""
        kept = committed = False
        try:
            async with self._uow() as uow:
                kept = await uow.transcripts.keep_part(
                    chat, recording, language=language, part=part, at=self._made(said),
                    whole=whole, said=said, mandate=mandate, replace=replace,
                )  # fmt: skip
                if charge is not None:
                    await charge.write(uow.usage)
                await uow.commit()
                committed = True
                if charge is not None:
                    charge.written()
        except Exception:  # after the commit (emptying SQLite's log, say), what it kept stands
            logger.warning("could not keep a piece of a transcript in %s", chat, exc_info=True)
            return kept and committed
        return kept

    async def complete(
        self,
        chat: ChatRef,
        recording: str,
        *,
        language: str,
        duration: float,
        said: Said | None = None,
        mandate: Mandate | None = None,
    ) -> bool:
        """Mark the transcript whole; True when it was, its checks passed (`keep_part`)."""
        try:
            async with self._uow() as uow:
                kept = await uow.transcripts.complete(
                    chat, recording, language=language, duration=duration, at=self._made(said),
                    said=said, mandate=mandate,
                )  # fmt: skip
                await uow.commit()
        except Exception:
            logger.warning("could not mark a kept transcript whole in %s", chat, exc_info=True)
            return False
        return kept

    async def withdraw_part(self, chat: ChatRef, recording: str, *, start: float) -> bool:
        """The line kept at `start` of `recording`: a call's turn its speaker withdrew (a no
        said while it lasted), kept as its words were shown. False where it failed (logged):
        the call tries again at its next step, its end at the latest."""
        try:
            async with self._uow() as uow:
                await uow.transcripts.withdraw_part(chat, recording, start=start)
                await uow.commit()
        except Exception:
            logger.warning("could not take a withdrawn line out of %s", chat, exc_info=True)
            return False
        return True

    def _made(self, said: Said | None) -> datetime:
        """When it counts as kept, for the retention: now, or when a past message was sent."""
        now = self._clock.now()
        return now if said is None else said.kept_at(now)


class WholeKept:
    """Whether a recording was kept whole in a transaction that found its work standing: its
    message not deleted, the import hearing it not ended, its mandate holding
    (`KeptParts.while_standing`)."""

    standing = False


@dataclass(frozen=True)
class KeptParts:
    """One recording's kept transcript, as its transcription uses it: the parts heard before,
    and where each new one is kept (`keep_part`, as `TranscriptKeeper.keep_part` and the
    store's `keep_part` name the same act)."""

    keeper: TranscriptKeeper | None
    chat: ChatRef
    identity: str
    language: str
    kept: KeptTranscript | None = None
    said: Said | None = None  # where the recording was said, kept with it
    mandate: Mandate | None = (
        None  # what its work writes under (`core.domain.memory.write_mandates`)
    )
    whole_kept: WholeKept = field(default_factory=WholeKept, compare=False)
    # What its work costs, recorded as it is kept whole in one piece (`keep_part`).
    spend: Spend | None = field(default=None, compare=False)

    def whole(self) -> LongTranscript | None:
        return self.kept.whole() if self.kept else None

    @property
    def seconds(self) -> float:
        """Seconds of the recording heard already."""
        return sum(part.end - part.start for part in self.kept.parts) if self.kept else 0.0

    def part(self, *, start: float, end: float) -> TranscriptPart | None:
        """The kept piece covering exactly `start` to `end`, if any."""
        for part in self.kept.parts if self.kept else ():
            if abs(part.start - start) <= MATCH_SECONDS and abs(part.end - end) <= MATCH_SECONDS:
                return part
        return None

    def while_standing(self, wanted: Wanted | None, *, long: bool = True) -> Wanted | None:
        """`wanted`, and, in one read (`TranscriptKeeper.standing`), the message that carried
        the recording not deleted meanwhile, the import hearing it not ended, and for `long`
        work (or an import's) its mandate holding: no /forget, no no of its speaker's, in any
        process. A live recording of one piece, sent as soon as its work's mandate was read,
        checks it as its piece is kept (`keep_part`): one read the fewer per voice note. Once
        the recording was kept whole, the transaction that kept it made every check of this
        read (and the mandate's whatever the length), so the look after the last piece is
        that transaction's: another read the fewer per recording."""
        keeper, said = self.keeper, self.said
        imported = said is not None and said.during is not None
        looked_at = said if said is not None and (said.deletable or imported) else None
        held = self.mandate if long or imported else None
        if keeper is None or (looked_at is None and held is None):
            return wanted

        async def still() -> bool:
            if not self.whole_kept.standing and not await keeper.standing(
                self.chat, looked_at, held
            ):
                return False
            return wanted is None or await wanted()

        return still

    async def keep_part(
        self,
        part: TranscriptPart,
        *,
        whole: float | None = None,
        billed: int = 0,
        usage: Usage | None = None,
    ) -> None:
        """Keep `part`; `whole`: the recording's length, when `part` is all of it, and then
        what MiMo billed for it (`billed` seconds, `usage`), recorded in its `spend` with it."""
        if self.keeper is None:
            return
        charge = None
        if whole is not None and usage is not None and self.spend is not None:
            charge = self.spend.charge(audio_seconds=billed, usage=usage)
        kept = await self.keeper.keep_part(
            self.chat, self.identity, language=self.language, part=part, whole=whole,
            said=self.said, mandate=self.mandate, charge=charge,
        )  # fmt: skip
        self.whole_kept.standing = kept and whole is not None

    async def complete(self, duration: float) -> None:
        if self.keeper is not None:
            self.whole_kept.standing = await self.keeper.complete(
                self.chat, self.identity, language=self.language, duration=duration,
                said=self.said, mandate=self.mandate,
            )  # fmt: skip


FORGETFUL = KeptParts(None, ChatRef("cli", ""), "", "auto")  # keeps nothing
