"""A long recording end to end: real ffmpeg pieces, the real MimoClient, MiMo's stand-in."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from core.app.recordings.piece_transcriber import Transcriber
from core.app.rules.request_slots import RequestGate
from core.chat.transcript_files import to_srt
from core.domain.recordings.transcript_values import Progress
from core.domain.shared_values import ChatRef
from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.mimo import MIMO_AUDIO_CAPS, MimoClient, RetryPolicy
from tests.audio_factory import make_speech_like
from tests.standins.mimo import FakeMimo

audio = FfmpegAudio(processes=FfmpegProcesses(), caps=MIMO_AUDIO_CAPS)

CHAT = ChatRef("telegram", "7")


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """25.4 s of speech-like bursts: four pieces of at most 10 s."""
    folder = tmp_path_factory.mktemp("long")
    return make_speech_like(folder, bursts=13, burst_seconds=1.4, pause_seconds=0.6)


def mimo_transcriber(mimo: FakeMimo, http: httpx.AsyncClient, *, per_chat: int = 4) -> Transcriber:
    client = MimoClient(
        http=http,
        api_key=mimo.api_key,
        base_url=mimo.base_url,
        max_retries=1,  # one retry, the client's: the pipeline adds none of its own
        retry_policy=RetryPolicy(initial_wait=0.01, max_wait=0.01, jitter=0),
    )
    return Transcriber(
        speech=client,
        gate=RequestGate(total=8, per_chat=per_chat),
        piece_seconds=10,
    )


async def test_every_piece_is_heard_once_and_comes_back_in_order(
    recording: Path, mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    progress: list[Progress] = []

    async with audio.asr_pieces(recording, piece_seconds=10) as pieces:
        result = await mimo_transcriber(mimo, http).transcribe(
            pieces, chat=CHAT, language="en", progress=progress.append
        )

    assert len(result.parts) == 4
    assert len(mimo.calls("mimo-v2.5-asr")) == 4
    for part in result.parts:  # the stand-in says how much audio it heard in each request
        assert part.text is not None
        assert float(part.text.split()[1]) == pytest.approx(part.end - part.start, abs=0.7)
    assert result.duration == pytest.approx(25.4, abs=0.02)
    assert progress[0].done_seconds == 0
    assert progress[-1].done_seconds == pytest.approx(result.duration, abs=0.05)
    srt = to_srt(result.parts)
    assert srt.startswith("1\n00:00:00,000 --> ")
    assert srt.count(" --> ") == 4


async def test_a_piece_the_client_gave_up_on_is_tried_once_more(
    recording: Path, mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    mimo.fail_next(503)

    async with audio.asr_pieces(recording, piece_seconds=10) as pieces:
        result = await mimo_transcriber(mimo, http).transcribe(pieces, chat=CHAT)

    assert result.missing == ()
    assert len(mimo.calls("mimo-v2.5-asr")) == 5


async def test_a_piece_that_still_fails_is_named_and_the_rest_is_transcribed(
    recording: Path, mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    # One request at a time: both failures hit the first piece sent, whichever one that is (the
    # ranges convert side by side, so it need not be the recording's first).
    mimo.fail_next(503, times=2)

    async with audio.asr_pieces(recording, piece_seconds=10) as pieces:
        result = await mimo_transcriber(mimo, http, per_chat=1).transcribe(pieces, chat=CHAT)

    [gap] = result.missing
    named = re.search(r"\[(\d+):(\d\d)–(\d+):(\d\d) could not be transcribed\]", result.text)
    assert named is not None, result.text
    start, end = (60 * int(named[i]) + int(named[i + 1]) for i in (1, 3))
    assert (start, end) == (round(gap.start), round(gap.end))
    before = result.text[: named.start()]
    assert before.count("heard") == result.parts.index(gap)  # named in its place
    assert result.text.count("heard") == 3
