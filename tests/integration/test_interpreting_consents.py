"""Whose voice the interpreter speaks in, and whose words it never speaks (`/listen
interpret:True`, `core.app.interpreter.interpreting` through
`core.app.listening.live_transcription`): the runtime exactly as `core.bootstrap` builds it for the
bots, on the real database (SQLite, and PostgreSQL with TEST_DATABASE_URL) and the real MiMo client
against the MiMo stand-in, which hears each turn as the words a test reads
(`tests.standins.spoken_words`), translates by rule and speaks a tone as long as its text. Only the
call is the test's: it keeps the clips played into it, in order, and holds one while the test says
something."""

from __future__ import annotations

import asyncio
import io
import wave
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.app.interpreter.interpretation_queue import News
from core.app.listening.live_transcription import Listening
from core.bootstrap import bootstrap
from core.config import Settings
from core.domain.listening.live_speech_rules import Piece
from core.domain.shared_values import ChatRef, ChatVoice, VoiceNote
from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.mimo import MIMO_AUDIO_CAPS
from core.infra.storage import SqlAlchemyUnitOfWork
from core.ports import Clip
from tests.audio_factory import make_reading
from tests.standins.mimo import FakeMimo
from tests.standins.spoken_words import spoken

SERVER = ChatRef("discord", "guild:1")
RATE = 16_000
TTS = "mimo-v2.5-tts"
CLONE = "mimo-v2.5-tts-voiceclone"
ENGLISH_VOICES = {"Mia", "Chloe", "Milo", "Dean"}
CHINESE_VOICES = {"冰糖", "茉莉", "苏打", "白桦"}


class VoiceChannel:
    """The voice channel the interpretations play in: what a listener heard, in order. While
    `go_on` is clear, the clip playing plays on."""

    voice_id = "5"

    def __init__(self) -> None:
        self.heard: list[VoiceNote] = []
        self.go_on = asyncio.Event()
        self.go_on.set()
        self._played = asyncio.Condition()
        self.handed = 0  # clips handed to the call to play
        # What happens as a clip is handed over, before its first frame (its number from 0).
        self.as_handed: Callable[[int], Awaitable[None]] | None = None

    async def play(self, note: Clip, *, wanted: Any = None) -> bool:
        self.handed += 1
        if self.as_handed is not None:
            await self.as_handed(self.handed - 1)
        if wanted is not None and not wanted():
            return True
        if not isinstance(note, VoiceNote):  # speech as it comes: heard once all of it came
            pcm = b"".join([piece async for piece in note])
            note = VoiceNote(data=pcm, duration=len(pcm) / 2 / note.rate)
        async with self._played:
            self.heard.append(note)
            self._played.notify_all()
        await self.go_on.wait()
        return True

    async def until_heard(self, count: int) -> None:
        async with self._played:
            await asyncio.wait_for(self._played.wait_for(lambda: len(self.heard) >= count), 15)

    def skip(self) -> bool:
        return False

    async def post(self, line: str) -> None:
        return None

    async def leave(self) -> None:
        return None


@asynccontextmanager
async def interpreting(
    mimo: FakeMimo, database_url: str, members: list[str]
) -> AsyncIterator[tuple[Listening, VoiceChannel, list[News]]]:
    """`members` said yes, and Ann started `/listen interpret:True` with them in the call."""
    settings = Settings(
        _env_file=None, mimo_api_key=mimo.api_key, mimo_base_url=mimo.base_url,
        database_url=database_url,
    )  # fmt: skip
    news: list[News] = []

    async def tell(said: News) -> None:
        news.append(said)

    async with bootstrap(settings) as runtime:
        listening = runtime.listening
        assert listening.interpreting is not None
        # However loaded the machine, no interpretation is dropped for being late here.
        listening.interpreting.late_after = 3600.0
        for member in members:
            await listening.consents.decide(SERVER, member, True)
        await listening.begin(SERVER, members, channel="5", starter="ann", interpret=tell)
        call = VoiceChannel()
        listening.joined(SERVER, call)
        try:
            yield listening, call, news
        finally:
            call.go_on.set()
            await listening.end(SERVER)


async def turn_said(listening: Listening, member: str, words: str) -> None:
    """One whole turn of `member` saying `words`, as the adapter hands it over."""
    await listening.transcribe_piece(
        SERVER,
        Piece(
            member,
            pcm=spoken(words).tobytes(),
            sample_rate=RATE,
            speaker=member.title(),
            started_at=datetime.now(UTC),
        ),
    )


def seconds_of(wav: bytes) -> float:
    with wave.open(io.BytesIO(wav)) as clip:
        return float(clip.getnframes() / clip.getframerate())


async def test_a_no_said_while_an_interpretation_waits_in_the_queue_is_never_spoken(
    mimo: FakeMimo, database_url: str
) -> None:
    """While Ann's interpretation plays, Bob's is spoken by MiMo and waits in the queue; he says
    no as it is handed to the call, just before its first frame: the call never hears it, and a
    later turn of Ann's still plays after where his would have. Made and at the front of the
    queue, his clip is past every other look at his consent: only the one just before the first
    frame can see that no."""

    async def bob_says_no_as_his_is_handed(number: int) -> None:
        if number == 1:  # Bob's: his /listen_me allowed:False
            await listening.consents.decide(SERVER, "bob", False)

    async with interpreting(mimo, database_url, ["ann", "bob"]) as (listening, call, news):
        call.go_on.clear()  # Ann's interpretation plays on...
        await turn_said(listening, "ann", "Hi")
        await call.until_heard(1)
        await turn_said(listening, "bob", "你好，我们现在开始今天的会议吧，先谈预算，再谈时间表。")
        await mimo.wait_for_requests(2, model=TTS)  # ...while Bob's is spoken
        call.as_handed = bob_says_no_as_his_is_handed
        call.go_on.set()
        await turn_said(listening, "ann", "Ok")
        await mimo.wait_for_requests(3, model=TTS)
        await call.until_heard(2)
        made = [seconds_of(wav) for wav in mimo.tts_wavs]

    spoken_texts = [request["messages"][-1]["content"] for request in mimo.calls(TTS)]
    assert "你好" in spoken_texts[1]  # the second clip made was Bob's
    heard = [note.duration for note in call.heard]
    assert heard == [pytest.approx(made[0], abs=0.1), pytest.approx(made[2], abs=0.1)]
    assert abs(made[1] - made[2]) > 0.5  # so his clip could not pass for her second one
    assert call.handed == 3  # his was handed over, and not played
    assert news == []


async def test_the_speakers_own_clone_only_where_they_allowed_it_else_one_stock_voice(
    mimo: FakeMimo,
    database_url: str,
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
    tmp_path: Path,
) -> None:
    """Ann let her clone speak translations of her words: hers speak in it. Bob let his read
    his messages aloud, not speak translations: his speak in one stock voice of English's
    target all call long, never in his clone nor Ann's. Cy has none: a stock voice too."""
    audio = FfmpegAudio(processes=FfmpegProcesses(), caps=MIMO_AUDIO_CAPS)
    for owner, allowed in (("ann", "translations"), ("bob", "reading")):
        reading = make_reading(tmp_path, f"{owner} reads the consent sentence")
        sample, mime = await audio.to_clone_sample(reading, max_seconds=20)
        voice = ChatVoice(f"{owner}voice", "cloned", sample=sample, sample_mime=mime,
                          owner_id=owner, verified=True)  # fmt: skip
        async with uow_factory() as uow:
            assert await uow.voices.add(SERVER, voice)
            if allowed == "translations":
                await uow.voices.let_speak_translations(SERVER, owner, True)
            else:
                await uow.voices.let_read_messages(SERVER, owner, True)
            await uow.commit()
    turns = [("ann", "Hello there"), ("bob", "Good morning"), ("bob", "How are you"),
             ("cy", "你好")]  # fmt: skip
    async with interpreting(mimo, database_url, ["ann", "bob", "cy"]) as (listening, call, _):
        for count, (member, words) in enumerate(turns, start=1):
            await turn_said(listening, member, words)
            await call.until_heard(count)

    requests = mimo.calls(TTS)
    models = [request["model"] for request in requests]
    voices = [request["audio"]["voice"] for request in requests]
    assert models == [CLONE, TTS, TTS, TTS]
    assert await mimo.samples_heard() == ["ann reads the consent sentence"]  # her own sample
    assert voices[1] == voices[2] in CHINESE_VOICES  # Bob's English, one voice of Chinese
    assert voices[3] in ENGLISH_VOICES  # Cy's Chinese, in a voice of English
    assert len(call.heard) == 4
