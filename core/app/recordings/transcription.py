"""Recordings of any length transcribed piece by piece, while they are still being converted,
and the recordings themselves as the chat platforms hand them over.

    recording (`Transcription.transcribe_recording`): its declared size and length, the rate
    limit, and the declared length reserved from the chat's daily audio quota, or refused,
    all before it is downloaded (`Recordings`); then it waits for a slot, at most twice as many
    recordings worked on at once as requests in flight (`request_slots.WORKING_PER_REQUEST`)
      -> pieces (`AudioConverter.asr_pieces`): cut in pauses, converted in the background and
         handed over as each one is ready; once the recording is measured, the reservation
         grows to its real length, or it is refused, before any piece is sent
      -> a request per piece as soon as a slot is free: at most `per_chat` requests in flight
         for one chat and `total` across all chats (`RequestGate`, one per process)
      -> a piece that still fails once the MiMo client has retried it (its one retry policy,
         within its deadline) becomes "[12:30–22:30 could not be transcribed]", and the rest
         carries on
      -> progress after every piece (`Progress`: seconds done of the total, and the part that
         just finished), then the parts in order (`LongTranscript`: text, .srt, missing parts)

A recording short enough for one piece is recognised in streaming mode when someone listens to
its progress, so its text can be shown while it arrives (`Progress.heard`).

The pieces' own work (requests, what is kept, the tally) is `Transcriber`'s, in
`piece_transcriber.py`; here are the limits around it.

A recording from a chat platform (`Recordings`) is judged on what the platform declares, then
fetched:

    declared    `check_declared`: a recording declared bigger than MAX_AUDIO_MB or longer than
                MAX_AUDIO_SECONDS is refused before anything else; the use cases then take
                their rate limit and reserve their quota on the declared length (`declared`),
                all before a byte is downloaded, so a refused request costs no download
    fetched     `fetched`: the file, downloaded (by the `Downloader`, into a temporary folder of
                its own) for as long as the block lasts, at most `max_downloads` at once in the
                process, the rest waiting for a slot; or read in place when the platform has it
                on this machine. What it really holds is measured afterwards, and the checks
                run again on that

A file at hand (the command line, tests) is taken as it is, its size checked.

Errors: the conversion's `AudioError`s end the whole recording, and so do `MimoAuthError` and
`MimoBalanceError` (every other piece would fail the same way). When no piece at all could be
transcribed, the last piece's error is raised rather than a transcript made only of gaps.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from pathlib import Path

from core.app.recordings.kept_transcripts import FORGETFUL, TranscriptKeeper
from core.app.recordings.piece_transcriber import (
    NoLongerWanted as NoLongerWanted,  # its callers' name for it
)
from core.app.recordings.piece_transcriber import Transcriber, Wanted
from core.app.rules.limits import Limiter
from core.app.rules.request_slots import WORKING_PER_REQUEST, RequestGate
from core.app.use_case_metrics import counted
from core.domain.memory.write_mandates import Mandate
from core.domain.recordings.transcript_values import LongTranscript, ProgressCallback
from core.domain.rules.quotas_rules import ANYONE, Asker, Counts, RequestLimits
from core.domain.shared_values import ChatRef, Preferences
from core.ports import NO_METRICS, AudioConverter, Downloader, Metrics, Recording, RemoteRecording

__all__ = ["Recordings", "Transcription", "declared_seconds"]

logger = logging.getLogger(__name__)


class Recordings:
    """The recordings of one process, judged and fetched (see the module docstring);
    `downloader` None: files at hand only."""

    def __init__(self, *, downloader: Downloader | None, limits: RequestLimits) -> None:
        self._downloader = downloader
        self._limits = limits
        self._slots = asyncio.Semaphore(limits.max_downloads)
        self.waiting = 0  # downloads queued for a slot (`/metrics`)

    def check_declared(self, recording: Recording) -> None:
        """Refuse what the platform declares too big or too long, before anything else."""
        if isinstance(recording, RemoteRecording):
            self._limits.check_audio_size(recording.size)
            self._limits.check_declared_length(recording.seconds)

    @asynccontextmanager
    async def fetched(self, recording: Recording) -> AsyncIterator[Path]:
        """`recording` as a file for as long as the block runs, refused if the file itself is
        over MAX_AUDIO_MB (a download stops just past it, whatever was declared)."""
        place = recording if isinstance(recording, Path) else await recording.locate()
        if isinstance(place, Path):  # on this machine already: read in place, no copy
            yield await self._checked(place)
            return
        async with AsyncExitStack() as held:
            yield await self._checked(await self._download(place, held))

    async def _checked(self, path: Path) -> Path:
        self._limits.check_audio_size((await asyncio.to_thread(path.stat)).st_size)
        return path

    async def _download(self, url: str, held: AsyncExitStack) -> Path:
        """The downloaded file, on disk until `held` closes; a slot is taken while it downloads."""
        if self._downloader is None:
            raise RuntimeError("these recordings were set up without a downloader")
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        try:
            download = self._downloader.downloaded(url, max_bytes=self._limits.max_audio_bytes)
            return await held.enter_async_context(download)
        finally:
            self._slots.release()


def declared_seconds(recording: Recording) -> int:
    """The length a platform declares for `recording`, in whole seconds (0: none declared)."""
    seconds = recording.seconds if isinstance(recording, RemoteRecording) else None
    return round(seconds or 0)


class Transcription:
    """`transcribe_recording`: a recording's transcript, within the chat's limits."""

    def __init__(
        self,
        *,
        transcriber: Transcriber,
        gate: RequestGate,
        audio: AudioConverter,
        limiter: Limiter,
        limits: RequestLimits,
        recordings: Recordings,
        keeper: TranscriptKeeper | None = None,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self._audio = audio
        self._keeper = keeper  # None: nothing kept (the command line)
        self._recordings = recordings
        self._limiter = limiter
        self._limits = limits
        self.metrics = metrics  # transcriptions and their audio counted
        # One gate for the whole process, which `transcriber` goes through: the in-flight limits
        # hold across chats, and for the calls listened to
        # (`core.app.listening.live_transcription`).
        self.gate = gate
        # Recordings fetched and converted at once, all chats together: twice the requests in
        # flight keeps MiMo busy, while a burst (a hundred voice messages arriving together) is
        # worked through a few at a time, each one to its end, rather than every one of them
        # stage by stage, all waiting on the last (bench/RESULTS.md, section 3).
        self._working = asyncio.Semaphore(WORKING_PER_REQUEST * limits.asr_max_in_flight)
        self._live = 0  # recordings of the live chat being worked on (not an import's)
        self._no_live = asyncio.Event()
        self._no_live.set()
        self._transcriber = transcriber

    def requests_waiting(self) -> int:
        """Speech requests queued behind ASR_CONCURRENCY or ASR_MAX_IN_FLIGHT (`/metrics`)."""
        return self.gate.waiting

    @counted("transcribe")
    async def transcribe_recording(
        self,
        chat: ChatRef,
        source: Recording,
        *,
        prefs: Preferences,
        progress: ProgressCallback | None = None,
        asker: Asker | None = ANYONE,
        kept_under: ChatRef | None = None,
        wanted: Wanted | None = None,
        rated: bool = True,
        background: bool = False,
        admitted: Callable[[], Awaitable[None]] | None = None,
        mandate: Mandate | None = None,
    ) -> LongTranscript:
        """The recording's transcript as timed parts (for .txt and .srt), transcribed while it
        converts; `progress` hears after every piece. Within the chat's limits for `asker`
        (`core.app.rules.limits`): its declared length comes off the daily audio quota before it is
        downloaded, its measured length before any of it goes to MiMo. `prefs`: the chat's
        preferences, as the caller read them for its request (the transcript's language): none
        are read here. `kept_under`: where its transcript is kept, when not under `chat` (a
        Business connection's, so that its end deletes them); `wanted`: asked between pieces,
        False raises `NoLongerWanted`. `rated`: False when the request is not one of its own against
        the per-minute rates (a voice note heard already to tell whether it is a consent
        reading, and counted then: its kept transcript is shown without counting it again).
        `background`: an import of the chat's past (`core.app.memory.importer`), whose requests
        take a slot only when live work leaves one free (`RequestGate`). `admitted`: awaited
        once the recording, given its slot, passed those checks, before it is fetched: where
        the caller opens what the chat sees of the work, so that a recording refused shows its
        refusal alone. The slot comes first: a burst of notes at once opens no more replies than
        it works on, and the platform's request budget goes to the transcripts under way
        (`python -m bench --only load`: the slot taken after the checks cost Discord's burst of
        100 about a tenth more time to its last transcript). `mandate`: what the work writes
        under, read as it began (`core.domain.memory.write_mandates`): a /forget of the chat, or a
        no of its speaker's, since then stops it (`NoLongerWanted`) before the next piece is sent,
        and nothing more is kept, whichever process heard it."""
        self._recordings.check_declared(source)
        if not background:
            self._live += 1
            self._no_live.clear()
        try:
            async with self._working:
                return await self._transcribe(
                    chat, source, progress=progress, asker=asker, prefs=prefs,
                    kept_under=kept_under, wanted=wanted, rated=rated, background=background,
                    admitted=admitted, mandate=mandate,
                )  # fmt: skip
        finally:
            if not background:
                self._live -= 1
                if not self._live:
                    self._no_live.set()

    @property
    def live(self) -> int:
        """Recordings of the live chat being worked on now (an import's not counted)."""
        return self._live

    async def no_live_work(self) -> None:
        """Wait until no recording of the live chat is being worked on: an import starts its
        next messages then, so that the live chat has the machine (ffmpeg, the database, the
        requests) first."""
        await self._no_live.wait()

    async def _transcribe(
        self,
        chat: ChatRef,
        source: Recording,
        *,
        progress: ProgressCallback | None,
        asker: Asker | None,
        prefs: Preferences,
        kept_under: ChatRef | None,
        wanted: Wanted | None,
        rated: bool,
        background: bool = False,
        admitted: Callable[[], Awaitable[None]] | None = None,
        mandate: Mandate | None = None,
    ) -> LongTranscript:
        if rated:
            await self._limiter.admit(chat, asker)
        kept = FORGETFUL
        if self._keeper is not None:
            kept = await self._keeper.recall(
                kept_under or chat, source, language=prefs.language, mandate=mandate
            )
        if (whole := kept.whole()) is not None:
            logger.info("reused the kept transcript of %.1f s for %s", whole.duration, chat)
            if admitted is not None:
                await admitted()
            return whole
        async with self._limiter.spending(chat, asker) as spend:
            await spend.reserve(Counts(audio_seconds=declared_seconds(source)))
            if admitted is not None:
                await admitted()
            async with (
                self._recordings.fetched(source) as path,
                self._audio.asr_pieces(
                    path,
                    piece_seconds=self._limits.asr_piece_seconds,
                    max_seconds=self._limits.max_audio_seconds,
                ) as pieces,
            ):
                # Measured, so refused now if it does not fit: before any of it goes to MiMo.
                await spend.reserve(Counts(audio_seconds=round(pieces.duration - kept.seconds)))
                # Nor is a deleted message heard further, nor, for long work, what a forget or
                # its speaker's no ended since it began (`KeptParts.while_standing`).
                long = pieces.duration > self._limits.asr_piece_seconds
                # A recording of one piece is paid for as it is kept (`KeptParts.keep_part`).
                kept = replace(kept, spend=spend)
                wanted = kept.while_standing(wanted, long=long)
                result = await self._transcriber.transcribe(
                    pieces, chat=chat, language=prefs.language, progress=progress,
                    kept=kept, wanted=wanted, background=background,
                )  # fmt: skip
            # As MiMo bills each piece; what was kept from before is not heard, nor paid, again.
            # What was recorded as the transcript was kept is not recorded again (`Spend`).
            spend.used(audio_seconds=result.billed_seconds, usage=result.usage)
        # A recording heard in one new piece was kept whole with it (`Transcriber._one`).
        if not result.missing and (len(result.parts) > 1 or result.reused_seconds):
            await kept.complete(result.duration)
        if wanted is not None and not await wanted():  # no longer wanted as the last piece was kept
            raise NoLongerWanted()
        self.metrics.transcribed(result.duration)
        logger.info(
            "transcribed %.1f s in %d piece(s), %d missing, for %s",
            result.duration, len(result.parts), len(result.missing), chat,
        )  # fmt: skip
        return result
