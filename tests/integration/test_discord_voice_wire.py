"""/say played in a voice channel, checked where Discord would hear it: the bot `voicebridge run`
builds, with discord.py's real voice client (PyNaCl, davey), against the stand-in's voice server
(`tests.standins.discord_voice`), which decrypts the packets and decodes their Opus frames."""

from __future__ import annotations

import array
import io
import itertools
import math
import wave

import pytest

from bots.discord import playback
from core.app import speech
from tests.integration.conftest import discord_settings, running_discord
from tests.processes import ffmpeg_children
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.discord_voice import SAMPLE_RATE, Call
from tests.standins.mimo import FakeMimo

WINDOW = 0.02  # seconds: one Opus frame


def samples(pcm: bytes) -> array.array[int]:
    return array.array("h", pcm)


def envelope(pcm: bytes, rate: int) -> list[float]:
    """The loudness (RMS) of every 20 ms of mono PCM16."""
    values, size = samples(pcm), int(rate * WINDOW)
    windows = [values[i : i + size] for i in range(0, len(values) - size + 1, size)]
    return [math.sqrt(sum(v * v for v in w) / size) for w in windows]


def pitch(pcm: bytes, rate: int) -> float:
    """The frequency of a tone, from its zero crossings."""
    values = samples(pcm)
    crossings = sum(1 for a, b in itertools.pairwise(values) if a < 0 <= b)
    return crossings / (len(values) / rate)


def clip_pcm(wav: bytes) -> tuple[bytes, int]:
    with wave.open(io.BytesIO(wav)) as clip:
        return clip.readframes(clip.getnframes()), clip.getframerate()


def assert_sounds_like(call: Call, wav: bytes) -> None:
    """What arrived is the clip MiMo returned: as long (to a frame or two of encoder padding), at
    its pitch (the voice), and as loud throughout: no gap, no burst of noise."""
    heard, (spoken, rate) = call.pcm(), clip_pcm(wav)
    heard_seconds, spoken_seconds = len(heard) / 2 / SAMPLE_RATE, len(spoken) / 2 / rate
    assert heard_seconds == pytest.approx(spoken_seconds, abs=0.05)
    assert pitch(heard, SAMPLE_RATE) == pytest.approx(pitch(spoken, rate), rel=0.02)
    loudness = sorted(envelope(spoken, rate))[len(envelope(spoken, rate)) // 2]
    inner = envelope(heard, SAMPLE_RATE)[2:-2]  # the codec's fade at either end
    assert all(0.7 * loudness < level < 1.3 * loudness for level in inner), inner


async def test_say_in_a_voice_channel_arrives_as_the_speech_mimo_returned(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    alice = discord_api.add_member(server, "alice")
    await discord_api.join_voice(server, alice, server.lounge)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        said = await discord_api.slash(
            server.general, alice, "say", text="Hello, voice channel", in_voice_channel=True
        )
        *_, played = await said.wait_for_messages(count=3)

    assert played.content == f"Played in <#{server.lounge}>."
    [call] = discord_api.voice.calls
    assert call.faults == []  # no Ogg header among the frames, nothing a server would drop
    assert call.grant.channel_id == server.lounge
    assert call.mode == "aead_xchacha20_poly1305_rtpsize"  # the one discord.py 2.7 speaks
    assert all(frame.e2ee for frame in call.speech)  # DAVE from the first frame
    [wav] = mimo.tts_wavs
    assert_sounds_like(call, wav)
    assert discord_api.voice.close_codes == [1000]  # the bot left when it had played it


async def test_a_voice_server_that_drops_mid_clip_is_resumed_and_the_rest_arrives(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    alice = discord_api.add_member(server, "alice")
    await discord_api.join_voice(server, alice, server.lounge)
    voice = discord_api.voice
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        said = await discord_api.slash(
            server.general,
            alice,
            "say",
            text="A clip long enough to be cut. " * 2,
            in_voice_channel=True,
        )
        call = await voice.wait_until(lambda: voice.calls and voice.calls[0], what="the call")
        await voice.wait_until(lambda: len(call.speech) >= 25, what="half a second of the clip")
        await voice.crash(call)
        *_, played = await said.wait_for_messages(count=3)

    assert played.content == f"Played in <#{server.lounge}>."
    assert voice.close_codes == [4015, 1000]
    assert call.resumes == 1 and voice.calls == [call]
    assert call.faults == []
    [wav] = mimo.tts_wavs
    assert_sounds_like(call, wav)


async def test_a_bot_disconnected_mid_clip_says_it_could_not_play_it(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice = discord_api.add_member(server, "alice")
    await discord_api.join_voice(server, alice, server.lounge)
    voice = discord_api.voice
    # No look at the call during the play: the answer must come from how the play ended, not
    # from a check that happened to fall between the disconnect and the player's end.
    monkeypatch.setattr(playback, "CALL_CHECK_SECONDS", 60.0)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        said = await discord_api.slash(
            server.general, alice, "say", text="A clip long enough to be cut. " * 4,
            in_voice_channel=True,
        )  # fmt: skip
        call = await voice.wait_until(lambda: voice.calls and voice.calls[0], what="the call")
        await voice.wait_until(lambda: len(call.speech) >= 25, what="half a second of the clip")
        await discord_api.disconnect_from_voice(server, discord_api.application_id)
        *_, failed = await said.wait_for_messages(count=3)
        left_running = ffmpeg_children()

    assert failed.content == (
        f"I could not play it in <#{server.lounge}>: the voice connection failed."
    )
    assert voice.close_codes == [4014]
    assert voice.calls == [call]  # 4014: discord.py does not come back
    assert left_running == []  # the clip's ffmpeg ended with its play


async def test_every_voice_message_of_a_long_text_arrives_in_order(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice = discord_api.add_member(server, "alice")
    await discord_api.join_voice(server, alice, server.lounge)
    monkeypatch.setattr(speech, "NOTE_CHARS", 100)  # two voice messages, for a short test
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, tts_piece_chars=60
    )
    async with running_discord(settings, discord_api):
        said = await discord_api.slash(
            server.general, alice, "say", text="A sentence of some words. " * 4,
            in_voice_channel=True,
        )  # fmt: skip
        _, *notes, played = await said.wait_for_messages(count=4)

    assert played.content == f"Played in <#{server.lounge}>."
    assert [note.is_voice_message for note in notes] == [True, True]
    [call] = discord_api.voice.calls
    assert call.faults == []
    spoken = [clip_pcm(wav) for wav in mimo.tts_wavs]
    seconds = sum(len(pcm) / 2 / rate for pcm, rate in spoken)
    assert call.seconds == pytest.approx(seconds, abs=0.1)
