"""The channel reader end to end: the bot `voicebridge run` builds, with discord.py's real voice
client, against the Discord stand-in and its voice server (`tests.standins.discord_voice`),
which decrypts what arrives and decodes its Opus frames: what a listener in the voice channel
hears, clip by clip."""

from __future__ import annotations

import itertools
from statistics import median
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.audio_factory import make_audio
from tests.integration.conftest import discord_settings, running_discord
from tests.integration.test_discord_voice_wire import clip_pcm, envelope, pitch
from tests.standins.discord_api import FakeDiscord, Guild, SentMessage
from tests.standins.discord_voice import OPUS_SILENCE, SAMPLE_RATE, Call, decode_opus
from tests.standins.mimo import FakeMimo

TTS, CLONE = "mimo-v2.5-tts", "mimo-v2.5-tts-voiceclone"


def clip_frames(call: Call) -> list[list[bytes]]:
    """The Opus frames of each clip a listener heard (discord.py ends every clip with silence
    frames)."""
    runs = itertools.groupby(call.frames, key=lambda frame: frame.opus == OPUS_SILENCE)
    return [[f.opus for f in frames] for silent, frames in runs if not silent]


def clips(call: Call) -> list[bytes]:
    """What a listener heard, clip by clip, as 48 kHz mono PCM16."""
    return [decode_opus(frames) for frames in clip_frames(call)]


def assert_heard_as_spoken(heard: bytes, wav: bytes) -> None:
    """A clip that arrived is the one MiMo returned: as long (to a frame or two of encoder
    padding), at its pitch (the voice), and evenly loud throughout: no gap, no burst of noise.
    (The whole clip may be a little quieter: a mono clip is sent as Opus stereo, 3 dB down.)"""
    spoken, rate = clip_pcm(wav)
    assert len(heard) / 2 / SAMPLE_RATE == pytest.approx(len(spoken) / 2 / rate, abs=0.05)
    assert pitch(heard, SAMPLE_RATE) == pytest.approx(pitch(spoken, rate), rel=0.02)
    inner = envelope(heard, SAMPLE_RATE)[2:-2]  # the codec's fade at either end
    level, source = median(inner), median(envelope(spoken, rate))
    assert 0.5 * source < level < 1.3 * source
    assert all(0.8 * level < window < 1.2 * level for window in inner), inner


def spoken_requests(mimo: FakeMimo) -> list[tuple[str, str]]:
    """Each speech request: (the voice, "clone" for a member's own; the text)."""
    said = []
    for body in mimo.calls("mimo-v2.5-tts"):
        voice = "clone" if body["model"] == CLONE else str(body["audio"]["voice"])
        said.append((voice, str(body["messages"][-1]["content"])))
    return said


class Members:
    """Slash commands as the members of one server run them."""

    def __init__(self, discord_api: FakeDiscord, channel: int) -> None:
        self.discord_api, self.channel = discord_api, channel

    async def answer(self, user: int, command: str, /, **options: Any) -> SentMessage:
        asked = await self.discord_api.slash(self.channel, user, command, **options)
        [answered] = await asked.wait_for_messages()
        return answered


async def heard_clips(discord_api: FakeDiscord, count: int) -> Call:
    """The bot's call once `count` clips have been heard whole in it."""

    def done() -> Call | None:
        calls = discord_api.voice.calls
        whole = calls and ended(calls[-1]) and len(clip_frames(calls[-1])) >= count
        return calls[-1] if whole else None

    return await discord_api.voice.wait_until(done, timeout=30, what=f"{count} clips heard")  # type: ignore[no-any-return]


def ended(call: Call) -> bool:
    """The last clip of `call` has ended: silence came after it."""
    return bool(call.frames) and call.frames[-1].opus == OPUS_SILENCE


async def test_a_channel_read_aloud_each_member_in_their_own_voice(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """The issue's "Done when": Ann's message in her own cloned voice (she allowed it), Bob's in
    the voice he chose, their names between speakers; /skip and leaving work; the frames that
    reached the voice server decode to the speech MiMo returned, in order."""
    ann, bob = discord_api.add_member(server, "Ann"), discord_api.add_member(server, "Bob")
    for member in (ann, bob):
        await discord_api.join_voice(server, member, server.lounge)
    recording = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    members = Members(discord_api, server.general)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        posted = await discord_api.post_voice_message(server.general, ann, recording, duration=3)
        opened = await discord_api.message_command(server.general, ann, "Clone this voice", posted)
        await opened.wait_for_callback()
        await (await discord_api.submit_modal(opened, "AnnVoice")).wait_for_messages()
        own = await members.answer(ann, "myvoice", own_voice=True)
        chosen = await members.answer(bob, "myvoice", name="Dean")
        started = await members.answer(ann, "read_channel")  # the voice channel's own chat
        await discord_api.post_message(server.lounge, ann, "Hello everyone")
        await discord_api.post_message(server.lounge, ann, "Over here")
        await discord_api.post_message(server.lounge, bob, "Hi Ann, see https://example.com")
        await discord_api.post_message(server.general, bob, "Not the channel being read")
        call = await heard_clips(discord_api, 3)
        nothing_to_skip = await members.answer(bob, "skip")
        stopped = await members.answer(bob, "stop")

    assert own.content.startswith("When I read your messages aloud here, I use your own voice")
    assert chosen.content.startswith("When I read your messages aloud here, I use the voice Dean")
    assert started.content.startswith(f"I am reading the chat of <#{server.lounge}> aloud there")
    assert spoken_requests(mimo) == [
        ("clone", "Ann says: Hello everyone"),
        ("clone", "Over here"),
        ("Dean", "Bob says: Hi Ann, see a link to example.com"),
    ]
    assert call.faults == [] and call.grant.channel_id == server.lounge
    assert all(frame.e2ee for frame in call.speech)
    heard = clips(call)
    assert len(heard) == 3
    for clip, wav in zip(heard, mimo.tts_wavs, strict=True):
        assert_heard_as_spoken(clip, wav)
    assert nothing_to_skip.content == "I am not reading a message aloud right now."
    assert stopped.content == f"I stopped reading aloud and left <#{server.lounge}>."
    assert discord_api.voice.close_codes == [1000]
    assert discord_api.voice_state_requests[-1]["channel_id"] is None  # it left the channel


def until_playing(discord_api: FakeDiscord) -> Callable[[], bool]:
    def playing() -> bool:
        calls = discord_api.voice.calls
        return bool(calls) and bool(calls[-1].speech)

    return playing
