"""Receiving a call's voice (`bots.discord.voice_channels.receive`) with the real discord.py voice
client, against the voice server stand-in, whose members speak as Discord clients do: each with
their own SSRC and user id, their own DAVE session in the call's MLS group, Opus of a tone the test
chose (its pitch tells whose voice it is), transport-encrypted in the mode the bot chose, with
header extensions and RTP padding, SPEAKING once, silence frames after
(`tests.standins.voice_members`)."""

from __future__ import annotations

import array
import asyncio
import itertools
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import discord
import pytest

from bots.discord.application.bot_intents import VoicebridgeBot
from bots.discord.voice_channels.clip_audio_source import ClipAudio
from bots.discord.voice_channels.receive import (
    ListeningVoiceClient,
    PieceAudio,
    ReceiveSettings,
    VoiceReceiver,
)
from bots.discord.voice_channels.speech_playback import installed_voice_client, play_clip
from core.domain.listening.live_speech_rules import CHEAPER
from core.infra.audio.ffmpeg_binary import ffmpeg_exe
from tests.audio_factory import make_audio
from tests.integration.conftest import discord_bot_online, discord_settings
from tests.scenarios.restarts import in_the_lounge
from tests.standins import discord_voice
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.discord_voice import Call
from tests.standins.mimo import FakeMimo
from tests.standins.voice_members import CallMember, group_of, tone

# A second of quiet ends a turn: the stand-in and the bot share this process, and on a machine
# busy with other tests either may be held up for some tenths of a second, which a shorter gap
# would take for the end of a turn.
SETTINGS = ReceiveSettings(silence_gap=1.0, pieces=CHEAPER)  # the pieces these tests cut
RATE = SETTINGS.sample_rate
HELD_SECOND = 48_000 * 2  # a second of a turn in progress, as it is held (48 kHz PCM16)


def pitch_of_utterance(utterance: PieceAudio) -> float:
    """The tone's frequency, from its zero crossings (the codec's first and last 40 ms aside)."""
    edge = utterance.sample_rate // 25
    values = array.array("h", utterance.pcm)[edge:-edge]
    crossings = sum(1 for a, b in itertools.pairwise(values) if a < 0 <= b)
    return crossings / (len(values) / utterance.sample_rate)


@dataclass
class Heard:
    """What the receiver hands over, as it comes: utterances, and turns started and ended."""

    utterances: list[PieceAudio] = field(default_factory=list)
    started: list[int] = field(default_factory=list)
    stopped: list[int] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def of(self, user_id: int) -> list[PieceAudio]:
        return [u for u in self.utterances if u.user_id == user_id]

    def turn_started(self, user_id: int) -> None:
        self.started.append(user_id)
        self.changed.set()

    def turn_ended(self, user_id: int) -> None:
        self.stopped.append(user_id)
        self.changed.set()

    async def collect(self, receiver: VoiceReceiver) -> None:
        async for utterance in receiver:
            self.utterances.append(utterance)
            self.changed.set()

    async def until(self, probe: Callable[[], Any], *, what: str, timeout: float = 20) -> None:
        async with asyncio.timeout(timeout):
            while not probe():
                self.changed.clear()
                await self.changed.wait()


@dataclass
class Listening:
    bot: VoicebridgeBot
    voice: ListeningVoiceClient
    receiver: VoiceReceiver
    heard: Heard
    call: Call


@asynccontextmanager
async def listening(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    *,
    admits: Callable[[int], bool] = lambda user_id: True,
    self_deaf: bool = False,
) -> AsyncIterator[Listening]:
    """The bot `voicebridge run` builds, in the Lounge with a receiver, once its DAVE transition
    executed; what the receiver hands over is collected as it comes."""
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    voice_client = installed_voice_client()
    async with discord_bot_online(settings, discord_api, voice_client=voice_client) as (bot, _):
        channel = bot.get_channel(server.lounge)
        assert isinstance(channel, discord.VoiceChannel)
        voice = await channel.connect(cls=ListeningVoiceClient, self_deaf=self_deaf, timeout=15)
        assert isinstance(voice, ListeningVoiceClient)
        call = await discord_api.voice.wait_until(
            lambda: discord_api.voice.live_call(server.id, server.lounge), what="the call"
        )
        await discord_api.voice.wait_until(lambda: call.dave.executed, what="the transition")
        heard = Heard()
        receiver = VoiceReceiver(
            voice, admits=admits, settings=SETTINGS,
            on_speaking_start=heard.turn_started, on_speaking_stop=heard.turn_ended,
        )  # fmt: skip
        async with receiver:
            collecting = asyncio.create_task(heard.collect(receiver))
            try:
                yield Listening(bot, voice, receiver, heard, call)
            finally:
                receiver.close()
                await collecting
                await voice.disconnect(force=True)


def assert_said(said: list[PieceAudio], tones: list[tuple[float, float]]) -> None:
    """`said` is the tones (frequency, seconds) in order, each whole: as long as it was (to a
    frame: the five silence frames after each are not speech), at its pitch."""
    assert [round(pitch_of_utterance(u)) for u in said] == [
        pytest.approx(f, rel=0.03) for f, _ in tones
    ]
    assert [u.seconds for u in said] == [pytest.approx(s, abs=0.045) for _, s in tones]
    assert all(u.ends_turn and u.sample_rate == RATE for u in said)


@pytest.mark.parametrize("offered", [discord_voice.MODES, ("aead_xchacha20_poly1305_rtpsize",)])
async def test_each_member_is_heard_under_their_own_id_in_order(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, offered: Any
) -> None:
    discord_api.voice.modes = offered
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")  # before the bot came
    speak = discord_api.voice.speak
    async with listening(discord_api, server, mimo, sqlite_url) as it:
        await asyncio.gather(speak(ann, tone(440, 1.0)), speak(bob, tone(660, 0.8)))
        await it.heard.until(lambda: len(it.heard.utterances) == 2, what="both")
        await speak(ann, tone(550, 0.6))  # after a pause
        await it.heard.until(lambda: len(it.heard.utterances) == 3, what="Ann again")

    assert it.call.mode == offered[0]
    assert_said(it.heard.of(ann.user_id), [(440, 1.0), (550, 0.6)])
    assert_said(it.heard.of(bob.user_id), [(660, 0.8)])
    first, second = it.heard.of(ann.user_id)
    assert first.ended_at < second.started_at
    assert it.voice.roster.present >= {ann.user_id, bob.user_id}  # CLIENTS_CONNECT
    # Every packet carried a header extension and one in three RTP padding, yet every frame
    # decrypted; the silence frames after each turn were dropped, not heard.
    assert it.receiver.undecrypted == {} and it.receiver.stats.undecryptable == 0
    assert it.receiver.stats.silence >= 3 * 5
    assert (
        sorted(it.heard.started)
        == sorted(it.heard.stopped)
        == sorted([ann.user_id, ann.user_id, bob.user_id])
    )
    assert it.call.faults == []


async def test_members_joining_mid_call_are_heard_after_the_group_changes(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    speak, joins = discord_api.voice.speak, discord_api.join_call
    async with listening(discord_api, server, mimo, sqlite_url) as it:
        group = it.call.dave
        ann_id = discord_api.add_member(server, "Ann")
        ann = await joins(server, ann_id, server.lounge)  # the bot commits her Add
        await speak(ann, tone(440, 0.6))
        await it.heard.until(lambda: it.heard.utterances, what="Ann")  # her turn over
        carl_id = discord_api.add_member(server, "Carl")
        carl = await joins(server, carl_id, server.lounge, committer=ann)  # Ann's commit wins
        await asyncio.gather(speak(carl, tone(330, 0.6)), speak(ann, tone(550, 0.6)))
        await it.heard.until(lambda: len(it.heard.utterances) == 3, what="three utterances")

    assert group.executions == 3  # the bot's own group, then one transition per member
    assert group.late_commits == 1  # the bot's commit for Carl came after Ann's had won
    assert_said(it.heard.of(ann.user_id), [(440, 0.6), (550, 0.6)])
    assert_said(it.heard.of(carl.user_id), [(330, 0.6)])
    assert it.call.faults == []


async def test_a_member_who_leaves_ends_their_turn_and_is_heard_no_more(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    speak = discord_api.voice.speak
    async with listening(discord_api, server, mimo, sqlite_url) as it:
        talking = asyncio.create_task(speak(bob, tone(660, 5.0)))
        await discord_api.voice.wait_until(
            lambda: it.receiver.buffered.get(bob.user_id, 0) > HELD_SECOND, what="a second of Bob"
        )
        executed = it.call.dave.executions
        await discord_api.leave_call(server, bob)
        await it.heard.until(lambda: it.heard.of(bob.user_id), what="Bob's turn ended")
        sent = await talking
        await discord_api.voice.wait_until(
            lambda: it.call.dave.executions > executed, what="the group without Bob"
        )
        await speak(ann, tone(440, 0.6))  # in the new epoch
        await it.heard.until(lambda: it.heard.of(ann.user_id), what="Ann")

    # One turn, in one piece or (a loaded machine heard over 4 s before he left) in two.
    *went_on, cut_short = it.heard.of(bob.user_id)
    assert [piece.ends_turn for piece in (*went_on, cut_short)][-1] and not any(
        piece.ends_turn for piece in went_on
    )
    assert {piece.turn for piece in (*went_on, cut_short)} == {cut_short.turn}
    heard = sum(piece.seconds for piece in (*went_on, cut_short))
    assert 1.0 < heard < 5.0 and sent < 5.0 / 0.02  # he hung up mid-sentence
    assert it.heard.stopped.count(bob.user_id) == 1
    assert bob.user_id not in it.voice.roster.present  # CLIENT_DISCONNECT
    assert_said(it.heard.of(ann.user_id), [(440, 0.6)])
    assert it.call.faults == []


async def test_a_member_the_filter_refuses_is_never_decrypted_kept_or_handed_over(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    ann, carol = await in_the_lounge(discord_api, server, "Ann", "Carol")
    asked: list[int] = []

    def admits(user_id: int) -> bool:  # Ann said yes; Carol did not
        asked.append(user_id)
        return user_id == ann.user_id

    speak = discord_api.voice.speak
    async with listening(discord_api, server, mimo, sqlite_url, admits=admits) as it:
        await asyncio.gather(speak(ann, tone(440, 1.0)), speak(carol, tone(660, 1.0)))
        await it.heard.until(lambda: it.heard.of(ann.user_id), what="Ann")

    # Every one of Carol's packets was refused before anything else: none decrypted, none
    # decoded, so nothing of hers was ever held (the turns hold decoded frames only).
    assert carol.user_id in asked and it.receiver.stats.refused[carol.user_id] >= 50
    assert it.receiver.undecrypted[carol.user_id] == 0
    assert it.receiver.stats.decoded[carol.user_id] == 0
    assert it.heard.of(carol.user_id) == [] and carol.user_id not in it.heard.started
    assert_said(it.heard.of(ann.user_id), [(440, 1.0)])


async def test_a_member_who_withdraws_mid_turn_has_that_turn_dropped(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    consenting = {ann.user_id}
    speak = discord_api.voice.speak
    async with listening(
        discord_api, server, mimo, sqlite_url, admits=consenting.__contains__
    ) as it:
        before = it.receiver.stats.packets
        talking = asyncio.create_task(speak(ann, tone(440, 3.0)))
        await discord_api.voice.wait_until(
            lambda: it.receiver.buffered.get(ann.user_id, 0) > HELD_SECOND, what="a second of Ann"
        )
        consenting.clear()  # "/listen me off"
        await it.heard.until(lambda: it.heard.stopped, what="her turn ended")
        assert it.receiver.buffered == {}
        sent = await talking + 1  # and the padding-only packet before them
        # Every packet of the withdrawn turn read (and refused) before she is on again: on a busy
        # machine the last ones may still wait on the socket, and would be heard once she is.
        await discord_api.voice.wait_until(
            lambda: it.receiver.stats.packets >= before + sent, what="the withdrawn turn read"
        )
        consenting.add(ann.user_id)  # and on again
        await speak(ann, tone(550, 0.6))
        await it.heard.until(lambda: it.heard.utterances, what="what she said after")

    assert_said(it.heard.utterances, [(550, 0.6)])  # nothing of the withdrawn turn


async def test_frames_failing_while_keys_change_are_tolerated_and_the_rest_is_heard(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    caplog.set_level(logging.INFO, "bots.discord.voice_channels.receive")
    async with listening(discord_api, server, mimo, sqlite_url) as it:
        release = it.call.dave.hold_announcements()  # the bot's websocket lags behind
        dan_id = discord_api.add_member(server, "Dan")
        dan = await discord_api.join_call(server, dan_id, server.lounge, committer=ann)
        await discord_api.voice.wait_until(lambda: dan.session and dan.session.ready, what="Dan")
        talking = asyncio.create_task(discord_api.voice.speak(dan, tone(330, 1.5), eager=True))
        await discord_api.voice.wait_until(
            lambda: it.receiver.undecrypted[dan_id] >= 10, what="failures"
        )
        release.set()  # the commit reaches the bot: it decrypts Dan from here on
        await talking
        await it.heard.until(lambda: it.heard.of(dan_id), what="Dan")

    failed = it.receiver.undecrypted[dan_id]
    assert 10 <= failed < SETTINGS.decrypt_tolerance
    [said] = it.heard.of(dan_id)
    assert said.seconds == pytest.approx(1.5 - failed * 0.02, abs=0.1)
    assert round(pitch_of_utterance(said)) == pytest.approx(330, rel=0.03)
    receive_warnings = [
        r for r in caplog.records if r.name.startswith("bots.discord.voice_channels.receive")
    ]
    assert not [r for r in receive_warnings if r.levelno >= logging.WARNING]


async def test_a_member_whose_frames_never_decrypt_is_logged_once_and_the_others_heard(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ann, eve = await in_the_lounge(discord_api, server, "Ann", "Eve")
    caplog.set_level(logging.INFO, "bots.discord.voice_channels.receive")
    async with listening(discord_api, server, mimo, sqlite_url) as it:
        eve.session = outside_the_group(eve)  # her client lost the group: her own keys only
        await asyncio.gather(
            discord_api.voice.speak(eve, tone(660, 2.0), eager=True),
            discord_api.voice.speak(ann, tone(440, 1.0)),
        )
        await it.heard.until(lambda: it.heard.of(ann.user_id), what="Ann")

    warned = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith("bots.discord.voice_channels.receive")
    ]
    assert len(warned) == 1 and f"user {eve.user_id} did not decrypt" in warned[0]
    assert it.receiver.undecrypted[eve.user_id] >= 90 and it.heard.of(eve.user_id) == []
    assert_said(it.heard.of(ann.user_id), [(440, 1.0)])


def outside_the_group(member: CallMember) -> Any:
    """A DAVE session of `member`'s in a group of its own."""
    return group_of(member.channel_id, member.user_id, member.user_id + 1)[member.user_id]


async def test_the_bot_plays_while_it_listens(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Any
) -> None:
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    clip = make_audio(tmp_path, fmt="ogg", seconds=2, freq=880).read_bytes()
    async with listening(discord_api, server, mimo, sqlite_url) as it:
        playing = play_clip(it.voice, ClipAudio(clip, ffmpeg=ffmpeg_exe()), 2.0)
        played, _ = await asyncio.gather(playing, discord_api.voice.speak(ann, tone(440, 1.5)))
        await it.heard.until(lambda: it.heard.utterances, what="Ann")

    assert played  # sent whole, as the listener in the call heard
    assert it.call.faults == [] and it.call.seconds == pytest.approx(2.0, abs=0.1)
    assert all(frame.e2ee for frame in it.call.speech)
    assert_said(it.heard.of(ann.user_id), [(440, 1.5)])


async def test_a_receiver_started_later_knows_who_spoke_before_it(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Discord sends a member's SPEAKING once per session, when they first speak: the voice
    client keeps the roster from the moment it connects, not the receiver."""
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with discord_bot_online(settings, discord_api, voice_client=None) as (bot, _):
        channel = bot.get_channel(server.lounge)
        assert isinstance(channel, discord.VoiceChannel)
        voice = await channel.connect(cls=ListeningVoiceClient, self_deaf=False, timeout=15)
        assert isinstance(voice, ListeningVoiceClient)
        call = discord_api.voice.live_call(server.id, server.lounge)
        assert call is not None
        await discord_api.voice.speak(ann, tone(440, 0.4))  # nobody listening yet
        heard = Heard()
        async with VoiceReceiver(voice, admits=lambda _: True, settings=SETTINGS) as receiver:
            collecting = asyncio.create_task(heard.collect(receiver))
            await discord_api.voice.speak(ann, tone(550, 0.6))
            await heard.until(lambda: heard.utterances, what="Ann")
        await collecting
        await voice.disconnect(force=True)

    assert call.announced == {ann.user_id}  # one SPEAKING, before the receiver
    assert_said(heard.utterances, [(550, 0.6)])


async def test_a_deafened_bot_is_sent_no_voice_and_says_so(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Joined deafened, the bot told Discord so (its voice state), is sent nothing of what is
    said, and its receiver warns, naming the channel; undeafened in the same call, it hears
    the next words: the silence before was the deafening, not a receiver that hears nothing."""
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    async with listening(discord_api, server, mimo, sqlite_url, self_deaf=True) as it:
        me = it.voice.guild.me
        deafened = me.voice is not None and me.voice.self_deaf  # as Discord told it back
        sent = await discord_api.voice.speak(ann, tone(440, 0.4))
        while_deafened = (list(it.heard.utterances), it.receiver.stats.packets)
        undeafened = it.bot.wait_for(
            "voice_state_update",
            check=lambda member, _, after: member == me and not after.self_deaf,
        )
        await it.voice.guild.change_voice_state(channel=it.voice.channel, self_deaf=False)
        await asyncio.wait_for(undeafened, timeout=15)
        await discord_api.voice.speak(ann, tone(550, 0.6))
        await it.heard.until(lambda: it.heard.utterances, what="Ann, once undeafened")

    assert deafened
    assert sent == 0 and while_deafened == ([], 0)
    warned = [
        r.getMessage() for r in caplog.records
        if r.name == "bots.discord.voice_channels.receive.receiver" and r.levelno == logging.WARNING
    ]  # fmt: skip
    assert warned == [f"the bot is deafened in {it.voice.channel}: Discord sends it no audio"]
    assert_said(it.heard.utterances, [(550, 0.6)])
