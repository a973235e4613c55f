"""Long recordings piece by piece: ordering, missing parts, progress, request limits.

The pieces and the speech API are stand-ins here; tests/integration/test_long_transcription.py
runs the same pipeline on real audio against the MiMo stand-in.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from core.app.recordings.piece_transcriber import Transcriber
from core.app.recordings.transcription import Transcription
from core.app.rules.request_slots import RequestGate
from core.domain import errors
from core.domain.recordings.transcript_values import (
    LongTranscript,
    Progress,
    TranscriptPart,
    join_parts,
)
from core.domain.rules.quotas_rules import RequestLimits
from core.domain.shared_values import AsrPiece, ChatRef, Preferences, Transcript, Usage
from core.infra.local_settings import LocalUnitOfWork
from tests.fakes import FakeAudio, FakeSpeech, fake_use_cases
from tests.waiting import until

CHAT = ChatRef("telegram", "1")
OTHER = ChatRef("telegram", "2")
SOURCE = Path("recording.ogg")  # never opened: the pieces come from the stand-in


def piece(i: int, *, chat: str = "p", seconds: float = 10) -> AsrPiece:
    return AsrPiece(
        data=f"{chat}{i}".encode(), mime="audio/mpeg", offset=i * seconds, duration=seconds
    )


class Pieces:
    """A converter's stream: the given pieces, in the given order, counting what was taken."""

    def __init__(self, pieces: Sequence[AsrPiece]) -> None:
        self.pieces = list(pieces)
        self.duration = sum(p.duration for p in pieces)
        self.taken = 0

    async def __aiter__(self) -> AsyncIterator[AsrPiece]:
        for item in self.pieces:
            self.taken += 1
            yield item


class Speech:
    """Answers `text of <piece>`, after `delay` seconds; `failures[piece]` lists the errors its
    successive attempts raise. Counts what is in flight."""

    def __init__(
        self,
        failures: dict[bytes, list[errors.VoicebridgeError]] | None = None,
        *,
        delay: float = 0.0,
        release: asyncio.Event | None = None,
    ) -> None:
        self.failures = failures or {}
        self.delay = delay
        self.release = release
        self.calls: list[bytes] = []
        self.streamed = False
        self.in_flight: dict[str, int] = {}
        self.most_in_flight = 0
        self.most_in_flight_per_chat: dict[str, int] = {}

    async def transcribe(
        self,
        audio: bytes,
        *,
        mime: str,
        language: str = "auto",
        on_text: Callable[[str], None] | None = None,
    ) -> Transcript:
        chat = audio.decode()[0]
        self.calls.append(audio)
        self.streamed = on_text is not None
        self.in_flight[chat] = self.in_flight.get(chat, 0) + 1
        self.most_in_flight = max(self.most_in_flight, sum(self.in_flight.values()))
        most = max(self.most_in_flight_per_chat.get(chat, 0), self.in_flight[chat])
        self.most_in_flight_per_chat[chat] = most
        try:
            if self.release is not None:
                await self.release.wait()
            await asyncio.sleep(self.delay * random.random())
            if self.failures.get(audio):
                raise self.failures[audio].pop(0)
            if on_text is not None:
                on_text(" text of")
                on_text(f" text of {audio.decode()} ")
            return Transcript(
                text=f" text of {audio.decode()} ", duration=10, usage=Usage(audio_seconds=10)
            )
        finally:
            self.in_flight[chat] -= 1


def transcriber(speech: Speech, *, total: int = 8, per_chat: int = 4) -> Transcriber:
    gate = RequestGate(total=total, per_chat=per_chat)
    return Transcriber(
        speech=speech,  # type: ignore[arg-type]  # transcription is all this test needs
        gate=gate,
        piece_seconds=10,
    )


async def transcribe(
    speech: Speech, pieces: Pieces, progress: list[Progress] | None = None
) -> LongTranscript:
    report = progress.append if progress is not None else None
    return await transcriber(speech).transcribe(pieces, chat=CHAT, progress=report)


# --- ordering and joining ----------------------------------------------------------------------


async def test_parts_come_back_in_order_whatever_order_the_pieces_finish_in() -> None:
    pieces = Pieces([piece(2), piece(0), piece(3), piece(1)])

    result = await transcribe(Speech(delay=0.02), pieces)

    assert result.text == "text of p0 text of p1 text of p2 text of p3"
    assert [(p.start, p.end) for p in result.parts] == [(0, 10), (10, 20), (20, 30), (30, 40)]
    assert result.duration == 40
    assert result.usage.audio_seconds == 40


def test_silent_pieces_leave_no_double_spaces() -> None:
    parts = [TranscriptPart(0, 1, "one"), TranscriptPart(1, 2, ""), TranscriptPart(2, 3, "two")]
    assert join_parts(parts) == "one two"


# --- failures ----------------------------------------------------------------------------------


async def test_a_piece_that_keeps_failing_is_named_in_the_transcript() -> None:
    speech = Speech({b"p1": [errors.MimoUnavailable(), errors.MimoRateLimited()]})
    pieces = Pieces([piece(i, seconds=300) for i in range(3)])

    result = await transcribe(speech, pieces)

    assert result.text == "text of p0 [5:00–10:00 could not be transcribed] text of p2"
    assert result.missing == (TranscriptPart(300, 600, None),)


async def test_neighbouring_missing_parts_are_named_once() -> None:
    failing = [errors.MimoUnavailable(), errors.MimoUnavailable()]
    speech = Speech({b"p1": list(failing), b"p2": list(failing)})

    result = await transcribe(speech, Pieces([piece(i, seconds=60) for i in range(4)]))

    assert result.text == "text of p0 [1:00–3:00 could not be transcribed] text of p3"
    assert len(result.missing) == 2


async def test_a_refused_piece_is_not_retried() -> None:
    speech = Speech({b"p0": [errors.MimoContentFiltered()]})

    result = await transcribe(speech, Pieces([piece(0), piece(1)]))

    assert sorted(speech.calls) == [b"p0", b"p1"]
    assert result.text == "[0:00–0:10 could not be transcribed] text of p1"


async def test_a_piece_refused_by_the_open_circuit_breaker_is_not_retried() -> None:
    speech = Speech({b"p0": [errors.MimoCircuitOpen(seconds=30)]})

    result = await transcribe(speech, Pieces([piece(0), piece(1)]))

    assert sorted(speech.calls) == [b"p0", b"p1"]
    assert result.text == "[0:00–0:10 could not be transcribed] text of p1"


async def test_when_no_piece_can_be_transcribed_the_error_is_raised() -> None:
    failing = {f"p{i}".encode(): [errors.MimoUnavailable()] * 2 for i in range(3)}

    with pytest.raises(errors.MimoUnavailable):
        await transcribe(Speech(failing), Pieces([piece(i) for i in range(3)]))


async def test_a_bad_key_stops_the_whole_recording() -> None:
    speech = Speech({b"p0": [errors.MimoAuthError()]}, delay=0.01)

    with pytest.raises(errors.MimoAuthError):
        await transcribe(speech, Pieces([piece(i) for i in range(20)]))

    assert b"p0" in speech.calls
    assert len(speech.calls) < 20


async def test_a_conversion_error_stops_the_whole_recording() -> None:
    class Broken(Pieces):
        async def __aiter__(self) -> AsyncIterator[AsrPiece]:
            yield piece(0)
            raise errors.UndecodableAudio()

    with pytest.raises(errors.UndecodableAudio):
        await transcribe(Speech(), Broken([piece(0)]))


# --- progress ----------------------------------------------------------------------------------


async def test_progress_starts_at_zero_and_ends_at_the_total() -> None:
    progress: list[Progress] = []

    await transcribe(Speech(delay=0.01), Pieces([piece(i) for i in range(4)]), progress)

    assert progress[0] == Progress(0.0, 40.0, None)
    done = [report.done_seconds for report in progress]
    assert done == sorted(done)
    assert done[1:] == [10, 20, 30, 40]
    finished = sorted(report.part.start for report in progress[1:] if report.part)
    assert finished == [0, 10, 20, 30]
    assert all(report.heard is None for report in progress)


async def test_progress_carries_the_words_from_the_start_in_any_finishing_order() -> None:
    progress: list[Progress] = []
    release = asyncio.Event()
    speech = Speech(delay=0.05, release=release)
    whole = "text of p0 text of p1 text of p2 text of p3 text of p4 text of p5"

    working = asyncio.ensure_future(
        transcribe(speech, Pieces([piece(i) for i in range(6)]), progress)
    )
    await until(lambda: len(speech.calls) == 4, "four pieces in flight")  # answered at random
    release.set()
    await working

    answered: set[float] = set()
    for report in progress:
        if report.part is not None:
            answered.add(report.part.start)
        leading = next(i for i in range(7) if i * 10 not in answered)  # answered from the start
        assert report.in_order == " ".join(f"text of p{i}" for i in range(leading))
    assert progress[-1].in_order == whole


async def test_a_one_piece_recording_streams_its_text_while_it_is_heard() -> None:
    progress: list[Progress] = []
    speech = Speech()

    result = await transcribe(speech, Pieces([piece(0)]), progress)

    assert speech.streamed
    heard = [report.heard for report in progress if report.heard is not None]
    assert heard == [" text of", " text of p0 "]
    assert progress[-1].part is not None  # the finished piece is reported after its text
    assert result.text == "text of p0"


async def test_a_one_piece_recording_is_not_streamed_when_nobody_watches() -> None:
    speech = Speech()

    result = await transcribe(speech, Pieces([piece(0)]))

    assert not speech.streamed
    assert result.text == "text of p0"


async def test_progress_names_the_part_that_could_not_be_transcribed() -> None:
    progress: list[Progress] = []
    speech = Speech({b"p0": [errors.MimoBadRequest()]})

    await transcribe(speech, Pieces([piece(0), piece(1)]), progress)

    assert TranscriptPart(0, 10, None) in [report.part for report in progress]
    assert progress[-1].done_seconds == 20


async def test_a_broken_progress_callback_does_not_cost_the_transcript(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(report: Progress) -> None:
        raise RuntimeError("the status message is gone")

    result = await transcriber(Speech()).transcribe(
        Pieces([piece(0), piece(1)]), chat=CHAT, progress=broken
    )

    assert result.text == "text of p0 text of p1"
    assert "progress callback failed" in caplog.text


# --- requests in flight ------------------------------------------------------------------------


async def test_one_chat_never_has_more_than_its_share_in_flight() -> None:
    speech = Speech(delay=0.01)
    work = transcriber(speech, total=8, per_chat=3)

    await work.transcribe(Pieces([piece(i) for i in range(12)]), chat=CHAT)

    assert speech.most_in_flight == 3


async def test_the_shared_limit_holds_across_chats() -> None:
    speech = Speech(delay=0.01)
    gate = RequestGate(total=3, per_chat=2)

    work = Transcriber(
        speech=speech,  # type: ignore[arg-type]
        gate=gate,
        piece_seconds=10,
    )

    def pieces(name: str) -> Pieces:
        return Pieces([piece(i, chat=name) for i in range(6)])

    first, second = await asyncio.gather(
        work.transcribe(pieces("a"), chat=CHAT), work.transcribe(pieces("b"), chat=OTHER)
    )

    assert speech.most_in_flight == 3
    assert max(speech.most_in_flight_per_chat.values()) == 2
    assert first.text.startswith("text of a0") and second.text.startswith("text of b0")


async def test_pieces_wait_with_the_converter_until_a_request_slot_is_free() -> None:
    release = asyncio.Event()
    pieces = Pieces([piece(i) for i in range(10)])
    work = transcriber(Speech(release=release), per_chat=2)

    task = asyncio.create_task(work.transcribe(pieces, chat=CHAT))
    for _ in range(20):
        await asyncio.sleep(0)
    taken_while_blocked = pieces.taken
    release.set()
    await task

    assert taken_while_blocked == 3  # two in flight, one waiting for a slot
    assert pieces.taken == 10


async def test_a_cancelled_transcription_gives_its_slots_back() -> None:
    gate = RequestGate(total=2, per_chat=2)
    stuck = Transcriber(
        speech=Speech(release=asyncio.Event()),  # type: ignore[arg-type]
        gate=gate,
        piece_seconds=10,
    )
    task = asyncio.create_task(stuck.transcribe(Pieces([piece(i) for i in range(5)]), chat=CHAT))
    for _ in range(20):
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    later = Transcriber(
        speech=Speech(),  # type: ignore[arg-type]
        gate=gate,
        piece_seconds=10,
    )
    async with asyncio.timeout(2):
        result = await later.transcribe(Pieces([piece(0, chat="b")]), chat=CHAT)
    assert result.text == "text of b0"


def test_request_limits_must_allow_a_request() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RequestGate(total=0, per_chat=1)


# --- through the use case ----------------------------------------------------------------------


def transcription(limits: RequestLimits, speech: FakeSpeech, audio: FakeAudio) -> Transcription:
    return fake_use_cases(
        speech=speech,
        audio=audio,
        uow=lambda: LocalUnitOfWork({}),
        default_tts_model="mimo-v2.5-tts",
        limits=limits,
    ).transcription


async def test_the_use_case_reports_progress_and_keeps_the_parts(tmp_path: Path) -> None:
    source = tmp_path / "a.ogg"
    source.write_bytes(b"abcdefgh")
    progress: list[Progress] = []

    result = await transcription(
        RequestLimits(), FakeSpeech(), FakeAudio(piece=4)
    ).transcribe_recording(CHAT, source, prefs=Preferences(), progress=progress.append)

    assert result.text == "text of abcd text of efgh"
    assert [(p.start, p.end) for p in result.parts] == [(0, 1), (1, 2)]
    pieces_done = [report.done_seconds for report in progress if report.heard is None]
    assert pieces_done == [0, 1, 2]


async def test_the_use_case_refuses_a_file_over_the_size_limit_before_converting(
    tmp_path: Path,
) -> None:
    class NoConversion(FakeAudio):
        def asr_pieces(self, *args: object, **kwargs: object) -> Any:
            raise AssertionError("converted a file over the limit")

    source = tmp_path / "big.ogg"
    source.write_bytes(b"x" * 2048)
    voice = transcription(RequestLimits(max_audio_bytes=1024), FakeSpeech(), NoConversion())

    with pytest.raises(errors.AudioTooLarge):
        await voice.transcribe_recording(CHAT, source, prefs=Preferences())


async def test_a_burst_of_recordings_is_worked_through_a_few_at_a_time(tmp_path: Path) -> None:
    # Forty notes at once while MiMo holds every request: at most twice the requests in flight
    # are fetched and converted, the rest wait for a slot before any download.
    class Counting(FakeAudio):
        working = most = 0

        @asynccontextmanager
        async def asr_pieces(self, path: Path, **kwargs: Any) -> AsyncIterator[Any]:
            Counting.working += 1
            Counting.most = max(Counting.most, Counting.working)
            try:
                async with super().asr_pieces(path, **kwargs) as pieces:
                    yield pieces
            finally:
                Counting.working -= 1

    release = asyncio.Event()
    speech = Speech(release=release)
    limits = RequestLimits(asr_max_in_flight=3, asr_concurrency=3)
    voice = transcription(limits, speech, Counting())
    sources = []
    for n in range(40):
        sources.append(tmp_path / f"{n}.ogg")
        sources[-1].write_bytes(b"abcd")
    chats = [ChatRef("telegram", str(n)) for n in range(40)]
    work = [
        asyncio.create_task(voice.transcribe_recording(c, s, prefs=Preferences()))
        for c, s in zip(chats, sources, strict=True)
    ]
    await until(lambda: sum(speech.in_flight.values()) >= 3, "three requests in flight")
    release.set()
    await asyncio.gather(*work)

    assert Counting.most == 6
