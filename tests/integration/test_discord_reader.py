"""The channel reader end to end: the bot `voicebridge run` builds, with discord.py's real voice
client, against the Discord stand-in and its voice server (`tests.standins.discord_voice`),
which decrypts what arrives and decodes its Opus frames: what a listener in the voice channel
hears, clip by clip."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from statistics import median

import pytest

from bots.discord.place_access import place_of
from tests.audio_factory import make_audio
from tests.integration.chatlog_db import query, speech_counted
from tests.integration.conftest import discord_settings, running_discord
from tests.integration.test_discord_voice_wire import clip_pcm, envelope, pitch
from tests.integration.test_voices_discord import clone_on_discord
from tests.processes import ffmpeg_children
from tests.scenarios.discord_bot import Members, posted_in
from tests.standins.discord_api import (
    READ_MESSAGE_HISTORY,
    SPEAK,
    FakeDiscord,
    Guild,
)
from tests.standins.discord_voice import OPUS_SILENCE, SAMPLE_RATE, Call, Frame, decode_opus
from tests.standins.mimo import FakeMimo
from tests.waiting import until

TTS, CLONE = "mimo-v2.5-tts", "mimo-v2.5-tts-voiceclone"


def _clips(call: Call) -> list[list[Frame]]:
    """The frames of each clip a listener heard (discord.py ends every clip with silence
    frames)."""
    runs = itertools.groupby(call.frames, key=lambda frame: frame.opus == OPUS_SILENCE)
    return [list(frames) for silent, frames in runs if not silent]


def clip_frames(call: Call) -> list[list[bytes]]:
    """The Opus frames of each clip a listener heard."""
    return [[frame.opus for frame in clip] for clip in _clips(call)]


def first_clip_after(call: Call, moment: float) -> int:
    """How many frames of `call`'s first clip the voice server received after `moment`
    (`time.monotonic`, as an interaction's `answered_at`). Counted from the bot's answer, not
    from the command's sending: a clip plays on a thread of its own, at its pace however busy
    the machine, while the command makes its way to the bot."""
    return sum(frame.at > moment for frame in _clips(call)[0])


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
    uneven = [(i, round(window)) for i, window in enumerate(inner) if not
              0.8 * level < window < 1.2 * level]  # fmt: skip
    assert not uneven, f"windows (index, level) off {level:.0f}, of {len(inner)}: {uneven}"


def spoken_requests(mimo: FakeMimo) -> list[tuple[str, str]]:
    """Each speech request: (the voice, "clone" for a member's own; the text)."""
    said = []
    for body in mimo.calls("mimo-v2.5-tts"):
        voice = "clone" if body["model"] == CLONE else str(body["audio"]["voice"])
        said.append((voice, str(body["messages"][-1]["content"])))
    return said


async def heard_clips(discord_api: FakeDiscord, count: int) -> Call:
    """The bot's call once `count` clips have been heard whole in it."""

    def done() -> Call | None:
        calls = discord_api.voice.calls
        whole = calls and clip_ended(calls[-1]) and len(clip_frames(calls[-1])) >= count
        return calls[-1] if whole else None

    return await discord_api.voice.wait_until(done, timeout=30, what=f"{count} clips heard")  # type: ignore[no-any-return]


def clip_ended(call: Call) -> bool:
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
        no_voice_yet = await members.answer(ann, "myvoice", own_voice=True)
        posted = await discord_api.post_voice_message(server.general, ann, recording, duration=3)
        await clone_on_discord(discord_api, server, ann, posted, "AnnVoice", tmp_path)
        own = await members.answer(ann, "myvoice", own_voice=True)
        chosen = await members.answer(bob, "myvoice", name="Dean")
        started = await members.answer(ann, "read_channel")  # the voice channel's own chat
        await discord_api.post_message(server.lounge, ann, "Hello everyone")
        await discord_api.post_message(server.lounge, ann, "Over here")
        await discord_api.post_message(server.lounge, bob, "Hi Ann, see https://example.com")
        await discord_api.post_message(server.general, bob, "Not the channel being read")
        call = await heard_clips(discord_api, 3)
        nothing_to_skip = await members.answer(ann, "skip")
        stopped = await members.answer(ann, "stop")

    assert no_voice_yet.content == (
        "You have no voice of your own in this server yet: use Apps → Clone this voice on a "
        "voice message you recorded to make one."
    )
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
    assert left_by_itself(discord_api)


def left_by_itself(discord_api: FakeDiscord) -> bool:
    """The bot left its voice channel (op 4 with no channel on the main gateway) and closed its
    one voice connection itself. discord.py closes it with 1000; when it does so while its own
    poller waits on the socket (Python 3.12 and later, where `asyncio.wait_for` no longer runs
    the wait in a task of its own), aiohttp's reader sends the close first, with discord.py's
    default code, 4000. Either way the bot has left; the stand-in's own codes (4014 and the
    like) would mean it was put out."""
    left = discord_api.voice_state_requests[-1]["channel_id"] is None
    return left and discord_api.voice.close_codes in ([1000], [4000])


async def in_lounge(discord_api: FakeDiscord, server: Guild, *names: str) -> list[int]:
    members = [discord_api.add_member(server, name) for name in names]
    for member in members:
        await discord_api.join_voice(server, member, server.lounge)
    return members


async def reading_a_long_story(
    discord_api: FakeDiscord, server: Guild, ann: int, *then: str
) -> None:
    """Ann has the Lounge's chat read, posts a long story and `then` the messages after it;
    returns once the story plays."""
    await Members(discord_api, server.general).answer(ann, "read_channel")
    for message in ("A long story, " * 14, *then):
        await discord_api.post_message(server.lounge, ann, message)
    await discord_api.voice.wait_until(lambda: len(discord_api.voice.calls[-1].speech) > 10,
                                       what="the long story playing")  # fmt: skip


async def test_the_bot_unmuted_where_it_reads_its_voice_channels_chat_reads_on(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """An outside review: any change of the bot's own voice state in its voice channel (a
    moderator's server mute or unmute, a reconnect) was taken for a move to another channel,
    and let go of its chat's messages: the story playing cut, the next never heard."""
    [ann] = await in_lounge(discord_api, server, "Ann")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await reading_a_long_story(discord_api, server, ann, "The end")
        await until(lambda: len(spoken_requests(mimo)) == 2, "the end made ahead")
        await discord_api.server_mute(server, discord_api.application_id, False)
        call = await heard_clips(discord_api, 2)

    story, the_end = clips(call)
    assert_heard_as_spoken(story, mimo.tts_wavs[0])
    assert_heard_as_spoken(the_end, mimo.tts_wavs[1])


async def test_a_message_deleted_before_it_comes_up_is_never_read(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Issue 57, finding 5: "my password is hunter2", deleted while it waited in the queue, was
    spoken all the same. Now neither it nor two messages a moderator purged at once are heard,
    nor the rest of a message deleted while it plays."""
    [ann] = await in_lounge(discord_api, server, "Ann")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await Members(discord_api, server.general).answer(ann, "read_channel")
        story = await discord_api.post_message(server.lounge, ann, "A long story, " * 14)
        password = await discord_api.post_message(server.lounge, ann, "my password is hunter2")
        pins = [await discord_api.post_message(server.lounge, ann, f"my pin is {pin}")
                for pin in ("1234", "5678")]  # fmt: skip
        await discord_api.post_message(server.lounge, ann, "The end")
        await discord_api.voice.wait_until(lambda: len(discord_api.voice.calls[-1].speech) > 10,
                                           what="the long story playing")  # fmt: skip
        await until(lambda: len(spoken_requests(mimo)) == 2, "the password made ahead")
        await discord_api.delete_message(password)
        await discord_api.purge_messages(pins)
        await discord_api.delete_message(story)
        call = await heard_clips(discord_api, 2)

    said = [text for _, text in spoken_requests(mimo)]
    cut, the_end = clips(call)
    assert_heard_as_spoken(the_end, mimo.tts_wavs[said.index("The end")])
    spoken_seconds = len(clip_pcm(mimo.tts_wavs[0])[0]) / 2 / clip_pcm(mimo.tts_wavs[0])[1]
    assert len(cut) / 2 / SAMPLE_RATE < spoken_seconds - 1
    assert not any("pin" in text for text in said)


async def test_a_clip_made_ahead_then_deleted_ends_its_mimo_stream_before_it_comes_up(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Issue 96's outside review: a message made into speech ahead, then deleted, kept MiMo
    streaming its speech until it came up (only the finished making was cancelled). Now its
    stream is closed at once: MiMo sees it dropped while the story before it still plays."""
    [ann] = await in_lounge(discord_api, server, "Ann")
    mimo.tts_stream, mimo.tts_pace = "slices", 1.0  # each clip streamed as fast as it plays
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await reading_a_long_story(discord_api, server, ann)
        secret = await discord_api.post_message(server.lounge, ann, "A secret, " * 20)
        await until(lambda: len(mimo.tts_slices_sent) == 2 and mimo.tts_slices_sent[1] >= 3,
                    "the secret made ahead, its stream under way")  # fmt: skip
        await discord_api.delete_message(secret)
        await until(lambda: mimo.tts_streams_dropped == 1, "the secret's stream dropped")
        playing = discord_api.voice.calls[-1]
        story_still_playing = not clip_ended(playing) and len(clip_frames(playing)) == 1
        call = await heard_clips(discord_api, 1)

    assert story_still_playing
    assert mimo.tts_slices_sent[1] < len(clip_pcm(mimo.tts_wavs[1])[0]) // (2 * 4800)
    assert len(clips(call)) == 1  # the secret never heard


async def test_a_message_edited_before_it_comes_up_is_read_as_it_stands_then(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Issue 57, finding 5: an edit before a message came up was not heard. Edited after it was
    made into speech, it is made again; edited while it waits, it is made as edited."""
    [ann] = await in_lounge(discord_api, server, "Ann")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await Members(discord_api, server.general).answer(ann, "read_channel")
        await discord_api.post_message(server.lounge, ann, "A long story, " * 14)
        meeting = await discord_api.post_message(server.lounge, ann, "See you at five")
        waiting = await discord_api.post_message(server.lounge, ann, "Bring the cake")
        await discord_api.voice.wait_until(lambda: len(discord_api.voice.calls[-1].speech) > 10,
                                           what="the long story playing")  # fmt: skip
        await until(lambda: len(spoken_requests(mimo)) == 2, "the next message made ahead")
        await discord_api.edit_message(meeting, "See you at half past six instead")
        await discord_api.edit_message(waiting, "Bring the cake and the candles")
        call = await heard_clips(discord_api, 3)

    said = [text for _, text in spoken_requests(mimo)]
    assert said[1:] == [
        "See you at five",
        "See you at half past six instead",
        "Bring the cake and the candles",
    ]
    _, meeting_heard, cake = clips(call)
    assert_heard_as_spoken(meeting_heard, mimo.tts_wavs[2])
    assert_heard_as_spoken(cake, mimo.tts_wavs[3])


async def test_a_message_posted_while_another_plays_is_made_before_that_one_ends(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Issue 96: a message posted while the one before it played was asked of MiMo only once
    that one ended, and a silence as long as its first slice took came between them. Now its
    speech is asked for as it arrives, while the long story still plays, and both are heard
    whole, in order."""
    [ann] = await in_lounge(discord_api, server, "Ann")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await reading_a_long_story(discord_api, server, ann)
        await discord_api.post_message(server.lounge, ann, "The end")
        await until(lambda: len(spoken_requests(mimo)) == 2, "the late message made")
        playing = discord_api.voice.calls[-1]
        story_still_playing = not clip_ended(playing) and len(clip_frames(playing)) == 1
        call = await heard_clips(discord_api, 2)

    assert story_still_playing  # the story is some ten seconds long
    assert [text for _, text in spoken_requests(mimo)][1] == "The end"
    story, the_end = clips(call)
    assert_heard_as_spoken(story, mimo.tts_wavs[0])
    assert_heard_as_spoken(the_end, mimo.tts_wavs[1])


async def in_her_own_voice(
    discord_api: FakeDiscord, server: Guild, members: Members, ann: int, folder: Path
) -> None:
    """Ann's voice cloned ("AnnVoice") from a voice message of hers, and let read her."""
    recording = make_audio(folder, fmt="ogg", seconds=3).read_bytes()
    posted = await discord_api.post_voice_message(server.general, ann, recording, duration=3)
    await clone_on_discord(discord_api, server, ann, posted, "AnnVoice", folder)
    await members.answer(ann, "myvoice", own_voice=True)


async def hers_made_ahead_while_bobs_story_plays(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, members: Members, ann: int, bob: int
) -> None:
    """Bob has the Lounge's chat read and posts a long story; Ann posts as it plays: returns
    once her message is made into speech, before it comes up."""
    await members.answer(bob, "read_channel")
    await discord_api.post_message(server.lounge, bob, "A long story, " * 14)
    await discord_api.voice.wait_until(lambda: len(discord_api.voice.calls[-1].speech) > 10,
                                       what="the long story playing")  # fmt: skip
    await discord_api.post_message(server.lounge, ann, "Meet me at noon")
    await until(lambda: len(spoken_requests(mimo)) == 2, "Ann's message made ahead")


def assert_cut_short_then_heard_again(call: Call, mimo: FakeMimo) -> None:
    """The first clip stopped a second or more before its end; the second is MiMo's next."""
    cut, again = clips(call)
    spoken, rate = clip_pcm(mimo.tts_wavs[0])
    assert len(cut) / 2 / SAMPLE_RATE < len(spoken) / 2 / rate - 1  # cut short
    assert_heard_as_spoken(again, mimo.tts_wavs[1])


async def test_a_clip_made_ahead_in_an_own_voice_is_not_heard_in_it_once_its_owner_says_no(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """Ann lets her own cloned voice read her, and posts while Bob's long story plays: her
    message is made ahead in her voice. She says no (/myvoice own_voice:False) before it
    comes up: it is made again and heard in one of the model's voices, never in hers."""
    ann, bob = await in_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await in_her_own_voice(discord_api, server, members, ann, tmp_path)
        await hers_made_ahead_while_bobs_story_plays(discord_api, server, mimo, members, ann, bob)
        await members.answer(ann, "myvoice", own_voice=False)
        call = await heard_clips(discord_api, 2)

    said = spoken_requests(mimo)
    assert said[1] == ("clone", "Ann says: Meet me at noon")
    assert said[2][0] != "clone" and said[2][1] == "Ann says: Meet me at noon"
    _story, meeting = clips(call)
    assert_heard_as_spoken(meeting, mimo.tts_wavs[-1])  # the model's voice, made anew


async def test_an_own_voice_playing_is_cut_by_its_owners_no_and_read_again_in_another(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """Ann's long message plays in her own cloned voice; she takes that back (/myvoice
    own_voice:False): it stops at once, and is read again from its start in one of the model's
    voices."""
    [ann] = await in_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await in_her_own_voice(discord_api, server, members, ann, tmp_path)
        await reading_a_long_story(discord_api, server, ann)
        await members.answer(ann, "myvoice", own_voice=False)
        call = await heard_clips(discord_api, 2)

    said = spoken_requests(mimo)
    story = "Ann says: " + ("A long story, " * 14).strip()
    assert said == [("clone", story), (said[1][0], story)] and said[1][0] != "clone"
    assert_cut_short_then_heard_again(call, mimo)


@pytest.mark.parametrize("gone_by", ["delete_voice", "forget"])
async def test_an_own_voice_playing_is_cut_once_the_voice_is_deleted_and_read_again_in_another(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path,
    gone_by: str,
) -> None:  # fmt: skip
    """Issue 96's outside review: deleting the voice (`/delete_voice`, by its owner) or the
    server's voices (`/forget`, by a moderator) left a clip playing in it to play whole. Now it
    stops at once, and is read again from its start in one of the model's voices."""
    [ann] = await in_lounge(discord_api, server, "Ann")
    dee = discord_api.add_member(server, "Dee", manage_guild=True)
    members = Members(discord_api, server.general)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await in_her_own_voice(discord_api, server, members, ann, tmp_path)
        await reading_a_long_story(discord_api, server, ann)
        if gone_by == "delete_voice":
            await members.answer(ann, "delete_voice", name="AnnVoice")
        else:
            asked = await discord_api.slash(server.general, dee, "forget")
            await asked.wait_for_messages()
        call = await heard_clips(discord_api, 2)

    said = spoken_requests(mimo)
    story = ("A long story, " * 14).strip()
    assert said[0] == ("clone", "Ann says: " + story)
    assert said[1][0] != "clone" and said[1][1].endswith(story)
    assert_cut_short_then_heard_again(call, mimo)


async def test_a_clip_made_ahead_in_a_deleted_own_voice_is_made_again_in_her_other_one(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """Issue 96's outside review: whether a clip made ahead may still speak in its author's own
    voice was read as "has she any own voice she allows", loading its whole sample. Ann has
    two, and deletes the one her message was made in before it comes up: it was heard in the
    deleted voice all the same. Now that very voice is asked for: the clip is made again, in
    her other voice."""
    ann, bob = await in_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        for name, freq in (("AnnVoice", 220), ("AnnOther", 330)):
            folder = tmp_path / name
            folder.mkdir()
            sample = make_audio(folder, fmt="ogg", seconds=3, freq=freq).read_bytes()
            posted = await discord_api.post_voice_message(server.general, ann, sample, duration=3)
            await clone_on_discord(discord_api, server, ann, posted, name, folder)
        await members.answer(ann, "myvoice", own_voice=True)
        await hers_made_ahead_while_bobs_story_plays(discord_api, server, mimo, members, ann, bob)
        await members.answer(ann, "delete_voice", name="AnnVoice")
        call = await heard_clips(discord_api, 2)

    said = spoken_requests(mimo)
    assert said[1:] == [("clone", "Ann says: Meet me at noon")] * 2  # made again...
    samples = [body["audio"]["voice"] for body in mimo.calls("mimo-v2.5-tts")]
    assert samples[2] != samples[1]  # ...from her other voice's sample
    _story, meeting = clips(call)
    assert_heard_as_spoken(meeting, mimo.tts_wavs[2])


async def test_skip_cuts_the_message_being_read_and_the_next_one_follows(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    [ann] = await in_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        mimo.tts_stream, mimo.tts_pace = "slices", 4.0  # still making the story when skipped
        await reading_a_long_story(discord_api, server, ann, "The end")
        skipped = await members.answer(ann, "skip")
        call = await heard_clips(discord_api, 2)
        usage = await discord_api.slash(server.general, ann, "usage")
        await usage.wait_for_messages()

    assert skipped.content == "Skipped."
    # MiMo was asked for the whole story and made it: skipped, it still counts in the day.
    made = sum(len(text) for _, text in spoken_requests(mimo))
    assert f"Speech: {made:,} of " in "\n".join(m.content for m in usage.visible)
    long_one, the_end = clips(call)
    spoken_seconds = [len(clip_pcm(wav)[0]) / 2 / clip_pcm(wav)[1] for wav in mimo.tts_wavs]
    assert len(long_one) / 2 / SAMPLE_RATE < spoken_seconds[0] - 1  # cut short
    assert_heard_as_spoken(the_end, mimo.tts_wavs[1])  # whole
    assert [text for _, text in spoken_requests(mimo)][1] == "The end"


async def test_a_long_message_skipped_counts_the_pieces_mimo_was_asked_for_and_no_more(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Issue 96's outside review: a long message is asked of MiMo four pieces at a time, and
    skipped once MiMo began, it counted whole in the day, pieces never asked for too. Now the
    day counts exactly the characters of the pieces asked for: here the first four of six,
    each held by MiMo after its first slice."""
    [ann] = await in_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    mimo.tts_stream, mimo.tts_slices_hold = "slices", asyncio.Event()
    tale = " ".join(f"Part {n} of the tale goes on and on here." for n in range(1, 7))
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, tts_piece_chars=50
    )
    guild = place_of(guild_id=server.id).chat_id

    async def counted() -> int:
        rows = await query(sqlite_url, "SELECT tts_chars FROM chat_usage WHERE chat_id = :chat",
                           chat=guild)  # fmt: skip
        return sum(row[0] for row in rows)

    async with running_discord(settings, discord_api):
        await members.answer(ann, "read_channel")
        await discord_api.post_message(server.lounge, ann, tale)
        await until(lambda: len(spoken_requests(mimo)) == 4, "four pieces asked")
        await discord_api.voice.wait_until(
            lambda: discord_api.voice.calls and len(discord_api.voice.calls[-1].speech) >= 5,
            what="the tale's first slice playing",
        )
        whole = await counted()  # reserved whole as it began
        skipped = await members.answer(ann, "skip")
        for _ in range(300):  # the count is settled once the feed has stopped
            if (after := await counted()) != whole:
                break
            await asyncio.sleep(0.05)
        asked = [words for _, words in spoken_requests(mimo)]

    assert skipped.content == "Skipped."
    assert len(asked) == 4  # of six: the rest waited for the first ones
    assert whole > sum(map(len, asked))  # the six pieces' characters
    assert after == sum(map(len, asked))


async def test_a_message_whose_stream_breaks_after_slices_played_counts_what_mimo_was_asked(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Issue 103: MiMo's stream of a message breaks after three slices (the connection
    dropped). The channel heard those; the server's day counts the characters MiMo was asked
    to speak, as MiMo bills a broken stream, once: it gave them all back."""
    [ann] = await in_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    mimo.tts_stream, mimo.tts_cut_after = "slices", 3
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await members.answer(ann, "read_channel")
        await discord_api.post_message(server.lounge, ann, "A message MiMo breaks off")
        call = await heard_clips(discord_api, 1)  # counted by then: before the clip ended

    [(_, asked)] = spoken_requests(mimo)
    [heard] = clips(call)
    assert len(heard) / 2 / SAMPLE_RATE == pytest.approx(3 * 0.2, abs=0.05)  # what came
    assert await speech_counted(sqlite_url, place_of(guild_id=server.id).chat_id) == len(asked)


async def test_nothing_is_played_before_the_call_is_end_to_end_encrypted(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Until the bot is in the call's DAVE group, discord.py would send its speech unencrypted
    end to end: the bot waits for it, and when the group keeps it out too long, says in one
    line that a message could not be played and goes on with the next."""
    [ann] = await in_lounge(discord_api, server, "Ann")
    held = discord_api.voice.hold_groups()
    members = Members(discord_api, server.general)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await members.answer(ann, "read_channel", channel=server.lounge)
        await discord_api.post_message(server.lounge, ann, "Hello everyone")
        not_played = "I could not play a message aloud, so I went on with the next one."
        await discord_api.wait_until(
            lambda: not_played in discord_api.contents(server.lounge), timeout=60, what="told"
        )
        held.set()  # the bot joins the group
        await discord_api.post_message(server.lounge, ann, "Over here")
        call = await heard_clips(discord_api, 1)

    assert [frame.sequence for frame in call.speech if not frame.e2ee] == []
    [heard] = clips(call)
    assert_heard_as_spoken(heard, mimo.tts_wavs[-1])  # "Over here", whole
    assert discord_api.contents(server.lounge).count(not_played) == 1


async def test_a_bot_stopped_mid_message_leaves_no_ffmpeg_behind(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    [ann] = await in_lounge(discord_api, server, "Ann")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await reading_a_long_story(discord_api, server, ann)
        assert len(ffmpeg_children()) == 1
    # The bot has stopped: the reading ended, and the clip's ffmpeg with it, not later.

    assert ffmpeg_children() == []


async def test_a_full_queue_lets_the_oldest_go_and_says_so_once(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    [ann] = await in_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, discord_reader_queue=1
    )
    async with running_discord(settings, discord_api):
        await members.answer(ann, "read_channel")
        mimo.release = asyncio.Event()  # the first message is being spoken meanwhile
        await discord_api.post_message(server.lounge, ann, "one")
        await until(lambda: spoken_requests(mimo), "the first message being spoken")
        for word in ("two", "three", "four"):
            await discord_api.post_message(server.lounge, ann, word)
        await discord_api.wait_for_messages(server.lounge)
        mimo.release.set()
        await heard_clips(discord_api, 2)

    assert [text for _, text in spoken_requests(mimo)] == ["Ann says: one", "four"]
    assert posted_in(discord_api, server.lounge) == [
        "Messages are coming faster than I can read them aloud, so I skip the oldest."
    ]


async def test_whose_messages_are_read_the_servers_rules_and_each_members_word(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    ann, bob, carol = await in_lounge(discord_api, server, "Ann", "Bob", "Carol")
    admin = discord_api.add_member(server, "admin", manage_guild=True)
    other_bot = discord_api.add_member(server, "Jukebox", bot=True)
    members = Members(discord_api, server.general)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)

    async def unread_then(sentinel: int, text: str, count: int) -> None:
        await discord_api.post_message(server.lounge, sentinel, text)
        await until(lambda: len(spoken_requests(mimo)) >= count, f"{text!r} read")

    async with running_discord(settings, discord_api):
        opted_out = await members.answer(carol, "read_me", allowed=False)
        await members.answer(ann, "read_channel")
        await discord_api.post_message(server.lounge, other_bot, "Now playing: a song")
        await discord_api.post_webhook_message(server.lounge, "News", "Breaking news")
        await discord_api.post_message(server.lounge, ann, "!play a song")
        await discord_api.post_message(server.lounge, carol, "Do not read me")
        await unread_then(bob, f"<@{ann}> **hello** ||secret||", 1)
        refused = await members.answer(bob, "read_settings", bots=True)
        changed = await members.answer(admin, "read_settings", bots=True, webhooks=True,
                                       commands=True)  # fmt: skip
        await discord_api.post_message(server.lounge, other_bot, "Now playing: a song")
        await discord_api.post_webhook_message(server.lounge, "News", "Breaking news")
        await unread_then(ann, "!play a song", 4)

    assert opted_out.content.startswith("I do not read your messages aloud in voice channels")
    assert refused.content == "Changing this server's settings needs the Manage Server permission."
    assert changed.content == (
        "Besides the members' messages, I read aloud:\n• other bots' messages: on\n"
        "• webhooks' messages: on\n• commands to other bots (!play, .help): on"
    )
    said = spoken_requests(mimo)
    assert [text for _, text in said] == [
        "Bob says: Ann hello a spoiler",
        "Jukebox says: Now playing: a song",
        "News says: Breaking news",
        "Ann says: !play a song",
    ]
    assert len({voice for voice, _ in said}) == 4  # four speakers, four voices


async def test_the_bots_own_lines_are_never_read_even_where_other_bots_are(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Discord sends a bot its own messages too: with other bots' messages read aloud, the
    bot's own lines (transcripts, answers it posts in the channel read) still are not."""
    [ann] = await in_lounge(discord_api, server, "Ann")
    admin = discord_api.add_member(server, "admin", manage_guild=True)
    jukebox = discord_api.add_member(server, "Jukebox", bot=True)
    members = Members(discord_api, server.general)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await members.answer(admin, "read_settings", bots=True)
        await members.answer(ann, "read_channel")
        await discord_api.post_message(server.lounge, discord_api.application_id, "My own line")
        await discord_api.post_message(server.lounge, jukebox, "Now playing: a song")
        await until(lambda: spoken_requests(mimo), "the other bot's message read")

    assert [text for _, text in spoken_requests(mimo)] == ["Jukebox says: Now playing: a song"]


async def test_the_bot_leaves_as_soon_as_nobody_listens(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Nobody: no person. Another bot left behind in the voice channel is read to by nobody."""
    [ann] = await in_lounge(discord_api, server, "Ann")
    jukebox = discord_api.add_member(server, "Jukebox", bot=True)
    await discord_api.join_voice(server, jukebox, server.lounge)
    members = Members(discord_api, server.general)
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url,
        discord_reader_idle_seconds=3600.0,  # far away: only being alone can make it leave
    )  # fmt: skip
    async with running_discord(settings, discord_api):
        await members.answer(ann, "read_channel")
        await discord_api.voice.wait_until(lambda: discord_api.voice.calls, what="the call")
        await discord_api.leave_voice(server, ann)
        await discord_api.voice.wait_until(lambda: discord_api.voice.close_codes, what="leaving")
        not_reading = await members.answer(ann, "stop")

    assert [r["channel_id"] for r in discord_api.voice_state_requests] == [server.lounge, None]
    assert left_by_itself(discord_api)
    assert not_reading.content == "I am not reading anything aloud in this server."


async def test_the_bot_leaves_when_nothing_is_read_for_a_while(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    [ann] = await in_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url,
        discord_reader_idle_seconds=1.0,
    )  # fmt: skip
    async with running_discord(settings, discord_api):
        await members.answer(ann, "read_channel")
        await discord_api.voice.wait_until(lambda: discord_api.voice.close_codes, what="leaving")
        not_reading = await members.answer(ann, "stop")

    assert left_by_itself(discord_api)
    assert not_reading.content == "I am not reading anything aloud in this server."


async def test_a_moderators_disconnect_is_final_and_a_move_is_followed(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    ann, bob = await in_lounge(discord_api, server, "Ann", "Bob")
    bot = discord_api.application_id
    members = Members(discord_api, server.general)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        stage = await discord_api.add_voice_channel(server, "Upstairs")
        await discord_api.join_voice(server, bob, stage)
        await members.answer(ann, "read_channel")
        await discord_api.voice.wait_until(  # the call set up, its end-to-end encryption too
            lambda: discord_api.voice.calls and discord_api.voice.calls[0].dave.executed,
            what="the call in the Lounge",
        )
        await discord_api.move_in_voice(server, bot, stage)
        await discord_api.voice.wait_until(
            lambda: len(discord_api.voice.calls) == 2, what="the call in the new channel"
        )
        await discord_api.post_message(server.lounge, ann, "Left behind")
        await discord_api.post_message(stage, bob, "Up here")
        call = await heard_clips(discord_api, 1)
        await discord_api.disconnect_from_voice(server, bot)
        await discord_api.voice.wait_until(
            lambda: call.ws is not None and call.ws.closed, what="the call ended"
        )
        await discord_api.post_message(stage, bob, "Anyone?")
        not_reading = await members.answer(bob, "skip")

    assert call.grant.channel_id == stage
    assert [text for _, text in spoken_requests(mimo)] == ["Bob says: Up here"]
    assert_heard_as_spoken(clips(call)[0], mimo.tts_wavs[0])
    joined = [r["channel_id"] for r in discord_api.voice_state_requests if r["channel_id"]]
    assert joined == [server.lounge]  # and never again by itself
    assert not_reading.content == "I am not reading anything aloud in this server."


async def test_missing_permissions_are_named_and_nothing_is_joined(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    [bob] = await in_lounge(discord_api, server, "Bob")
    ann, carol = discord_api.add_member(server, "Ann"), discord_api.add_member(server, "Carol")
    quiet = await discord_api.add_voice_channel(server, "Quiet")
    await discord_api.join_voice(server, ann, quiet)
    await discord_api.deny_in_channel(quiet, discord_api.application_id, SPEAK)
    await discord_api.deny_in_channel(server.random, bob, READ_MESSAGE_HISTORY)
    members = Members(discord_api, server.general)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        no_speak = await members.answer(ann, "read_channel")
        hidden = await members.answer(bob, "read_channel", channel=server.random)
        not_in_voice = await members.answer(carol, "read_channel")

    assert no_speak.content == f"I need the Speak permission in <#{quiet}> for that."
    assert hidden.content == (
        f"That takes the Read Message History permission in <#{server.random}>: I read aloud "
        "only what you may read."
    )
    assert not_in_voice.content == "Join a voice channel first, then ask again."
    assert all(m.ephemeral for m in (no_speak, hidden, not_in_voice))
    assert discord_api.voice_state_requests == []


async def test_a_name_with_markdown_reads_as_typed_where_the_reader_names_it(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """The line saying a member's share of the server's speech is used names them as typed: a
    nickname like a link is escaped, no link and no bold."""
    [ann] = await in_lounge(discord_api, server, "Ann")
    await discord_api.set_nick(server, ann, "x** [Verify](https://x.io) **")
    members = Members(discord_api, server.general)
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url,
        daily_tts_chars=100, discord_reader_member_share=0.25,  # 25 characters each
    )  # fmt: skip
    async with running_discord(settings, discord_api):
        await members.answer(ann, "read_channel")
        await discord_api.post_message(server.lounge, ann, "Hello")  # her name says 29 more
        await until(lambda: posted_in(discord_api, server.lounge), "the line about her share")

    assert posted_in(discord_api, server.lounge) == [
        "I read no more of x\\*\\* \\[Verify\\]\\(https://x.io\\) \\*\\*'s messages aloud "
        "today: they have used their share of this server's read-aloud characters."
    ]
    assert spoken_requests(mimo) == []


async def test_a_used_up_speech_quota_is_said_once_and_the_reading_ends(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    [ann] = await in_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    settings = discord_settings(
        discord_api=discord_api,
        mimo=mimo,
        database_url=sqlite_url,
        daily_tts_chars=30,
        discord_reader_member_share=1.0,  # the server's quota alone
    )
    async with running_discord(settings, discord_api):
        await members.answer(ann, "read_channel")
        for text in (
            "Hello",
            "This one is longer than a whole day's speech",
            "Twelve chars",
            "Yes",
        ):
            await discord_api.post_message(server.lounge, ann, text)
        await discord_api.post_message(server.lounge, ann, "Past the quota")
        await discord_api.voice.wait_until(lambda: discord_api.voice.close_codes, what="leaving")
        await discord_api.post_message(server.lounge, ann, "After leaving")

    spoken = [text for _, text in spoken_requests(mimo)]
    assert spoken == ["Ann says: Hello", "Twelve chars", "Yes"]  # 30 characters in all
    too_long, used_up = posted_in(discord_api, server.lounge)
    assert (
        too_long == "That text is 44 characters long, more than this chat may speak in a day (30)."
    )
    assert used_up.startswith("This chat has used all of today's speech (its daily limit is 30 ")
    assert discord_api.voice_state_requests[-1]["channel_id"] is None
