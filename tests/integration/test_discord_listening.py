"""Listening end to end (`/listen`, `/listen_me`, `/stop_listening`): the bot `voicebridge run`
builds joins the Lounge with its listening voice client, and the voice server stand-in's
members speak in it as Discord clients do (`tests.standins.voice_members`), each a tone whose
pitch says whose voice it is. The MiMo stand-in answers each transcription with the pitch it
heard, so what the bot posts, and every request MiMo had, says whose voice reached it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import pytest

from bots.discord import discordpy_internals
from bots.discord.application.bot_intents import VoicebridgeBot
from bots.discord.listening.listen_commands import ListeningCog
from bots.discord.listening.listened_call_side import DiscordListenedCall
from bots.discord.place_access import place_of
from bots.discord.voice_channels.receive import ReceiveSettings, VoiceReceiver
from bots.discord.voice_channels.speech_playback import installed_voice_client
from core.domain.shared_values import ChatRef
from tests.integration.chatlog_db import query
from tests.integration.test_discord_listen import in_the_lounge
from tests.integration.test_discord_reader import heard_clips, left_by_itself, spoken_requests
from tests.scenarios.discord_bot import Members, discord_bot_online, discord_settings, posted_in
from tests.scenarios.tones import pitch_of, recording_of, tone_heard
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo, Json
from tests.standins.voice_members import tone
from tests.waiting import until

ASR = "mimo-v2.5-asr"


def seconds_sent(body: Json) -> float:
    rate, pcm = recording_of(body)
    return len(pcm) / 2 / rate


def heard_tones(mimo: FakeMimo) -> list[float]:
    """The pitch of every recording MiMo was sent to transcribe, in order."""
    return [round(pitch_of(body), -1) for body in mimo.calls(ASR)]


@asynccontextmanager
async def bot_in_server(
    discord_api: FakeDiscord,
    mimo: FakeMimo,
    sqlite_url: str,
    *,
    caption_gap: float = 0.0,
    **settings: Any,
) -> AsyncIterator[VoicebridgeBot]:
    """The bot, its turns ended by a second of quiet (on a loaded machine the stand-in or the
    bot, sharing this process, may be held up long enough for less to split a tone in two);
    with `caption_gap` 0, each utterance a caption of its own, so that a test counts them (the
    captions' turns have tests of their own)."""
    mimo.asr_text = tone_heard
    built = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url,
                             **settings)  # fmt: skip
    voice_client = installed_voice_client()
    async with discord_bot_online(built, discord_api, voice_client=voice_client) as (bot, _):
        bot.listened_call_sides.receive = ReceiveSettings(silence_gap=1.0)
        bot.listened_call_sides.caption_gap = caption_gap
        yield bot


def listening_cog(bot: VoicebridgeBot) -> ListeningCog:
    cog = bot.get_cog("ListeningCog")
    assert isinstance(cog, ListeningCog)
    return cog


def server_of(server: Guild) -> ChatRef:
    return place_of(guild_id=server.id)


def receiver_of(bot: VoicebridgeBot, server: Guild) -> VoiceReceiver:
    """The receiver of the call the bot listens to in `server`."""
    call = listening_cog(bot).listened.call_in(server_of(server))
    assert call is not None and isinstance(call.side, DiscordListenedCall)
    receiver = call.side.receiver
    assert receiver is not None
    return receiver


async def listening_started(discord_api: FakeDiscord, server: Guild, members: Members,
                            starter: int, *, cheaper: bool = False) -> str:  # fmt: skip
    """`starter` runs /listen (`cheaper`: `/listen cheaper:True`, pieces of 2 to 4 s, which
    the tests of what pieces are cut and posted assume); its answer, once the bot is in the
    call's DAVE group."""
    answer = await members.answer(starter, "listen", **({"cheaper": True} if cheaper else {}))
    call = await discord_api.voice.wait_until(
        lambda: discord_api.voice.live_call(server.id, server.lounge), what="the call"
    )
    await discord_api.voice.wait_until(lambda: call.dave.executed, what="the transition")
    return answer.content


async def test_only_the_member_who_said_yes_is_transcribed_under_her_name(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    speak = discord_api.voice.speak
    async with bot_in_server(discord_api, mimo, sqlite_url):
        consent = await members.answer(ann.user_id, "listen_me", allowed=True)
        started = await listening_started(discord_api, server, members, bob.user_id, cheaper=True)
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        await asyncio.gather(speak(ann, tone(440, 1.0)), speak(bob, tone(660, 1.0)))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "Ann's first line")
        await speak(bob, tone(330, 0.6))
        await speak(ann, tone(550, 0.6))
        await until(lambda: len(posted_in(discord_api, server.lounge)) >= 3, "Ann's two lines")
        stopped = await members.answer(bob.user_id, "stop_listening")

    assert consent.content.startswith("When I listen in a voice channel here, I transcribe")
    assert (
        started == f"I am listening in <#{server.lounge}>: "
        "what members who said yes say is posted in its chat."
    )
    opening, *lines, bye = posted_in(discord_api, server.lounge)
    assert "Transcribed: Ann\nNot transcribed: Bob\n" in opening
    assert lines == ["**Ann**: tone 440", "**Ann**: tone 550"]
    assert heard_tones(mimo) == [440, 550]  # nothing of Bob's ever reached MiMo
    said_bye, files_caption = bye.split("\n")
    assert stopped.content == said_bye == f"I stopped listening and left <#{server.lounge}>."
    assert files_caption.startswith("The call's transcript (")
    assert left_by_itself(discord_api)


async def test_a_member_goes_on_speaking_while_the_event_loop_is_held_up(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """The voice stand-in's members are clients on other machines: their packets go on leaving
    while the event loop the bot shares with the stand-ins is held up (on a busy machine), for
    the bot's socket reader to take. Paced on that loop, they stopped with it, and the bot
    heard pauses nobody made."""
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    async with bot_in_server(discord_api, mimo, sqlite_url):
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id)
        speaking = asyncio.create_task(discord_api.voice.speak(ann, tone(440, 3.0)))
        await discord_api.voice.wait_until(lambda: ann.packets > 5, what="Ann speaking")
        before = ann.packets
        held_until = time.monotonic() + 10  # a guard: she has 3 s to say
        while ann.packets < before + 25 and time.monotonic() < held_until:
            time.sleep(0.01)  # the loop held up, as a busy machine holds it, while she speaks
        said_meanwhile = ann.packets - before
        await speaking
        await members.answer(ann.user_id, "stop_listening")

    assert said_meanwhile >= 25  # none, when the loop paced them


async def test_a_turn_goes_on_while_the_bots_socket_reader_is_held_up(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """A busy machine may not run the bot's socket reader thread for a while; the member's
    packets wait in the socket meanwhile. A pause is where her packets stopped coming, not where
    the bot stopped reading them: held up for 1.5 s of her tone (the turn's gap is 1 s), it
    hears one turn as long as she spoke (two, when it judged by when it read them)."""
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    holding, release = threading.Event(), threading.Event()

    def hold_once(_: bytes) -> None:  # after the bot's own handler, in its reader thread
        if not holding.is_set():
            holding.set()
            release.wait(10)  # a guard

    async with bot_in_server(discord_api, mimo, sqlite_url) as bot:
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id, cheaper=True)
        receiver = receiver_of(bot, server)
        assert receiver is not None
        speaking = asyncio.create_task(discord_api.voice.speak(ann, tone(440, 3.0)))
        await discord_api.voice.wait_until(lambda: ann.packets > 25, what="Ann speaking")
        discordpy_internals.listen_to_voice_socket(receiver.voice, hold_once)
        await discord_api.voice.wait_until(holding.is_set, what="the reader held")
        held_at = ann.packets
        await discord_api.voice.wait_until(lambda: ann.packets >= held_at + 75, what="1.5 s")
        release.set()
        await speaking
        await until(lambda: len(posted_in(discord_api, server.lounge)) >= 2, "her line")
        await members.answer(ann.user_id, "stop_listening")

    assert posted_in(discord_api, server.lounge)[1:-1] == ["**Ann**: tone 440"]
    [heard] = [seconds_sent(body) for body in mimo.calls(ASR)]
    assert heard == pytest.approx(3.0, abs=0.1)


async def test_withdrawing_stops_the_transcript_at_once_and_a_yes_resumes_it(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    speak = discord_api.voice.speak
    async with bot_in_server(discord_api, mimo, sqlite_url):
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id)
        again = await members.answer(ann.user_id, "listen")
        await speak(ann, tone(440, 0.6))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "her first line")
        withdrawn = await members.answer(ann.user_id, "listen_me", allowed=False)
        await speak(ann, tone(550, 0.6))  # not transcribed
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await speak(ann, tone(330, 0.6))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 3, "her next line")

    assert again.content == (
        "I am already in a voice channel in this server; try again when I have left it."
    )
    assert withdrawn.content.startswith("I do not transcribe what you say in voice channels here.")
    assert posted_in(discord_api, server.lounge)[1:3] == ["**Ann**: tone 440", "**Ann**: tone 330"]
    assert heard_tones(mimo) == [440, 330]


async def test_nobody_is_transcribed_without_a_yes_and_the_bot_leaves_when_they_do(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    [bob] = await in_the_lounge(discord_api, server, "Bob")
    members = Members(discord_api, server.general)
    async with bot_in_server(discord_api, mimo, sqlite_url) as bot:
        await listening_started(discord_api, server, members, bob.user_id)
        await discord_api.voice.speak(bob, tone(660, 0.6))
        receiver = receiver_of(bot, server)
        assert receiver is not None
        # Every one of his packets dropped as it arrived, before decryption.
        await until(lambda: receiver.stats.refused[bob.user_id] >= 30, "his packets refused")
        assert receiver.stats.decoded[bob.user_id] == 0
        await discord_api.leave_call(server, bob)
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "the goodbye")
        not_listening = await members.answer(bob.user_id, "stop_listening")

    opening, bye = posted_in(discord_api, server.lounge)
    assert "Transcribed: nobody\nNot transcribed: Bob\n" in opening
    assert bye == f"I stopped listening and left <#{server.lounge}>."
    assert mimo.calls(ASR) == []
    assert left_by_itself(discord_api)
    assert not_listening.content == "I am not listening in this server."


async def test_a_listening_is_stopped_by_its_starter_alone_until_she_leaves_then_by_anyone(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """The reading's rule: the starter, a moderator, or anyone once the starter has left."""
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    async with bot_in_server(discord_api, mimo, sqlite_url):
        for member in (ann, bob):
            await members.answer(member.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id)
        refused = await members.answer(bob.user_id, "stop_listening")
        await discord_api.leave_call(server, ann)  # Bob, who said yes, stays
        stopped = await members.answer(bob.user_id, "stop_listening")

    assert refused.content == (
        "Only the member who started the listening, someone allowed to move members out of the "
        "voice channel, or anyone once its starter has left, can do that."
    )
    assert stopped.content == f"I stopped listening and left <#{server.lounge}>."
    assert left_by_itself(discord_api)


async def test_a_servers_listening_of_the_day_is_its_own_and_once_used_up_the_call_ends(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    speak = discord_api.voice.speak
    # A day's listening of 2 s, and of transcription (voice notes) 2 s too: a call counts only
    # in the former.
    async with bot_in_server(
        discord_api, mimo, sqlite_url, daily_listen_seconds=2, daily_audio_seconds=2
    ):
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id, cheaper=True)
        await speak(ann, tone(440, 1.5))  # 2 s of the day's 2
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "her line")
        usage = await members.answer(ann.user_id, "usage")
        await speak(ann, tone(550, 0.6))  # over: said, and the bot leaves
        await discord_api.voice.wait_until(lambda: left_by_itself(discord_api), what="leaving")
        again = await members.answer(ann.user_id, "listen")

    assert heard_tones(mimo) == [440]
    _, said, refusal, bye = posted_in(discord_api, server.lounge)
    assert said == "**Ann**: tone 440"
    assert refusal.startswith(
        "This server has used all of today's listening in voice channels"
        " (its daily limit is 2 sec); I listen again in "
    ), refusal
    assert bye.startswith("I stopped listening")
    assert "Listening in voice channels: 2 sec of 2 sec (0 sec left)" in usage.content
    assert "Transcription: 0 sec of 2 sec" in usage.content, usage.content
    assert again.content.startswith("This server has used all of today's listening")
    assert len(discord_api.voice_state_requests) == 2  # joined once, left once: not again


def lines_posted(discord_api: FakeDiscord, channel: int, count: int) -> bool:
    return len(posted_in(discord_api, channel)) == count


async def test_a_piece_under_a_second_counts_a_whole_one_as_mimo_bills_it_whatever_it_says(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Captions go to MiMo in short pieces, each billed a whole second. An answer that says
    nothing of the seconds (no `usage.seconds`) still counts each as one against the server's
    listening: with a day of 2 s, two short sentences use it up and a third ends the call."""
    speakers = await in_the_lounge(discord_api, server, "Ann", "Bob", "Cid")
    members = Members(discord_api, server.general)
    speak = discord_api.voice.speak
    mimo.asr_reports_seconds = False
    async with bot_in_server(discord_api, mimo, sqlite_url, daily_listen_seconds=2):
        for member in speakers:
            await members.answer(member.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, speakers[0].user_id)
        for shown, (member, hz) in enumerate(zip(speakers[:2], (440, 550), strict=True), 2):
            await speak(member, tone(hz, 0.3))
            await until(partial(lines_posted, discord_api, server.lounge, shown), "its line")
        usage = await members.answer(speakers[0].user_id, "usage")
        assert "Listening in voice channels: 2 sec of 2 sec (0 sec left)" in usage.content, usage
        await speak(speakers[2], tone(660, 0.3))  # a third second: past the day's two
        await discord_api.voice.wait_until(lambda: left_by_itself(discord_api), what="leaving")
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 5, "the goodbye")

    assert heard_tones(mimo) == [440, 550] and mimo.asr_billed_seconds == 2
    _, ann, bob, refusal, bye = posted_in(discord_api, server.lounge)
    assert (ann, bob) == ("**Ann**: tone 440", "**Bob**: tone 550")
    assert refusal.startswith("This server has used all of today's listening"), refusal
    assert bye.startswith("I stopped listening")


async def test_listening_is_charged_to_the_member_who_started_it_and_ends_with_their_day(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Bob starts the listening, Ann speaks: what MiMo hears counts in Bob's own day, all
    servers together (each person's cap, here 2 s), beside the server's listening. Once his
    day is used up the call ends with its line, and /listen is refused to him anywhere
    (whatever the server has left): one person with many servers has no more than their cap."""
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    speak = discord_api.voice.speak
    async with bot_in_server(discord_api, mimo, sqlite_url, daily_person_audio_seconds=2):
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, bob.user_id, cheaper=True)
        await speak(ann, tone(440, 1.5))  # 2 s of Bob's 2
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "her line")
        bobs, anns = [await members.answer(m.user_id, "usage") for m in (bob, ann)]
        await speak(ann, tone(550, 0.6))  # over Bob's day: said, and the bot leaves
        await discord_api.voice.wait_until(lambda: left_by_itself(discord_api), what="leaving")
        again = await members.answer(bob.user_id, "listen")

    assert heard_tones(mimo) == [440]
    _, said, refusal, bye = posted_in(discord_api, server.lounge)
    assert said == "**Ann**: tone 440"
    assert refusal == (
        "The member who started this listening has used all of their transcription time for "
        "today, all chats together (each person may have 2 sec a day), so I stop listening "
        "here. Someone else may start it again."
    )
    assert bye.startswith("I stopped listening")
    assert "• Yours, all chats together: 2 sec of 2 sec of transcription" in bobs.content
    assert "Listening in voice channels: 2 sec of 2 hr" in bobs.content, bobs.content
    assert "• Yours, all chats together: 0 sec of 2 sec of transcription" in anns.content
    assert again.content.startswith(
        "You have used all of your transcription time for today, all chats together"
    ), again.content
    assert len(discord_api.voice_state_requests) == 2  # joined once, left once: not again


async def test_captions_asked_translated_show_the_servers_language_above_what_was_said(
    discord_api: FakeDiscord, mimo: FakeMimo, sqlite_url: str
) -> None:
    server = discord_api.add_guild("Server", locale="de")  # its chat reads German
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    speak = discord_api.voice.speak
    async with bot_in_server(discord_api, mimo, sqlite_url):
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await members.answer(bob.user_id, "listen_me", allowed=True)
        await members.answer(ann.user_id, "listen", translate=True)
        await discord_api.voice.wait_until(
            lambda: discord_api.voice.live_call(server.id, server.lounge), what="the call"
        )
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        await speak(ann, tone(440, 0.8))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "Ann's caption")
        mimo.texts_in = {"German"}  # what Bob says is German already: no translation shown
        await speak(bob, tone(660, 0.8))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 3, "Bob's caption")
        usage = await members.answer(ann.user_id, "usage")
        await members.answer(ann.user_id, "stop_listening")

    _, ann_said, bob_said, _ = posted_in(discord_api, server.lounge)
    assert ann_said == "**Ann**: [German] tone 440\n-# tone 440"
    assert bob_said == "**Bob**: tone 660"
    # Counted with the server's listening (the translation's tokens with its captions'), never
    # in its own day of transcripts and summaries.
    assert "• MiMo tokens: 0 (0 in, 0 out)" in usage.content, usage.content
    listened = f"{server_of(server).chat_id}/listen"
    [(tokens,)] = await query(sqlite_url, "SELECT prompt_tokens + completion_tokens FROM "
                              "chat_usage WHERE chat_id = :row", row=listened)  # fmt: skip
    assert tokens == mimo.tokens_reported > 0
    bye = discord_api.messages_in(server.lounge)[-1]
    kept = {file.filename: file.data.decode() for file in bye.attachments}["call.txt"]
    assert "Ann: tone 440" in kept and "German" not in kept  # what was said, never a translation


@pytest.mark.parametrize("first", ["read_channel", "listen"])
async def test_reading_aloud_and_listening_share_one_call_where_both_are_asked_for(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, first: str
) -> None:
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    speak, voice = discord_api.voice.speak, discord_api.voice
    async with bot_in_server(discord_api, mimo, sqlite_url):
        await members.answer(ann.user_id, "listen_me", allowed=True)
        for command in (first, *({"read_channel", "listen"} - {first})):
            answered = await members.answer(bob.user_id, command)
            assert "<#" in answered.content, answered.content  # joined, or came along
        call = await voice.wait_until(lambda: voice.live_call(server.id, server.lounge), what="")
        await voice.wait_until(lambda: call.dave.executed, what="the transition")
        await discord_api.post_message(server.lounge, bob.user_id, "Read this")
        await heard_clips(discord_api, 1)
        await speak(ann, tone(440, 0.8))
        await until(lambda: "**Ann**: tone 440" in posted_in(discord_api, server.lounge), "Ann")
        await members.answer(bob.user_id, "stop_listening")  # the reading goes on, deafened
        await discord_api.post_message(server.lounge, bob.user_id, "And this")
        await heard_clips(discord_api, 2)
        await speak(ann, tone(550, 0.8))  # not heard: the bot is deafened again
        await members.answer(bob.user_id, "stop")
        await voice.wait_until(lambda: left_by_itself(discord_api), what="leaving")

    assert len(voice.calls) == 1  # one voice connection all along
    assert [text for _, text in spoken_requests(mimo)] == ["Bob says: Read this", "And this"]
    assert heard_tones(mimo) == [440]
    deafened = [r["self_deaf"] for r in discord_api.voice_state_requests if r["channel_id"]]
    assert deafened == ([True, False, True] if first == "read_channel" else [False, True])


async def test_utterances_are_transcribed_at_once_and_posted_in_the_order_they_ended(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    speak = discord_api.voice.speak
    async with bot_in_server(discord_api, mimo, sqlite_url):
        for member in (ann, bob):
            await members.answer(member.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id, cheaper=True)
        with mimo.held_each() as held:
            # Ann stops first; Bob's turn ends while MiMo still works on hers.
            await asyncio.gather(speak(ann, tone(440, 0.6)), speak(bob, tone(660, 1.2)))
            await until(lambda: len(held) == 2, "both at MiMo at once")
            [hers] = [one for one in held if round(pitch_of(one.body), -1) == 440]
            [his] = [one for one in held if one is not hers]
            # MiMo answers Bob first: his line is made (and kept) while hers is still awaited.
            his.let_go()
            await until_line_of(sqlite_url, bob.user_id)
            hers.let_go()
        await until(lambda: "**Bob**" in "".join(posted_in(discord_api, server.lounge)), "Bob")

    said = "\n".join(posted_in(discord_api, server.lounge)[1:])
    assert said.startswith("**Ann**: tone 440\n**Bob**: tone 660")


async def until_line_of(url: str, speaker: int) -> None:
    """Until the call's transcript keeps a line of `speaker` (the moment MiMo's answer for it
    has been taken in, before it is posted)."""
    for _ in range(750):
        if await query(
            url,
            "SELECT 1 FROM recording_transcript_parts WHERE speaker_id = :speaker",
            speaker=str(speaker),
        ):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"no line of {speaker} was kept")


async def test_a_line_heard_after_its_speaker_withdrew_is_not_posted(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    speak = discord_api.voice.speak
    async with bot_in_server(discord_api, mimo, sqlite_url):
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id, cheaper=True)
        with mimo.held():
            await speak(ann, tone(440, 0.6))
            await until(lambda: mimo.calls(ASR), "her words at MiMo")
            await members.answer(ann.user_id, "listen_me", allowed=False)
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await speak(ann, tone(330, 0.6))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "her next line")

    assert posted_in(discord_api, server.lounge)[1] == "**Ann**: tone 330"
    assert heard_tones(mimo) == [440, 330]  # heard (and counted), never posted


async def test_a_member_who_joins_the_call_is_told_there_whether_they_are_transcribed(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    cleo, dan = discord_api.add_member(server, "Cleo"), discord_api.add_member(server, "Dan")
    members = Members(discord_api, server.general)
    async with bot_in_server(discord_api, mimo, sqlite_url):
        for said_yes in (ann.user_id, cleo):
            await members.answer(said_yes, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id)
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        await discord_api.join_call(server, cleo, server.lounge)
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "Cleo told")
        await discord_api.join_call(server, dan, server.lounge)
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 3, "Dan told")
        await members.answer(ann.user_id, "stop_listening")

    _, told_cleo, told_dan, _ = posted_in(discord_api, server.lounge)
    where = f"<#{server.lounge}>, where I am listening"
    assert told_cleo == (
        f"Cleo joined {where}: you said yes, so what you say is posted here under your name. "
        "/listen_me withdraws it at once."
    )
    assert told_dan == (
        f"Dan joined {where}: I do not transcribe you, since you have not said yes (/listen_me)."
    )


async def test_a_nickname_with_markdown_reads_as_typed_in_every_post_and_pings_nobody(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """A member nicknamed like a link is shown as their nickname, not as a link or in bold:
    the opening line, her captions and the join notice escape it as Discord's markdown needs;
    the call's transcript file, plain text, holds it as typed. Nothing posted may ping."""
    nick = "x** [Verify](https://x.io) **"
    escaped = "x\\*\\* \\[Verify](https://x.io) \\*\\*"
    [bob] = await in_the_lounge(discord_api, server, "Bob")
    ann, mallory = discord_api.add_member(server, "Ann"), discord_api.add_member(server, "Mal")
    for member in (ann, mallory):
        await discord_api.set_nick(server, member, nick)
    members = Members(discord_api, server.general)
    async with bot_in_server(discord_api, mimo, sqlite_url):
        await members.answer(ann, "listen_me", allowed=True)
        in_call = await discord_api.join_call(server, ann, server.lounge)
        await listening_started(discord_api, server, members, bob.user_id)
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        await discord_api.voice.speak(in_call, tone(440, 0.6))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "her line")
        await discord_api.join_call(server, mallory, server.lounge)
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 3, "Mal told")
        await members.answer(bob.user_id, "stop_listening")

    opening, said, told, _ = posted_in(discord_api, server.lounge)
    assert f"Transcribed: {escaped}\nNot transcribed: Bob\n" in opening
    assert said == f"**{escaped}**: tone 440"
    assert told.startswith(f"{escaped} joined <#{server.lounge}>, where I am listening: I do not")
    posts = [m for m in discord_api.messages_in(server.lounge) if m.interaction_id is None]
    [file] = [a for a in posts[-1].attachments if a.filename == "call.txt"]
    assert file.data.decode().endswith(f"] {nick}: tone 440")
    assert all(m.allowed_mentions == {"parse": []} for m in posts), posts


async def test_the_buttons_under_the_opening_line_say_yes_or_no_for_whoever_clicks(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    speak = discord_api.voice.speak
    async with bot_in_server(discord_api, mimo, sqlite_url):
        await listening_started(discord_api, server, members, bob.user_id)
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        [opening] = discord_api.messages_in(server.lounge)
        yes = await discord_api.click(opening, ann.user_id, label="Transcribe me")
        [said_yes] = await yes.wait_for_messages()
        await speak(ann, tone(440, 0.6))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "her line")
        no = await discord_api.click(opening, ann.user_id, label="Don't transcribe me")
        [said_no] = await no.wait_for_messages()
        await speak(ann, tone(550, 0.6))  # not transcribed
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await speak(ann, tone(330, 0.6))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 3, "her next line")
        await members.answer(bob.user_id, "stop_listening")

    assert said_yes.ephemeral and said_yes.content.startswith("When I listen in a voice channel")
    assert said_no.ephemeral and said_no.content.startswith("I do not transcribe what you say")
    assert posted_in(discord_api, server.lounge)[1:3] == ["**Ann**: tone 440", "**Ann**: tone 330"]
    assert heard_tones(mimo) == [440, 330]  # nothing said after her "no" reached MiMo
