"""/say played in a voice channel, checked where Discord would hear it: the bot `voicebridge run`
builds, with discord.py's real voice client (PyNaCl, davey), against the stand-in's voice server
(`tests.standins.discord_voice`), which decrypts the packets and decodes their Opus frames."""

from __future__ import annotations

import array
import asyncio
import io
import itertools
import math
import wave
from statistics import median

import pytest

from bots.discord.place_access import place_of
from bots.discord.voice_channels import speech_playback
from bots.discord.voice_channels.clip_audio_source import ClipAudio
from bots.discord.voice_channels.speech_playback import installed_voice_client
from core.app.voices import text_to_speech
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.audio.voice_note_encoding import to_voice_note
from tests.integration.chatlog_db import speech_counted
from tests.integration.conftest import (
    discord_bot_online,
    discord_settings,
    free_ports,
    running_discord,
)
from tests.processes import ffmpeg_children
from tests.standins import discord_voice
from tests.standins.discord_api import SPEAK, FakeDiscord, Guild, SentMessage
from tests.standins.discord_voice import OPUS_SILENCE, SAMPLE_RATE, Call, decode_opus
from tests.standins.mimo import _VOICE_HZ, FakeMimo, _tone, _wav
from tests.waiting import until

WINDOW = 0.02  # seconds: one Opus frame
LONG_CLIP = "A clip that plays for a few seconds. " * 4  # about 7 s of the stand-in's speech


def samples(pcm: bytes) -> array.array[int]:
    return array.array("h", pcm)


def envelope(pcm: bytes, rate: int) -> list[float]:
    """The loudness (RMS) of every 20 ms of mono PCM16."""
    values, size = samples(pcm), int(rate * WINDOW)
    windows = [values[i : i + size] for i in range(0, len(values) - size + 1, size)]
    return [math.sqrt(sum(v * v for v in w) / size) for w in windows]


def pitch(pcm: bytes, rate: int) -> float:
    """The frequency of a tone: the periods between its first and last rising zero crossing,
    each crossing's instant interpolated between two samples (so the error is a small fraction
    of a sample over the whole clip, far inside any test's tolerance). A crossing counts only
    after the signal went below a tenth of its peak: the codec's quiet fade and padding at
    either end, noise around zero, count none. (Counting every crossing over the clip's whole
    length had read a 398 Hz clip as 407.7 Hz.)"""
    values = samples(pcm)
    low = -max(map(abs, values)) / 10
    instants: list[float] = []
    armed = False
    for i, (a, b) in enumerate(itertools.pairwise(values)):
        armed = armed or a < low
        if armed and a < 0 <= b:
            instants.append(i + a / (a - b))
            armed = False
    return (len(instants) - 1) * rate / (instants[-1] - instants[0])


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


async def alice_says_in_voice(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, text: str = "Hi"
) -> list[SentMessage]:
    """Alice, in the Lounge, asks the bot `voicebridge run` starts for `/say text
    in_voice_channel`; its three answers: the acknowledgement, the voice message, and the line
    about the play."""
    alice = discord_api.add_member(server, "alice")
    await discord_api.join_voice(server, alice, server.lounge)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        said = await discord_api.slash(
            server.general, alice, "say", text=text, in_voice_channel=True
        )
        return await said.wait_for_messages(count=3)


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        (discord_voice.MODES, "aead_aes256_gcm_rtpsize"),  # the one Discord prefers
        (("aead_xchacha20_poly1305_rtpsize",), "aead_xchacha20_poly1305_rtpsize"),  # no AES there
    ],
)
async def test_say_in_a_voice_channel_arrives_as_the_speech_mimo_returned(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    offered: tuple[str, ...],
    chosen: str,
) -> None:
    discord_api.voice.modes = offered
    *_, played = await alice_says_in_voice(
        discord_api, server, mimo, sqlite_url, "Hello, voice channel"
    )

    assert played.content == f"Played in <#{server.lounge}>."
    [call] = discord_api.voice.calls
    assert call.faults == []  # no Ogg header among the frames, nothing a server would drop
    assert call.grant.channel_id == server.lounge
    assert call.mode == chosen
    assert all(frame.e2ee for frame in call.speech)  # DAVE from the first frame
    [wav] = mimo.tts_wavs
    assert_sounds_like(call, wav)
    assert discord_api.voice.close_codes == [1000]  # the bot left when it had played it


async def test_say_in_a_voice_channel_is_heard_from_its_first_slice_and_its_note_sent_whole(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Issue 96: MiMo streams /say's speech in slices and holds the rest after the first. The
    voice channel hears it begin meanwhile; the voice message comes once all of it came, made
    of the same one request, and the channel hears the whole clip without a gap."""
    mimo.tts_stream, mimo.tts_slices_hold = "slices", asyncio.Event()
    alice = discord_api.add_member(server, "alice")
    await discord_api.join_voice(server, alice, server.lounge)
    voice = discord_api.voice
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        said = await discord_api.slash(
            server.general, alice, "say", text="Hello, voice channel", in_voice_channel=True
        )
        call = await voice.wait_until(lambda: voice.calls and voice.calls[0], what="the call")
        await voice.wait_until(lambda: len(call.speech) >= 5, what="the clip beginning")
        notes_by_then = [m for m in said.visible if m.is_voice_message]
        made_by_then = mimo.tts_streams_ended
        mimo.tts_slices_hold.set()
        _ack, note, played = await said.wait_for_messages(count=3)

    assert made_by_then == 0  # heard before MiMo had made it all
    assert notes_by_then == []  # the voice message waits for the last slice
    assert played.content == f"Played in <#{server.lounge}>."
    [wav] = mimo.tts_wavs
    [request] = mimo.calls("mimo-v2.5-tts")
    assert request["stream"] is True
    [clip] = note.attachments  # the whole clip, the one request's
    spoken, rate = clip_pcm(wav)
    assert note.is_voice_message and clip.duration_secs == pytest.approx(
        len(spoken) / 2 / rate, abs=0.1
    )
    assert_sounds_like(call, wav)


async def test_say_whose_stream_is_cut_mid_way_ends_its_clip_tells_the_chat_and_counts_it(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """MiMo's stream of /say's speech breaks after three slices: the channel hears those, the
    clip ending there, and the chat is told as for any /say MiMo failed. The server's day
    counts the characters MiMo was asked to speak, as MiMo bills a broken stream (issue 103:
    it gave them all back, though the channel heard the first slices)."""
    mimo.tts_stream, mimo.tts_cut_after = "slices", 3
    alice = discord_api.add_member(server, "alice")
    await discord_api.join_voice(server, alice, server.lounge)
    voice = discord_api.voice
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        said = await discord_api.slash(
            server.general, alice, "say", text="Hello, voice channel", in_voice_channel=True
        )
        answers = await said.wait_for_messages(count=1)
        call = await voice.wait_until(lambda: voice.calls and voice.calls[0], what="the call")
        await voice.wait_until(lambda: call.frames and call.frames[-1].opus == OPUS_SILENCE,
                               what="the clip's end")  # fmt: skip

    [told] = answers  # no voice message of half a sentence
    assert told.content == (
        "The speech service is not responding right now. Please try again in a few minutes."
    )
    assert len(call.pcm()) / 2 / SAMPLE_RATE == pytest.approx(3 * 0.2, abs=0.05)  # what came
    assert len(said.visible) == 1
    [asked] = mimo.calls("mimo-v2.5-tts")
    spoken = asked["messages"][-1]["content"]
    assert await speech_counted(sqlite_url, place_of(guild_id=server.id).chat_id) == len(spoken)


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


async def test_say_in_a_voice_channel_joins_deafened_plays_and_leaves(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    alice = discord_api.add_member(server, "alice")
    bob = discord_api.add_member(server, "bob")
    await discord_api.join_voice(server, alice, server.lounge)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        said = await discord_api.slash(
            server.general, alice, "say", text="Hello, voice channel", in_voice_channel=True
        )
        _, voice, played = await said.wait_for_messages(count=3)
        away = await discord_api.slash(server.general, bob, "say", text="Hi", in_voice_channel=True)
        *_, not_joined = await away.wait_for_messages(count=3)

    assert voice.is_voice_message
    assert played.content == f"Played in <#{server.lounge}>." and played.ephemeral
    joined, left = discord_api.voice_state_requests
    assert int(joined["channel_id"]) == server.lounge and joined["self_deaf"] is True
    assert left["channel_id"] is None
    [call] = discord_api.voice.calls
    [clip] = voice.attachments
    assert clip.duration_secs is not None
    assert len(call.speech) == pytest.approx(clip.duration_secs * 50, abs=3)  # 20 ms each
    assert not_joined.content == "Join a voice channel first, then ask again with in_voice_channel."


async def playing(discord_api: FakeDiscord) -> Call:
    """The newest call, once a fifth of a second of its clip has arrived."""
    voice = discord_api.voice
    return await voice.wait_until(  # type: ignore[no-any-return]
        lambda: voice.calls[-1] if voice.calls and len(voice.calls[-1].speech) > 10 else None,
        what="a clip playing",
    )


async def test_one_play_at_a_time_in_a_server_and_the_next_is_told_so(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    alice, bob = discord_api.add_member(server, "alice"), discord_api.add_member(server, "bob")
    for member in (alice, bob):
        await discord_api.join_voice(server, member, server.lounge)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        first = await discord_api.slash(
            server.general, alice, "say", text=LONG_CLIP, in_voice_channel=True
        )
        await playing(discord_api)
        second = await discord_api.slash(
            server.general, bob, "say", text="Two", in_voice_channel=True
        )
        *_, busy = await second.wait_for_messages(count=3)
        *_, played = await first.wait_for_messages(count=3, timeout=30)

    assert busy.content == (
        "I am already speaking in a voice channel in this server; try again when I have finished."
    )
    assert played.content == f"Played in <#{server.lounge}>."
    assert len(discord_api.voice.calls) == 1


async def test_say_in_voice_and_listening_are_occupants_of_one_call_and_refuse_each_other(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """/say in a voice channel takes the server's call from the core's `VoiceCalls` like the
    reading and the listening: while it plays, /listen is refused; while the bot listens,
    /say in a voice channel is told the bot is busy (its voice message is sent all the
    same)."""
    alice, bob = discord_api.add_member(server, "alice"), discord_api.add_member(server, "bob")
    for member in (alice, bob):
        await discord_api.join_voice(server, member, server.lounge)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        saying = await discord_api.slash(
            server.general, alice, "say", text=LONG_CLIP, in_voice_channel=True
        )
        await playing(discord_api)
        refused = await discord_api.slash(server.general, bob, "listen")
        [not_listening] = await refused.wait_for_messages(count=1)
        *_, played = await saying.wait_for_messages(count=3, timeout=30)
        listening = await discord_api.slash(server.general, bob, "listen")
        [listens] = await listening.wait_for_messages(count=1)
        said = await discord_api.slash(
            server.general, alice, "say", text="Two", in_voice_channel=True
        )
        *_, busy = await said.wait_for_messages(count=3)
        await discord_api.slash(server.general, bob, "stop_listening")

    assert not_listening.content == (
        "I am already in a voice channel in this server; try again when I have left it."
    )
    assert played.content == f"Played in <#{server.lounge}>."
    assert listens.content.startswith(f"I am listening in <#{server.lounge}>")
    assert busy.content == (
        "I am already speaking in a voice channel in this server; try again when I have finished."
    )


async def test_a_play_holds_one_of_the_ffmpeg_processes_it_may_run(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """With FFMPEG_MAX_PROCESSES=1, the ffmpeg of a play in one server holds the only slot: a
    voice note made for another server waits until the play ends."""
    alice = discord_api.add_member(server, "alice")
    await discord_api.join_voice(server, alice, server.lounge)
    other = discord_api.add_guild("Elsewhere")
    carol = discord_api.add_member(other, "carol")
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, ffmpeg_max_processes=1
    )
    async with discord_bot_online(settings, discord_api, voice_client=installed_voice_client()) as (
        _,
        runtime,
    ):
        first = await discord_api.slash(
            server.general, alice, "say", text=LONG_CLIP, in_voice_channel=True
        )
        await playing(discord_api)
        waiting = await discord_api.slash(other.general, carol, "say", text="Two")
        await until(lambda: runtime.processes.waiting == 1, "Carol's voice note waiting")
        sent_while_playing = list(waiting.visible)
        still_playing = len(first.visible) < 3  # no "Played in" yet
        _, voice = await waiting.wait_for_messages(count=2, timeout=30)
        await first.wait_for_messages(count=3, timeout=30)

    assert still_playing
    assert sent_while_playing == []
    assert voice.is_voice_message


async def test_a_missing_permission_in_the_voice_channel_is_named_and_nothing_is_joined(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    await discord_api.deny_in_channel(server.lounge, discord_api.application_id, SPEAK)
    _, voice, told = await alice_says_in_voice(discord_api, server, mimo, sqlite_url)

    assert voice.is_voice_message  # the voice message is sent whatever happens
    assert told.content == f"I need the Speak permission in <#{server.lounge}> for that."
    assert told.ephemeral
    assert discord_api.voice_state_requests == []


async def test_a_voice_server_out_of_reach_is_explained_and_left(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nothing listens where Discord says the voice server is: discord.py gives up, and the bot
    leaves the channel it asked to join."""
    [nowhere] = free_ports()
    monkeypatch.setattr(discord_api.voice, "port", nowhere)  # VOICE_SERVER_UPDATE names it
    _, voice, failed = await alice_says_in_voice(discord_api, server, mimo, sqlite_url)

    assert voice.is_voice_message
    assert (
        failed.content == f"I could not play it in <#{server.lounge}>: the voice connection failed."
    )
    assert discord_api.voice.calls == []
    joined, left = discord_api.voice_state_requests
    assert int(joined["channel_id"]) == server.lounge and left["channel_id"] is None


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
    monkeypatch.setattr(speech_playback, "CALL_CHECK_SECONDS", 60.0)
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
    monkeypatch.setattr(text_to_speech, "NOTE_CHARS", 100)  # two voice messages, for a short test
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


@pytest.mark.parametrize("hz", _VOICE_HZ)
async def test_every_voice_of_the_stand_in_comes_through_opus_evenly_loud(hz: int) -> None:
    """The tests that listen to a call read an uneven clip as a fault, so the stand-in's voices
    must be tones Opus carries evenly: made into a voice note and played as the bot plays it
    (`ClipAudio`), each is as loud at its end as at its start. (A 250 Hz tone was not: the
    encoder's pitch pre-filter doubled it from 0.7 s on, and a clone given that voice at random
    failed a test one run in ten.)"""
    processes = FfmpegProcesses(1)
    note = await to_voice_note(_wav(_tone(3.0, hz)), processes=processes)
    clip = ClipAudio(note.data, ffmpeg=processes.executable)
    packets = list(iter(clip.read, b""))
    clip.cleanup()
    inner = envelope(decode_opus(packets), SAMPLE_RATE)[2:-2]
    level = median(inner)
    assert [round(w) for w in inner if not 0.8 * level < w < 1.2 * level] == []
