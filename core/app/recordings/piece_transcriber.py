"""A recording's pieces heard by MiMo as they are converted (`Transcriber`): each piece in a
request slot of the process's gate (`RequestGate`, the slot set aside while the request waits
for its use of the account's minute), what a kept transcript holds of it taken
from there instead, each answer kept at once, and the parts tallied with their usage and
progress (`_Tally`). `Transcription` (`transcription.py`) runs it within the chat's limits.

The progress carries the words heard so far in order from the start (`HeardFromTheStart`): a
piece answered before an earlier one waits for it. A piece MiMo fails on past the client's
retries becomes a gap (`PIECE_ERRORS`); work no longer wanted stops before its next piece
(`NoLongerWanted`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from core.app.recordings.kept_transcripts import FORGETFUL, KeptParts
from core.app.rules.request_slots import RequestGate
from core.domain import errors
from core.domain.mimo.account_minute_rules import setting_aside
from core.domain.recordings.transcript_values import (
    HeardFromTheStart,
    LongTranscript,
    Progress,
    ProgressCallback,
    TranscriptPart,
)
from core.domain.rules.quotas_rules import billed_seconds
from core.domain.shared_values import AsrPiece, ChatRef, Usage
from core.ports import PieceStream, SpeechApi

logger = logging.getLogger(__name__)

__all__ = ["NoLongerWanted", "Transcriber", "Wanted"]

TextCallback = Callable[[str], None]
Wanted = Callable[[], Awaitable[bool]]
"""Asked before each piece is sent and once all are answered: False: no longer wanted."""


class NoLongerWanted(Exception):
    """The work stopped because it is no longer wanted (`Wanted`): no further piece is sent,
    what MiMo answered meanwhile is neither kept nor counted (the reservation goes back)."""


# Lose this piece only: MiMo was busy or unwell past the client's retries, or refused this
# piece; other pieces may still get through. A refused model (`errors.MimoModelRefused`) is no
# piece's: every piece would be refused alike, so it ends the recording's work at once.
PIECE_ERRORS = (
    errors.MimoUnavailable,
    errors.MimoRateLimited,
    errors.MimoBadResponse,
    errors.MimoBadRequest,
    errors.MimoContentFiltered,
    errors.AudioError,
)


class Transcriber:
    """Long recordings through the speech API, piece by piece (see the module docstring)."""

    def __init__(self, *, speech: SpeechApi, gate: RequestGate, piece_seconds: float) -> None:
        self._speech = speech
        self._gate = gate
        self._piece_seconds = piece_seconds  # a recording no longer than this is one piece

    async def transcribe(
        self,
        pieces: PieceStream,
        *,
        chat: ChatRef,
        language: str = "auto",
        progress: ProgressCallback | None = None,
        kept: KeptParts = FORGETFUL,
        wanted: Wanted | None = None,
        background: bool = False,
    ) -> LongTranscript:
        """A recording's `pieces` as parts in order; `progress` hears about each piece. What
        `kept` holds from before is taken from it, not sent again; each piece MiMo answers for
        is kept there at once, while the work is `wanted`; `background`: its requests go last
        (`RequestGate`)."""
        tally = _Tally(pieces.duration, progress, kept, wanted)
        tally.report(None)
        streamed = progress is not None and pieces.duration <= self._piece_seconds
        on_text = tally.words_so_far if streamed else None
        try:
            await self._transcribe_all(pieces, chat, language, tally, on_text, background)
        except BaseExceptionGroup as group:
            raise _first_error(group) from None
        return tally.result()

    async def _transcribe_all(
        self,
        stream: PieceStream,
        chat: ChatRef,
        language: str,
        tally: _Tally,
        on_text: TextCallback | None,
        background: bool = False,
    ) -> None:
        """A task per piece, each started once the gate has a slot for it: pieces not yet
        requested stay with the converter (on disk), not in memory."""
        async with asyncio.TaskGroup() as group:
            async for piece in stream:
                end = piece.offset + piece.duration
                tally.in_order.expect(piece.offset)
                if (reused := tally.kept.part(start=piece.offset, end=end)) is not None:
                    tally.add(reused, reused=True)
                    continue
                await self._gate.acquire(chat, last=background)
                try:
                    await tally.check_wanted()
                    task = group.create_task(self._one(piece, language, tally, on_text))
                except BaseException:
                    self._gate.release(chat, last=background)
                    raise
                # A done callback runs even for a task cancelled before it started.
                task.add_done_callback(lambda _: self._gate.release(chat, last=background))

    async def _one(
        self, piece: AsrPiece, language: str, tally: _Tally, on_text: TextCallback | None
    ) -> None:
        end = piece.offset + piece.duration
        try:
            with setting_aside(self._gate.aside):  # its slot, while it waits for the minute
                heard = await self._speech.transcribe(
                    piece.data, mime=piece.mime, language=language, on_text=on_text
                )
        except errors.MimoModelRefused:
            raise  # the owner's to fix: the pieces in flight are let go, said once
        except PIECE_ERRORS as exc:
            logger.warning(
                "%.1f-%.1f s could not be transcribed: %s", piece.offset, end, type(exc).__name__
            )
            tally.add(TranscriptPart(piece.offset, end, None), error=exc)
            return
        # An answer for work no longer wanted is not kept (the keeping checks, in its own
        # transaction), nor shown: the recording's end checks once more.
        part = TranscriptPart(piece.offset, end, heard.text.strip())
        billed = billed_seconds(heard.usage, piece.duration)
        tally.add(part, usage=heard.usage, billed=billed)
        if tally.kept.spend is not None:  # billed, however the recording's work ends
            tally.kept.spend.heard(audio_seconds=billed, usage=heard.usage)
        if piece.offset == 0 and end >= tally.total:  # the whole recording, in one piece
            # Kept whole, with what MiMo billed for it, in one transaction.
            await tally.kept.keep_part(part, whole=tally.total, billed=billed, usage=heard.usage)
        else:
            await tally.kept.keep_part(part)


class _Tally:
    """The parts so far, their usage, and the progress reports."""

    def __init__(
        self,
        total: float,
        progress: ProgressCallback | None,
        kept: KeptParts,
        wanted: Wanted | None = None,
    ) -> None:
        self.total = total
        self.progress = progress
        self.kept = kept
        self.wanted = wanted
        self.reused = 0.0  # seconds taken from a kept transcript
        self.parts: list[TranscriptPart] = []
        self.done = 0.0
        self.usage = Usage()
        self.billed = 0  # seconds, as MiMo bills each piece it answered
        self.last_error: Exception | None = None
        self.in_order = HeardFromTheStart()  # the words from the start, as the pieces finish

    def add(
        self,
        part: TranscriptPart,
        *,
        usage: Usage | None = None,
        billed: int = 0,
        error: Exception | None = None,
        reused: bool = False,
    ) -> None:
        self.parts.append(part)
        self.in_order.add(part)
        self.billed += billed
        self.done += part.end - part.start
        self.reused += (part.end - part.start) if reused else 0.0
        if usage is not None:
            self.usage = _add_usage(self.usage, usage)
        if error is not None:
            self.last_error = error
        self.report(part)

    def report(self, part: TranscriptPart | None, heard: str | None = None) -> None:
        if self.progress is None:
            return
        try:
            done = round(min(self.done, self.total), 3)  # no float dust in "25.4 of 25.4"
            self.progress(Progress(done, self.total, part, heard, self.in_order.text))
        except Exception:
            # A broken status message must not cost the user the transcript.
            logger.warning("the progress callback failed", exc_info=True)

    async def check_wanted(self) -> None:
        if self.wanted is not None and not await self.wanted():
            raise NoLongerWanted()

    def words_so_far(self, text: str) -> None:
        """The text of a streamed piece so far."""
        self.report(None, text)

    def result(self) -> LongTranscript:
        parts = tuple(sorted(self.parts, key=lambda part: part.start))
        if self.last_error is not None and all(part.text is None for part in parts):
            raise self.last_error
        return LongTranscript(
            parts=parts, duration=self.total, usage=self.usage, reused_seconds=self.reused,
            billed_seconds=self.billed,
        )  # fmt: skip


def _add_usage(a: Usage, b: Usage) -> Usage:
    return Usage(
        prompt_tokens=a.prompt_tokens + b.prompt_tokens,
        completion_tokens=a.completion_tokens + b.completion_tokens,
        audio_seconds=a.audio_seconds + b.audio_seconds,
    )


def _first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The error that stopped the pieces: the first one that is not a cancellation."""
    found: BaseException = group
    while isinstance(found, BaseExceptionGroup):
        rest = [e for e in found.exceptions if not isinstance(e, asyncio.CancelledError)]
        found = (rest or list(found.exceptions))[0]
    return found
