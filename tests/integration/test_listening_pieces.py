"""A listened call's turns heard piece by piece
(`core.app.listening.live_transcription.Listening.heard`, on the real database): each piece through
the process's request gate ahead of voice notes, the turn kept as one line once every piece is
answered, in the order said whatever order MiMo answered in; a no said during a turn keeps none of
it. MiMo's answers are held and let go by the test (`HeldSpeech`), never waited for a while."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from core.app.listening.live_transcription import Listening
from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.app.rules.chat_settings import ChatPreferences
from core.app.rules.limits import Limiter
from core.app.rules.request_slots import RequestGate
from core.domain.listening.live_speech_rules import Piece
from core.domain.recordings.transcript_values import TranscriptPart
from core.domain.shared_values import ChatRef, Transcript
from core.infra.storage import SqlAlchemyUnitOfWork
from core.ports import SystemClock
from tests.fakes import DEFAULT_TTS_MODEL, FakeAudio, NoChat
from tests.waiting import until

SERVER = ChatRef("discord", "guild:1")
NOTES = ChatRef("telegram", "7")
RATE = 16_000


class HeldSpeech:
    """MiMo's speech recognition hearing a piece's PCM as its text (`FakeAudio` makes the WAV
    "RIFF" + PCM); the pieces named in `held` wait until the test lets them go."""

    def __init__(self) -> None:
        self.heard: list[str] = []
        self.held: dict[str, asyncio.Event] = {}

    def hold(self, words: str) -> asyncio.Event:
        self.held[words] = asyncio.Event()
        return self.held[words]

    async def transcribe(self, audio: bytes, *, mime: str, language: str = "auto",
                         on_text: object = None) -> Transcript:  # fmt: skip
        words = audio.removeprefix(b"RIFF").decode().strip()
        self.heard.append(words)
        if words in self.held:
            await self.held[words].wait()
        return Transcript(text=words, duration=1.0)


def listening_held(
    uow: Callable[[], SqlAlchemyUnitOfWork], speech: HeldSpeech, gate: RequestGate
) -> Listening:
    clock = SystemClock()
    return Listening(
        uow=uow, speech=speech, chat_api=NoChat(), audio=FakeAudio(),  # type: ignore[arg-type]
        preferences=ChatPreferences(uow=uow, default_tts_model=DEFAULT_TTS_MODEL),
        limiter=Limiter.off(), keeper=TranscriptKeeper(uow=uow, clock=clock), clock=clock,
        gate=gate,
    )  # fmt: skip


def pcm_saying(words: str) -> bytes:
    """A piece's PCM, as the held speech hears it: padded to a second's length."""
    return words.encode().ljust(2 * RATE)


async def kept_parts(
    uow: Callable[[], SqlAlchemyUnitOfWork], recording: str
) -> tuple[TranscriptPart, ...]:
    async with uow() as unit:
        kept = await unit.transcripts.find(SERVER, recording)
    return () if kept is None else kept.parts


async def test_a_turn_answered_out_of_order_is_kept_as_one_line_in_the_order_said(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
) -> None:
    speech = HeldSpeech()
    listening = listening_held(uow_factory, speech, RequestGate(total=8, per_chat=4))
    await listening.consents.decide(SERVER, "ann", True)
    roll = await listening.begin(SERVER, ["ann"], channel="5", starter="ann")
    began = datetime.now(UTC) + timedelta(seconds=2)
    first = speech.hold("we met on")

    def piece(words: str, index: int, *, last: bool = False) -> asyncio.Task[object]:
        return asyncio.create_task(
            listening.transcribe_piece(
                SERVER,
                Piece(
                    "ann",
                    pcm=pcm_saying(words),
                    sample_rate=RATE,
                    speaker="Ann",
                    started_at=began + timedelta(seconds=index),
                    turn=began,
                    index=index,
                    last=last,
                ),
            )
        )

    pieces = [piece("we met on", 0), piece("on Tuesday at", 1), piece("noon", 2, last=True)]
    await asyncio.wait(pieces[1:])  # MiMo answered the later pieces first
    # Their words, shown in the chat, are kept as they are shown, in the turn's place: a crash
    # now would leave them in the call's transcript.
    [so_far] = await kept_parts(uow_factory, roll.call)
    assert roll.started_at is not None
    where = (began - roll.started_at).total_seconds()  # the turn's place in the call
    assert so_far.text == "on Tuesday at noon" and so_far.start == pytest.approx(where, abs=0.002)
    first.set()
    answers = await asyncio.gather(*pieces)
    await listening.end(SERVER)

    assert [a.words for a in answers] == ["we met on", "on Tuesday at", "noon"]  # type: ignore[attr-defined]
    [line] = await kept_parts(uow_factory, roll.call)
    assert line.text == "we met on Tuesday at noon" and line.speaker == "Ann"
    assert round(line.end - line.start) == 3  # the whole turn, every piece heard once
    assert sorted(speech.heard) == sorted(["we met on", "on Tuesday at", "noon"])


async def test_a_piece_waits_for_the_shared_gate_and_goes_ahead_of_the_voice_notes(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
) -> None:
    gate = RequestGate(total=1, per_chat=4)
    speech = HeldSpeech()
    listening = listening_held(uow_factory, speech, gate)
    await listening.consents.decide(SERVER, "ann", True)
    await listening.begin(SERVER, ["ann"], channel="5", starter="ann")
    await gate.acquire(NOTES)  # the only slot: a voice note at MiMo
    note = asyncio.create_task(gate.acquire(NOTES))  # the next voice note waits for it
    await until(lambda: gate.waiting >= 1, "the voice note in the queue")
    caption = asyncio.create_task(
        listening.transcribe_piece(
            SERVER,
            Piece(
                "ann",
                pcm=pcm_saying("hello"),
                sample_rate=RATE,
                speaker="Ann",
                started_at=datetime.now(UTC),
            ),
        )
    )
    await until(lambda: gate.waiting >= 2, "the caption in the queue")
    assert speech.heard == []  # never past the limit, however urgent

    at_mimo = speech.hold("hello")
    gate.release(NOTES)
    await until(lambda: speech.heard == ["hello"], "the caption at MiMo")
    assert not note.done()  # the slot went to the caption, though the note waited longer
    at_mimo.set()
    heard = await caption
    await asyncio.wait_for(note, 5)  # ...and to the note once the caption was done

    assert heard is not None and heard.words == "hello"
    gate.release(NOTES)
    await listening.end(SERVER)


async def test_a_no_said_during_a_turn_keeps_none_of_it_whatever_comes_after(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
) -> None:
    speech = HeldSpeech()
    listening = listening_held(uow_factory, speech, RequestGate(total=8, per_chat=4))
    await listening.consents.decide(SERVER, "ann", True)
    roll = await listening.begin(SERVER, ["ann"], channel="5", starter="ann")
    began = datetime.now(UTC)
    await listening.transcribe_piece(
        SERVER,
        Piece(
            "ann",
            pcm=pcm_saying("my secret"),
            sample_rate=RATE,
            speaker="Ann",
            started_at=began,
            turn=began,
            index=0,
            last=False,
        ),
    )
    await listening.consents.decide(SERVER, "ann", False)
    await listening.consents.decide(SERVER, "ann", True)  # changed her mind, for what comes next
    later = began + timedelta(seconds=5)
    await listening.transcribe_piece(
        SERVER,
        Piece(
            "ann",
            pcm=pcm_saying("hello again"),
            sample_rate=RATE,
            speaker="Ann",
            started_at=later,
            turn=later,
            index=0,
            last=True,
        ),
    )
    await listening.end(SERVER)

    assert [line.text for line in await kept_parts(uow_factory, roll.call)] == ["hello again"]
