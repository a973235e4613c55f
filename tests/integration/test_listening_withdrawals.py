"""Who of a listened call reaches MiMo's ears (`core.app.listening.live_transcription.Listening`): a
member with a yes, and nobody else, from the moment anything else is said. The real use case on its
real collaborators: the database (SQLite, and PostgreSQL with TEST_DATABASE_URL), the limiter's
quotas there, the process's request gate, the real MiMo client against the MiMo stand-in, which
hears each piece as the words a test reads (`tests.standins.spoken_words`). The moments are made to
happen in order by holding the database's write of a no (`Held`) or the gate's only slot, never by
waiting for a while."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from core.app.listening.listened_call import Roll
from core.app.listening.live_transcription import Listening
from core.app.recordings.kept_transcripts import TranscriptKeeper
from core.app.rules.chat_settings import ChatPreferences
from core.app.rules.job_spending import listen_row
from core.app.rules.limits import Limiter
from core.app.rules.request_slots import RequestGate
from core.domain.listening.live_speech_rules import Caption, Piece
from core.domain.rules.quotas_rules import LimitPolicy
from core.domain.shared_values import ChatRef
from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.mimo import MIMO_AUDIO_CAPS, MimoClient
from core.infra.storage import SqlAlchemyUnitOfWork
from core.ports import SystemClock
from tests.fakes import DEFAULT_TTS_MODEL
from tests.integration.test_listening_consents import Held
from tests.standins.mimo import FakeMimo
from tests.standins.spoken_words import spoken
from tests.waiting import until

SERVER = ChatRef("discord", "guild:1")
NOTES = ChatRef("telegram", "7")  # a voice note's chat, in the queue at the same gate
RATE = 16_000
ASR = "mimo-v2.5-asr"


def listening_wired(
    uow: Callable[[], Any],
    real: Callable[[], SqlAlchemyUnitOfWork],
    *,
    mimo: FakeMimo,
    http: httpx.AsyncClient,
    gate: RequestGate,
) -> Listening:
    """The listening as `core.bootstrap` wires it, its consents stored through `uow` (the real
    units of work, or `Held` ones), everything else on `real`."""
    clock = SystemClock()
    client = MimoClient(http=http, api_key=mimo.api_key, base_url=mimo.base_url)
    return Listening(
        uow=uow, speech=client, chat_api=client,
        audio=FfmpegAudio(processes=FfmpegProcesses(), caps=MIMO_AUDIO_CAPS),
        preferences=ChatPreferences(uow=real, default_tts_model=DEFAULT_TTS_MODEL),
        limiter=Limiter(uow=real, clock=clock, policy=LimitPolicy()),
        keeper=TranscriptKeeper(uow=real, clock=clock), clock=clock, gate=gate,
    )  # fmt: skip


async def piece_of(listening: Listening, member: str, words: str) -> Caption | None:
    """One whole turn of `member` saying `words`, as the adapter hands it over once cut."""
    return await listening.transcribe_piece(
        SERVER,
        Piece(
            member,
            pcm=spoken(words).tobytes(),
            sample_rate=RATE,
            speaker=member.title(),
            started_at=datetime.now(UTC),
        ),
    )


async def anns_piece_queued(
    listening: Listening, gate: RequestGate
) -> tuple[Roll, asyncio.Task[Caption | None]]:
    """Ann, with a yes, in a call whose piece of hers waits in the queue for the gate's only
    slot (a voice note at MiMo holds it, until the test releases `NOTES`)."""
    await listening.consents.decide(SERVER, "ann", True)
    roll = await listening.begin(SERVER, ["ann"], channel="5", starter="ann")
    await gate.acquire(NOTES)
    waiting = asyncio.create_task(piece_of(listening, "ann", "changed my mind"))
    await until(lambda: gate.waiting >= 1, "her piece in the queue for the slot")
    return roll, waiting


async def kept_transcript(uow: Callable[[], SqlAlchemyUnitOfWork], recording: str) -> list[str]:
    async with uow() as unit:
        kept = await unit.transcripts.find(SERVER, recording)
    return [] if kept is None else [f"{part.speaker}: {part.text}" for part in kept.parts]


async def test_a_no_holds_in_the_call_before_the_database_has_stored_it(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork], mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    """Ann says no while the database is slow to store it: from that moment she is not taken
    in, and what she says next reaches nobody, stored or not."""
    held = Held(uow_factory, "")
    gate = RequestGate(total=8, per_chat=4)
    listening = listening_wired(held, uow_factory, mimo=mimo, http=http, gate=gate)
    await listening.consents.decide(SERVER, "ann", True)
    roll = await listening.begin(SERVER, ["ann"], channel="5", starter="ann")
    assert await piece_of(listening, "ann", "before my no") is not None
    held.what = "save"
    saying_no = asyncio.create_task(listening.consents.decide(SERVER, "ann", False))
    await held.reached.wait()  # her no on its way to the database, not stored yet

    admitted = listening.admits(SERVER, "ann")
    after = await piece_of(listening, "ann", "my secret")
    held.go.set()
    assert await saying_no is False
    await listening.end(SERVER)

    assert not admitted  # the voice socket drops her packets at once
    assert after is None
    assert len(mimo.calls(ASR)) == 1  # the piece before her no, and nothing since
    assert await kept_transcript(uow_factory, roll.call) == ["Ann: before my no"]


async def test_a_member_without_a_yes_never_reaches_mimo_even_when_handed_over(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork], mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    """Cy never said yes: a piece of his that reaches the core anyway (the adapter's filter
    let it by) is heard by nobody and kept nowhere; Ann, who said yes, is heard."""
    gate = RequestGate(total=8, per_chat=4)
    listening = listening_wired(uow_factory, uow_factory, mimo=mimo, http=http, gate=gate)
    await listening.consents.decide(SERVER, "ann", True)
    roll = await listening.begin(SERVER, ["ann", "cy"], channel="5", starter="ann")

    cys = await piece_of(listening, "cy", "not for your ears")
    anns = await piece_of(listening, "ann", "hello all")
    await listening.end(SERVER)

    assert roll.not_transcribed == ["cy"]
    assert cys is None
    assert anns is not None and anns.words == "hello all"
    assert len(mimo.calls(ASR)) == 1  # Ann's piece alone
    assert await kept_transcript(uow_factory, roll.call) == ["Ann: hello all"]


async def test_a_no_said_while_a_cut_piece_waits_for_mimo_keeps_it_from_mimo(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork], mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    """Ann's piece is cut while she consents and waits for a free slot at MiMo (the process's
    requests in flight are at their limit); she says no meanwhile: it is never sent, its
    seconds are given back, and her call keeps none of it."""
    gate = RequestGate(total=1, per_chat=4)
    listening = listening_wired(uow_factory, uow_factory, mimo=mimo, http=http, gate=gate)
    roll, waiting = await anns_piece_queued(listening, gate)
    await listening.consents.decide(SERVER, "ann", False)
    gate.release(NOTES)
    heard = await waiting
    await listening.end(SERVER)

    assert heard is None
    assert mimo.calls(ASR) == []
    assert await kept_transcript(uow_factory, roll.call) == []
    async with uow_factory() as unit:
        counted = await unit.usage.day(listen_row(SERVER), datetime.now(UTC).date())
    assert counted.audio_seconds == 0  # its reservation given back: nothing in /usage


async def test_a_no_and_a_yes_at_once_still_keep_from_mimo_what_was_said_before_the_no(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork], mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    """Ann's piece waits for a slot at MiMo; she says no, then yes again before it is sent: what
    she said before her no is never sent nor kept (her yes is for what she says after it), and
    what she says after her yes is heard as usual."""
    gate = RequestGate(total=1, per_chat=4)
    listening = listening_wired(uow_factory, uow_factory, mimo=mimo, http=http, gate=gate)
    roll, waiting = await anns_piece_queued(listening, gate)
    await listening.consents.decide(SERVER, "ann", False)
    await listening.consents.decide(SERVER, "ann", True)
    gate.release(NOTES)
    before = await waiting
    after = await piece_of(listening, "ann", "hello again")
    await listening.end(SERVER)

    assert before is None
    assert after is not None and after.words == "hello again"
    assert len(mimo.calls(ASR)) == 1  # what she said after her yes alone
    assert await kept_transcript(uow_factory, roll.call) == ["Ann: hello again"]
