"""Transcripts kept per recording, so that MiMo never hears a recording (or a piece of one) twice.

    a recording the platform names (`RemoteRecording.identity`: Telegram's `file_unique_id`,
    a Discord attachment's id) is looked up first: transcribed already in the same ASR
    language, its transcript comes back without a download or a request (`/translate`,
    `/tldr`, a second `/transcribe`)
      -> otherwise each piece is stored the moment MiMo answers for it (`keep_part`), in a
         transaction of its own, so work interrupted by a crash and redone after a takeover
         (`core.app.rules.claims`) sends MiMo only the pieces it had not answered yet
      -> once every piece was heard, the transcript is marked whole (`complete`; a recording
         of one piece, as a voice note is, with that piece); one with a piece MiMo failed stays
         partial, and the next request retries that piece alone

A recording whose message was deleted on its platform (`Memory.forget_said`) is heard no
further: its work is withdrawn before each piece is sent, when each is answered and before its
transcript is shown (`Recollection.while_said`), and no piece of it is kept after the deletion
was noted, whichever process hears it (the check is made in the transaction that keeps it).

A piece is matched by its stretch of the original recording: the converter cuts the same file
the same way every time. A failure to store is logged and costs only the saving, never the
transcript. Files at hand (the command line) have no identity and are not kept.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from core.domain.memory import Said
from core.domain.transcripts import KeptTranscript, LongTranscript, TranscriptPart
from core.domain.values import ChatRef
from core.ports import Clock, Recording, RemoteRecording, TranscriptUnitOfWork

logger = logging.getLogger(__name__)

MATCH_SECONDS = 0.01  # a kept piece is the piece when both ends agree within this
Wanted = Callable[[], Awaitable[bool]]


class TranscriptKeeper:
    """The kept transcripts of every chat (see the module docstring)."""

    def __init__(self, *, uow: Callable[[], TranscriptUnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def recall(self, chat: ChatRef, recording: Recording, *, language: str) -> Recollection:
        """What is kept of `recording` in `chat`, and where its new pieces go."""
        if not isinstance(recording, RemoteRecording) or recording.identity is None:
            return FORGETFUL
        identity = recording.identity
        kept = await self.find(chat, identity, language=language)
        return Recollection(self, chat, identity, language, kept, recording.said)

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

    async def still_said(self, chat: ChatRef, said: Said) -> bool:
        """Whether the message that carried a recording is still there (not deleted)."""
        async with self._uow() as uow:
            return not await uow.transcripts.is_deleted(chat, said)

    async def keep_part(
        self,
        chat: ChatRef,
        recording: str,
        *,
        language: str,
        part: TranscriptPart,
        whole: float | None = None,
        said: Said | None = None,
    ) -> None:
        """Keep one heard piece; `whole`: the recording's length, when the piece is all of it,
        so that it is kept whole in the same transaction (a voice note is one piece); `said`:
        where the recording was said, for `/find`."""
        try:
            async with self._uow() as uow:
                await uow.transcripts.add_part(
                    chat, recording, language=language, part=part, at=self._made(said),
                    whole=whole, said=said,
                )  # fmt: skip
                await uow.commit()
        except Exception:
            logger.warning("could not keep a piece of a transcript in %s", chat, exc_info=True)

    async def complete(
        self,
        chat: ChatRef,
        recording: str,
        *,
        language: str,
        duration: float,
        said: Said | None = None,
    ) -> None:
        try:
            async with self._uow() as uow:
                await uow.transcripts.complete(
                    chat, recording, language=language, duration=duration, at=self._made(said),
                    said=said,
                )  # fmt: skip
                await uow.commit()
        except Exception:
            logger.warning("could not mark a kept transcript whole in %s", chat, exc_info=True)

    def _made(self, said: Said | None) -> datetime:
        """When it counts as kept, for the retention: now, or when a past message was sent."""
        now = self._clock.now()
        return now if said is None else said.kept_at(now)


@dataclass(frozen=True)
class Recollection:
    """One recording's kept transcript, as its transcription uses it: the pieces heard before,
    and where each new one goes."""

    keeper: TranscriptKeeper | None
    chat: ChatRef
    identity: str
    language: str
    kept: KeptTranscript | None = None
    said: Said | None = None  # where the recording was said, kept with it

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

    def while_said(self, wanted: Wanted | None) -> Wanted | None:
        """`wanted`, and the message that carried the recording not deleted meanwhile."""
        keeper, said = self.keeper, self.said
        if keeper is None or said is None or not said.deletable:
            return wanted

        async def still() -> bool:
            return await keeper.still_said(self.chat, said) and (wanted is None or await wanted())

        return still

    async def keep(self, part: TranscriptPart, *, whole: float | None = None) -> None:
        """Keep `part`; `whole`: the recording's length, when `part` is all of it."""
        if self.keeper is not None:
            await self.keeper.keep_part(
                self.chat, self.identity, language=self.language, part=part, whole=whole,
                said=self.said,
            )  # fmt: skip

    async def complete(self, duration: float) -> None:
        if self.keeper is not None:
            await self.keeper.complete(
                self.chat, self.identity, language=self.language, duration=duration,
                said=self.said,
            )  # fmt: skip


FORGETFUL = Recollection(None, ChatRef("cli", ""), "", "auto")  # keeps nothing
