"""`/translate … voice` on both platforms, its speech asked of MiMo as a stream and encoded into
the voice note while the slices come (issue 96), as /say's is: the note arrives, a valid
Ogg/Opus as long as the speech MiMo made, whether MiMo streams it in slices, streams it whole or
refuses to stream for the voice; a stream cut mid-way is told to the chat, and no half a
sentence is sent."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.mimo import MIMO_AUDIO_CAPS
from tests.integration.conftest import discord_settings, running, running_discord, settings_for
from tests.integration.test_discord_voice_wire import clip_pcm
from tests.integration.test_voices_telegram import silences
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi
from tests.waiting import until

ALICE, BOB = 101, 102
GROUP = -1001
TTS = "mimo-v2.5-tts"
WORDS = "我们明天见，在车站门口，别迟到"
UNAVAILABLE = "The speech service is not responding right now. Please try again in a few minutes."
probe = FfmpegAudio(processes=FfmpegProcesses(), caps=MIMO_AUDIO_CAPS).probe


def streamed_as(mimo: FakeMimo, way: str) -> None:
    """MiMo's stand-in answers a speech stream `way`: in slices (held after the first until the
    test lets them go), whole in one line, or refused for the chat's speech model."""
    mimo.tts_stream = "whole" if way == "whole" else "slices"
    if way == "slices":
        mimo.tts_slices_hold = asyncio.Event()
    if way == "refused":
        mimo.streams_refused.add(TTS)


def asked_as_streams(mimo: FakeMimo) -> list[bool]:
    return [bool(body.get("stream")) for body in mimo.calls(TTS)]


async def assert_voice_note_of_the_speech(data: bytes, mimo: FakeMimo, folder: Path) -> float:
    """`data` is an Ogg/Opus voice note as long as the one clip MiMo made; its length."""
    path = folder / "translation.ogg"
    path.write_bytes(data)
    info = await probe(path)
    [wav] = mimo.tts_wavs
    spoken, rate = clip_pcm(wav)
    assert (info.container, info.codec) == ("ogg", "opus")
    assert info.duration == pytest.approx(len(spoken) / 2 / rate, abs=0.1)
    return info.duration


async def let_the_slices_go(mimo: FakeMimo, way: str) -> None:
    """For slices held after the first: the voice note must wait for the last one, which MiMo
    has not made yet; then they come."""
    if way != "slices":
        return
    assert mimo.tts_slices_hold is not None
    await until(lambda: mimo.calls(TTS), "the speech asked for")
    assert mimo.tts_streams_ended == 0
    mimo.tts_slices_hold.set()


def said_in_group(bot_api: FakeBotApi, user: int, text: str, **kwargs: Any) -> dict[str, Any]:
    message = bot_api.text_message(
        chat_id=GROUP, user_id=user, text=text, chat_type="supergroup", **kwargs
    )
    bot_api.push(message)
    return message


@pytest.mark.parametrize("way", ["slices", "whole", "refused"])
async def test_telegram_translate_voice_sends_the_streamed_speech_as_one_voice_note(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path, way: str
) -> None:
    streamed_as(mimo, way)
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        words = said_in_group(bot_api, ALICE, WORDS)
        said_in_group(bot_api, BOB, "/translate en voice", reply_to=words)
        await let_the_slices_go(mimo, way)
        [sent] = await bot_api.wait_for("sendVoice", chat_id=GROUP)
        before = len(bot_api.sent("sendVoice", chat_id=GROUP))

    duration = await assert_voice_note_of_the_speech(sent.files["voice"], mimo, tmp_path)
    assert sent.params["duration"] == round(duration)
    assert before == 1
    # Refused once, then asked whole; otherwise the one stream.
    assert asked_as_streams(mimo) == ([True, False] if way == "refused" else [True])


async def test_telegram_translate_voice_whose_stream_is_cut_tells_the_chat(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    mimo.tts_stream, mimo.tts_cut_after = "slices", 3
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        words = said_in_group(bot_api, ALICE, WORDS)
        asked = said_in_group(bot_api, BOB, "/translate en voice", reply_to=words)
        await bot_api.wait_until(
            lambda: bot_api.replies_to(GROUP, asked["message_id"]) or None, what="the answer"
        )
        [told] = bot_api.replies_to(GROUP, asked["message_id"])

    assert told["text"] == UNAVAILABLE
    assert bot_api.sent("sendVoice", chat_id=GROUP) == []  # no half a sentence
    assert asked_as_streams(mimo) == [True]


@pytest.mark.parametrize("way", ["slices", "whole", "refused"])
async def test_discord_translate_voice_sends_the_streamed_speech_as_one_voice_message(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    tmp_path: Path,
    way: str,
) -> None:
    streamed_as(mimo, way)
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        asked = await discord_api.slash(
            server.general, alice, "translate", text=WORDS, language="en", voice=True
        )
        await let_the_slices_go(mimo, way)
        _line, note = await asked.wait_for_messages(2)

    assert note.is_voice_message and not note.ephemeral
    [clip] = note.attachments
    duration = await assert_voice_note_of_the_speech(clip.data, mimo, tmp_path)
    assert clip.duration_secs == pytest.approx(duration, abs=0.1)
    assert clip.waveform and len(clip.waveform) == pytest.approx(duration * 10, abs=1)
    assert asked_as_streams(mimo) == ([True, False] if way == "refused" else [True])


async def test_discord_translate_voice_whose_stream_is_cut_tells_the_chat(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    mimo.tts_stream, mimo.tts_cut_after = "slices", 3
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        asked = await discord_api.slash(
            server.general, alice, "translate", text=WORDS, language="en", voice=True
        )
        answers = await asked.wait_for_messages(1)

    assert [message.content for message in answers] == [UNAVAILABLE]
    assert not any(message.is_voice_message for message in asked.visible)
    assert asked_as_streams(mimo) == [True]


async def test_a_long_translations_pieces_are_streamed_at_once_and_heard_in_order(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """A translation longer than one speech request: its two pieces are asked for together
    (the second is at MiMo while the first is still held after its first slice), and the voice
    note holds them in the text's order, the short pause between them."""
    long_text = "".join(
        f"Sentence number {n} is here, and it says a little more. " for n in range(30)
    )
    mimo.tts_seconds_per_char = 0.01
    streamed_as(mimo, "slices")
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        words = said_in_group(bot_api, ALICE, long_text)
        said_in_group(bot_api, BOB, "/translate en voice", reply_to=words)
        await until(lambda: len(mimo.calls(TTS)) == 2, "both pieces asked for")
        both_at_once = mimo.tts_streams_ended == 0
        assert mimo.tts_slices_hold is not None
        mimo.tts_slices_hold.set()
        [sent] = await bot_api.wait_for("sendVoice", chat_id=GROUP)

    assert both_at_once
    pieces = [str(body["messages"][-1]["content"]) for body in mimo.calls(TTS)]
    spoken = "English " + long_text.strip()  # the stand-in's "[English] …", said as words
    pieces.sort(key=spoken.index)
    assert " ".join(pieces) == spoken
    path = tmp_path / "translation.ogg"
    path.write_bytes(sent.files["voice"])
    info = await probe(path)
    first, second = (max(0.5, len(piece) * 0.01) for piece in pieces)
    assert (info.container, info.codec) == ("ogg", "opus")
    assert info.duration == pytest.approx(first + 0.3 + second, abs=0.1)
    assert silences(path) == [pytest.approx(first, abs=0.15)]  # the pause, after the first
