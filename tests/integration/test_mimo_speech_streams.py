"""Streamed speech, the real MimoClient over real HTTP to FakeMimo: the three ways MiMo may
answer a stream (in slices, whole in one line, refused), and a stream cut mid-way."""

from __future__ import annotations

import asyncio
import base64
import io
import wave

import pytest

from core.domain.errors import MimoBadRequest, MimoUnavailable
from core.infra.mimo import MimoClient
from tests.standins.mimo import FakeMimo

CLONE = "mimo-v2.5-tts-voiceclone"
DESIGN = "mimo-v2.5-tts-voicedesign"
SENTENCE = "Hello everyone, shall we start?"


def samples_of(wav: bytes | None) -> bytes:
    assert wav is not None
    with wave.open(io.BytesIO(wav)) as file:
        return file.readframes(file.getnframes())


async def test_speech_in_slices_comes_slice_by_slice_before_mimo_has_made_it_all(
    client: MimoClient, mimo: FakeMimo
) -> None:
    mimo.tts_stream, mimo.tts_slices_hold = "slices", asyncio.Event()
    slices = client.speak(SENTENCE, voice="Mia")

    first = await anext(slices)
    assert mimo.tts_streams_ended == 0  # MiMo is still making the rest
    mimo.tts_slices_hold.set()
    rest = [piece async for piece in slices]

    assert len(rest) >= 5
    assert first + b"".join(rest) == samples_of(mimo.last_tts_wav)  # every sample, in order
    [request] = mimo.calls("mimo-v2.5-tts")
    assert request["stream"] is True
    assert request["audio"] == {"format": "pcm16", "voice": "Mia"}


async def test_speech_streamed_whole_comes_as_one_slice(client: MimoClient, mimo: FakeMimo) -> None:
    pieces = [piece async for piece in client.speak(SENTENCE, voice="Mia")]

    assert pieces == [samples_of(mimo.last_tts_wav)]  # one SSE line of the whole clip


async def test_a_voice_kind_that_refuses_streams_is_heard_whole_and_asked_whole_from_then_on(
    client: MimoClient, mimo: FakeMimo
) -> None:
    mimo.tts_stream = "slices"
    mimo.streams_refused.add(CLONE)
    sample = "data:audio/wav;base64," + base64.b64encode(mimo_wav()).decode()

    first = [piece async for piece in client.speak(SENTENCE, model=CLONE, voice=sample)]
    second = [piece async for piece in client.speak(SENTENCE, model=CLONE, voice=sample)]
    preset = [piece async for piece in client.speak(SENTENCE, voice="Mia")]

    assert first == second == [samples_of(mimo.tts_wavs[0])]
    streamed = [bool(body.get("stream")) for body in mimo.calls("mimo-v2.5-tts")]
    # Refused once, then the whole clip; the next one asked whole at once; a preset voice
    # still streams.
    assert streamed == [True, False, False, True]
    assert len(preset) > 1


async def test_a_stream_cut_mid_way_ends_after_the_slices_it_gave(
    client: MimoClient, mimo: FakeMimo
) -> None:
    mimo.tts_stream, mimo.tts_cut_after = "slices", 2
    heard: list[bytes] = []

    with pytest.raises(MimoUnavailable):
        async for piece in client.speak(SENTENCE, voice="Mia"):
            heard.append(piece)

    assert b"".join(heard) == samples_of(mimo.last_tts_wav)[: len(b"".join(heard))]
    assert len(heard) == 2
    assert len(mimo.calls("mimo-v2.5-tts")) == 1  # slices handed out are never asked again


async def test_a_stream_refused_for_what_it_says_is_not_asked_again_whole(
    client: MimoClient, mimo: FakeMimo
) -> None:
    """A 400 that says nothing of streams is no refusal to stream: asking for the whole clip
    would be refused the same way."""
    mimo.fail_next(400)
    with pytest.raises(MimoBadRequest, match="injected 400"):
        async for _ in client.speak(SENTENCE, model=DESIGN, description="a calm voice"):
            pass

    assert [body.get("stream") for body in mimo.calls(DESIGN)] == [True]
    assert len([piece async for piece in client.speak(SENTENCE, voice="Mia")]) == 1  # streams


async def test_opening_a_speech_stream_is_retried_as_any_stream(
    client: MimoClient, mimo: FakeMimo
) -> None:
    mimo.tts_stream = "slices"
    mimo.fail_next(503)

    pieces = [piece async for piece in client.speak(SENTENCE, voice="Mia")]

    assert b"".join(pieces) == samples_of(mimo.last_tts_wav)
    assert len(mimo.calls("mimo-v2.5-tts")) == 2


def mimo_wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(24000)
        file.writeframes(b"\x10\x20" * 24000)
    return buffer.getvalue()
