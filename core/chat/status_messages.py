"""Status messages that follow long work: shown at once, edited as the work advances, never
more often than the platform allows, and handed back to the adapter to become the result.

    progress callbacks (sync, any rate)  ->  StatusMessage.update(text)
    StatusMessage                        ->  show(text): the adapter sends or edits one message,
                                             at most once per `min_interval`, latest text only

A transcript's reply is the adapter's own: it shows a `TranscriptStatus` while the work runs,
then renders what `transcript_shown` hands it (messages, or files), with an automatic
translation (`/autotranslate`) below it as `translation_below` words it, on any platform.
Nothing here calls back into the adapter but the `show` it was given.

Work whose MiMo requests wait for their use of the account's minute says so below its status
("Waiting for MiMo: 3 requests ahead…", `waiting_line`), as the number changes, and goes on
by itself: the line goes once none of its requests waits
(`core.domain.mimo.account_minute_rules.PlaceListener`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.chat.answer_languages import target_name
from core.chat.message_catalogue import text
from core.chat.transcript_files import TranscriptFile, TranscriptFormat, transcript_file
from core.domain.message_splitting import Measure, format_duration, messages_or_none, tail_within
from core.domain.quantities import Duration
from core.domain.recordings.transcript_values import LongTranscript, Progress
from core.ports import background_tasks

__all__ = [
    "StatusMessage",
    "TranscriptStatus",
    "transcript_shown",
    "transcription_status",
    "translation_below",
    "waiting_line",
    "with_waiting",
]

logger = logging.getLogger(__name__)

Show = Callable[[str], Awaitable[object]]
# A short note's transcript done within this long of its first streamed words comes as one
# message, not a status edited into it (streamed text is usually complete in about a second).
FIRST_STATUS_DELAY = 1.0
# Between a long recording's words so far and the line that says how far it got.
BELOW = "\n\n"


class StatusMessage:
    """Shows the latest of the texts it is given through `show`, skipping the ones that
    arrive faster than `min_interval` apart. A failing `show` is logged and skipped: a status
    line is a courtesy, the result still comes.

    The first text may be given a delay (`update(first_delay=)`), and is then never shown if
    the work ends meanwhile: short work is mostly done by then, and its result comes as one
    message rather than a status edited into the result (marked "edited", and one more request
    under the platform's rate limit)."""

    def __init__(
        self,
        show: Show,
        *,
        min_interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._show = show
        self._min_interval = min_interval
        self._closing = asyncio.Event()
        self._clock = clock
        self._latest: str | None = None
        self._latest_paced = True  # False: showing `_latest` does not count against the pace
        self._shown: str | None = None
        self._last_shown_at: float | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def shown(self) -> str | None:
        """The text on screen now, if any was shown."""
        return self._shown

    def update(self, status: str | None, *, first_delay: float = 0.0, paced: bool = True) -> None:
        """Show `status` soon (None: nothing new to show); if it is the first, not before
        `first_delay` seconds. Not `paced`, it does not count against the pace: the next text
        may follow it at once (a long recording's opening line, its first words moments later).
        Safe to call from sync callbacks."""
        if status is None or status == self._latest or self._closed:
            return
        self._latest = status
        self._latest_paced = paced
        self._wake.set()
        if self._task is None:
            self._task = background_tasks.start(
                self._run(first_delay), name="status message", awaited=True
            )

    async def close(self) -> None:
        """Stop showing updates; returns once a `show` under way has ended (it is never cut off
        halfway: a message sent but never known to be sent would stay in the chat) and the next
        `show` would not be too soon, so the adapter can turn the status into the result."""
        self._closed = True
        self._closing.set()  # a first text still waiting is not shown
        task, self._task = self._task, None
        if task is not None:
            self._wake.set()
            try:
                await asyncio.shield(task)
            finally:
                if not task.done():  # we were cancelled ourselves
                    task.cancel()
        await asyncio.sleep(self._wait_before_next())

    async def _run(self, first_delay: float) -> None:
        if first_delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), first_delay)
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self._closed:
                return
            await asyncio.sleep(self._wait_before_next())
            latest, paced = self._latest, self._latest_paced
            if self._closed:
                return
            if latest is None or latest == self._shown:
                continue
            try:
                await self._show(latest)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # flood control, a deleted message: the next one may pass
                logger.debug("status update not shown: %s", type(exc).__name__)
            else:
                self._shown = latest
            if paced:
                self._last_shown_at = self._clock()

    def _wait_before_next(self) -> float:
        if self._last_shown_at is None:
            return 0.0
        return max(0.0, self._last_shown_at + self._min_interval - self._clock())


def waiting_line(ahead: int | None, locale: str) -> str | None:
    """What a status says while its work's MiMo requests wait for their use of the account's
    minute: how many go before the first of them (0: it goes next); None once none waits."""
    if ahead is None:
        return None
    if ahead == 0:
        return text("mimo.waiting.next", locale)
    return text("mimo.waiting", locale, count=ahead)


def with_waiting(
    status: str | None, waiting: str | None, *, message_limit: int, measure: Measure = len
) -> str | None:
    """`status` with the `waiting` line below it (`waiting_line`), within one message: the
    latest of the status's words give way."""
    if waiting is None or not status:
        return waiting or status
    room = message_limit - measure(waiting) - measure(BELOW)
    return f"{tail_within(status, room, measure=measure)}{BELOW}{waiting}"


def transcription_status(
    progress: Progress,
    locale: str,
    *,
    piece_seconds: float,
    message_limit: int,
    measure: Measure = len,
) -> str | None:
    """What the status message says about a transcription in progress, or None when there is
    nothing worth a message yet.

    A recording of more than one piece gets "Transcribing the recording (58 min, 10 sec)…" at
    once, then as pieces finish the words heard so far in order from the start (`in_order`)
    above "12:30 of 58:10 transcribed…". A short one shows its text as it is heard. Either way,
    once the words outgrow one message only the latest ones show (the platform would refuse the
    edit; the whole transcript comes at the end).
    """
    if progress.heard is not None:
        heard = progress.heard.strip()
        if not heard:
            return None
        frame = measure(text("transcript.progress.heard", locale, heard=""))
        heard = tail_within(heard, message_limit - frame, measure=measure)
        return text("transcript.progress.heard", locale, heard=heard)
    if progress.total_seconds <= piece_seconds:
        return None  # short: its text is moments away
    if progress.part is None:
        length = Duration(round(progress.total_seconds))
        return text("transcript.progress.start", locale, total=length)
    done, total = format_duration(progress.done_seconds), format_duration(progress.total_seconds)
    line = text("transcript.progress", locale, done=done, total=total)
    words = progress.in_order.strip()
    if not words:
        return line
    words = tail_within(words, message_limit - measure(line) - measure(BELOW), measure=measure)
    return f"{words}{BELOW}{line}"


class TranscriptStatus:
    """What a transcript's reply says while its recording is transcribed: the latest progress in
    words (`transcription_status`), a long recording's words heard so far above it, shown
    through the adapter's `show` at most once per `min_interval`, in `locale`. A long
    recording's status shows at once; a short one's streamed words only after
    `FIRST_STATUS_DELAY`, so that a transcript done by then comes alone. The adapter owns the
    reply: it shows this, then what `transcript_shown` hands it."""

    def __init__(
        self,
        show: Show,
        *,
        locale: str,
        piece_seconds: float,
        min_interval: float,
        message_limit: int,
        measure: Measure = len,
    ) -> None:
        self._status_message = StatusMessage(show, min_interval=min_interval)
        self._locale = locale
        self._piece_seconds = piece_seconds
        self._message_limit = message_limit
        self._measure = measure
        self._status: str | None = None  # the latest progress worth showing
        self._waiting: str | None = None  # ...and the line below it while MiMo is waited for

    def progress(self, progress: Progress) -> None:
        """The `progress` callback for the transcription."""
        status = transcription_status(
            progress,
            self._locale,
            piece_seconds=self._piece_seconds,
            message_limit=self._message_limit,
            measure=self._measure,
        )
        if status is None:
            return
        self._status = status
        delay = FIRST_STATUS_DELAY if progress.heard is not None else 0.0
        # A long recording's opening line gives way to the first words, which may come
        # within a second (a group's pace is one edit in 3 s); the platform's own budget is
        # still kept by the adapter's rate limiter.
        opening = progress.part is None and progress.heard is None
        self._status_message.update(self._shown(), first_delay=delay, paced=not opening)

    def waiting(self, ahead: int | None) -> None:
        """The `core.domain.mimo.account_minute_rules.PlaceListener` callback of the transcription's
        MiMo requests: the status says how many go before them while they wait for the account's
        minute."""
        self._waiting = waiting_line(ahead, self._locale)
        self._status_message.update(self._shown())

    def _shown(self) -> str | None:
        return with_waiting(
            self._status, self._waiting, message_limit=self._message_limit, measure=self._measure
        )

    async def close(self) -> None:
        """No more progress (`StatusMessage.close`): what the reply shows next is the result."""
        await self._status_message.close()


@dataclass(frozen=True)
class TranscriptShown:
    """What a transcript's reply shows once the work is done: a few messages, the first in the
    status's place and the others after it; or, for a longer transcript or a file asked for,
    files instead, the status taken away."""

    messages: tuple[str, ...] = ()
    files: tuple[TranscriptFile, ...] = ()


def transcript_shown(
    result: LongTranscript,
    format: TranscriptFormat,
    locale: str,
    *,
    below: str | None = None,
    message_limit: int,
    max_messages: int,
    measure: Measure = len,
) -> TranscriptShown:
    """What the chat is shown of `result`, in `locale`: at most `max_messages` messages of
    `message_limit` (as the platform `measure`s text), else a file in `format`. `below` (an
    automatic translation) follows the transcript in the same message, or after its file."""
    if not result.text:
        return TranscriptShown(messages=(text("transcript.empty", locale),))
    body = f"{result.text}\n\n{below}" if below else result.text
    if format == "text":
        messages = messages_or_none(body, message_limit, max_messages=max_messages, measure=measure)
        if messages is not None:
            return TranscriptShown(messages=tuple(messages))
    files = [transcript_file(result, format, locale)]
    if below:
        files.append(TranscriptFile("translation.txt", below.encode(), ""))
    return TranscriptShown(files=tuple(files))


def translation_below(language: str, translated: str, locale: str) -> str:
    """ "Translation (English):" and the translation, as it stands under a transcript; the
    language (kept by its English name) named in the reader's, "Übersetzung (Englisch):"."""
    named = target_name(language, locale)
    return f"{text('autotranslate.marker', locale, language=named)}\n{translated}"
