"""Status messages: latest text only, never faster than allowed, never cut off halfway."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from core.chat.status_messages import (
    StatusMessage,
    TranscriptStatus,
    transcription_status,
    with_waiting,
)
from core.domain.recordings.transcript_values import HeardFromTheStart, Progress, TranscriptPart


class Screen:
    """Records what was shown; `gate`, when given, holds each show until set."""

    def __init__(self, gate: asyncio.Event | None = None, fail_first: bool = False) -> None:
        self.shown: list[str] = []
        self.attempted: list[str] = []  # every show begun, shown or not
        self.gate = gate
        self.fail_first = fail_first
        self.changed = asyncio.Condition()

    async def show(self, text: str) -> None:
        async with self.changed:
            self.attempted.append(text)
            self.changed.notify_all()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_first:
            self.fail_first = False
            raise RuntimeError("flood control")
        async with self.changed:
            self.shown.append(text)
            self.changed.notify_all()

    async def until(self, condition: Callable[[], bool]) -> None:
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(condition), 5)


class MonotonicClock:
    """Monotonic time that moves when the test says."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def every_task_waits() -> None:
    """Let each task that can run go on until it waits for something (an event, a delay, a
    show at the gate): a few rounds of the event loop, no time passing."""
    for _ in range(20):
        await asyncio.sleep(0)


async def test_updates_faster_than_the_interval_show_only_the_latest() -> None:
    screen, clock = Screen(), MonotonicClock()
    status = StatusMessage(screen.show, min_interval=60, clock=clock)

    for text in ("1 of 4", "2 of 4", "3 of 4"):
        status.update(text)
    await screen.until(lambda: screen.shown != [])
    status.update("4 of 4")  # within the interval: not shown
    clock.now += 60  # so that closing need not sit out the interval
    await asyncio.wait_for(status.close(), 5)

    assert screen.shown == ["3 of 4"]


async def test_a_text_not_paced_gives_way_to_the_next() -> None:
    screen, clock = Screen(), MonotonicClock()
    status = StatusMessage(screen.show, min_interval=60, clock=clock)

    status.update("Transcribing the recording (10 min)…", paced=False)
    await screen.until(lambda: len(screen.shown) == 1)
    clock.now += 1
    status.update("the first words")  # at once, though within the interval
    await screen.until(lambda: len(screen.shown) == 2)
    status.update("more words")  # within the interval of the first words: not shown
    clock.now += 60  # so that closing need not sit out the interval
    await asyncio.wait_for(status.close(), 5)

    assert screen.shown == ["Transcribing the recording (10 min)…", "the first words"]


async def test_a_failed_show_is_skipped_and_the_next_text_still_shows() -> None:
    screen = Screen(fail_first=True)
    status = StatusMessage(screen.show, min_interval=0)

    status.update("first")
    await screen.until(lambda: screen.attempted == ["first"])
    status.update("second")
    await screen.until(lambda: screen.shown != [])
    await status.close()

    assert screen.attempted == ["first", "second"]
    assert screen.shown == ["second"]
    assert status.shown == "second"


async def test_close_waits_for_a_show_under_way() -> None:
    gate = asyncio.Event()
    screen = Screen(gate)
    status = StatusMessage(screen.show, min_interval=0)

    status.update("Transcribing…")
    await screen.until(lambda: screen.attempted != [])  # the show waits at the gate
    closing = asyncio.create_task(status.close())
    await every_task_waits()
    assert not closing.done()
    gate.set()
    await asyncio.wait_for(closing, 5)

    assert screen.shown == ["Transcribing…"]
    status.update("too late")
    await every_task_waits()
    assert screen.attempted == ["Transcribing…"]


async def test_work_done_within_the_first_delay_never_shows_a_status() -> None:
    screen = Screen()
    status = StatusMessage(screen.show, min_interval=0)

    status.update("heard Hello…", first_delay=30)
    await every_task_waits()
    await asyncio.wait_for(status.close(), 5)  # returns at once: the delay is not sat out

    assert screen.attempted == []


async def test_the_first_status_shows_once_the_first_delay_has_passed() -> None:
    screen = Screen()
    status = StatusMessage(screen.show, min_interval=0)

    status.update("heard Hello…", first_delay=1.0)
    status.update("heard Hello there…")
    await every_task_waits()
    early = list(screen.attempted)
    await screen.until(lambda: screen.shown != [])
    await status.close()

    assert early == []
    assert screen.shown == ["heard Hello there…"]  # the latest text, once


def test_status_texts() -> None:
    def status(progress: Progress) -> str | None:
        return transcription_status(progress, "en", piece_seconds=60, message_limit=4096)

    assert status(Progress(0, 3490)) == "Transcribing the recording (58 min, 10 sec)…"
    part = TranscriptPart(0, 750, "text")
    assert status(Progress(750, 3490, part)) == "12:30 of 58:10 transcribed…"
    so_far = status(Progress(750, 3490, part, in_order="text"))
    assert so_far == "text\n\n12:30 of 58:10 transcribed…"
    assert status(Progress(0, 5)) is None  # a short note: its text is moments away
    assert status(Progress(0, 5, heard=" Good mor")) == "Good mor …"
    assert status(Progress(0, 5, heard="  ")) is None


def test_a_streamed_text_past_one_message_shows_its_latest_words() -> None:
    heard = "word " * 1000 + "and the very latest ones"
    status = transcription_status(
        Progress(0, 5, heard=heard), "en", piece_seconds=60, message_limit=100
    )
    assert status is not None and len(status) <= 100
    assert status.startswith("…") and status.endswith("and the very latest ones …")


def test_a_long_recordings_words_past_one_message_show_their_latest_ones() -> None:
    heard = "word " * 1000 + "and the very latest ones"
    status = transcription_status(
        Progress(750, 3490, TranscriptPart(0, 750, heard), in_order=heard), "en",
        piece_seconds=60, message_limit=100,
    )  # fmt: skip
    assert status is not None and len(status) <= 100
    words, line = status.split("\n\n")
    assert words.startswith("…") and words.endswith("and the very latest ones")
    assert line == "12:30 of 58:10 transcribed…"


def test_the_words_from_the_start_wait_for_a_piece_heard_late() -> None:
    heard = HeardFromTheStart()
    for start in (0, 9.5, 21, 30.5):  # where each piece starts, as cut at pauses
        heard.expect(start)
    heard.add(TranscriptPart(9.5, 20, "two"))  # the first piece is still heard
    assert heard.text == ""
    heard.add(TranscriptPart(0, 9, "one"))
    assert heard.text == "one two"
    heard.add(TranscriptPart(30.5, 40, "four"))
    assert heard.text == "one two"
    heard.add(TranscriptPart(21, 30, None))  # not heard: marked, never skipped
    assert heard.text == "one two [0:21–0:30 could not be transcribed] four"


async def test_a_transcripts_status_says_how_many_go_first_while_it_waits_for_mimo() -> None:
    screen = Screen()
    status = TranscriptStatus(
        screen.show, locale="en", piece_seconds=60, min_interval=0, message_limit=4096
    )
    status.progress(Progress(0, 3490))
    status.waiting(3)
    await screen.until(lambda: screen.shown[-1:] == [
        "Transcribing the recording (58 min, 10 sec)…\n\nWaiting for MiMo: 3 requests ahead…"
    ])  # fmt: skip
    status.waiting(1)
    await screen.until(lambda: screen.shown[-1].endswith("Waiting for MiMo: 1 request ahead…"))
    status.waiting(0)
    await screen.until(lambda: screen.shown[-1].endswith("Waiting for MiMo: yours goes next…"))
    status.waiting(None)  # it went
    await screen.until(
        lambda: screen.shown[-1:] == ["Transcribing the recording (58 min, 10 sec)…"]
    )
    await status.close()


async def test_a_short_notes_status_shows_the_wait_alone_then_its_words() -> None:
    screen = Screen()
    status = TranscriptStatus(
        screen.show, locale="de", piece_seconds=60, min_interval=0, message_limit=4096
    )
    status.progress(Progress(0, 3))  # nothing to say of a short note yet
    status.waiting(2)
    await screen.until(lambda: screen.shown == ["Warte auf MiMo: 2 Anfragen davor…"])
    status.waiting(None)
    status.progress(Progress(0, 3, heard="Guten Morgen"))
    await screen.until(lambda: screen.shown[-1:] == ["Guten Morgen …"])
    await status.close()


def test_the_wait_below_a_long_status_keeps_within_one_message() -> None:
    shown = with_waiting("word " * 50, "Waiting for MiMo: 3 requests ahead…", message_limit=100)
    assert shown is not None and len(shown) <= 100
    assert shown.startswith("…") and shown.endswith("\n\nWaiting for MiMo: 3 requests ahead…")
