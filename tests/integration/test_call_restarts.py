"""A call survives a restart (issue 73): the real `voicebridge run` in a subprocess listens in the
Lounge of the Discord stand-in, whose voice server's members speak as Discord clients do, each a
tone whose pitch says whose voice it is (MiMo's stand-in answers with the pitch it heard). The
process is killed (SIGKILL: nothing gets to clean up) or stopped for a deploy (SIGTERM), and
started again: it comes back to the call by itself, says once how long it was away, captions the
members who said yes and nobody else, and `/stop_listening` posts one transcript of the whole
call with the gap marked. A call everyone left meanwhile is ended with its transcript posted.
"""

from __future__ import annotations

import asyncio
import re
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bots.discord.place_access import place_of
from core.app.rules.job_spending import listen_row
from core.domain.listening.kept_call_values import KeptCall
from core.domain.rules.quotas_rules import Counts, utc_day
from tests.integration.chatlog_db import query, unit_of_work
from tests.integration.restarts import (
    WAIT,
    back,
    environment,
    in_the_call_again,
    in_the_lounge,
    in_voice,
)
from tests.integration.test_discord_interpreting import sentence_of_tone
from tests.integration.test_discord_listening import heard_tones
from tests.integration.test_discord_reader import clips, spoken_requests
from tests.scenarios.discord_bot import Members, posted_in, transcript_lines
from tests.scenarios.processes import identified, voicebridge_run
from tests.scenarios.tones import tone_heard
from tests.standins.discord_api import FakeDiscord, Guild, SentMessage
from tests.standins.mimo import FakeMimo
from tests.standins.voice_members import CallMember, tone
from tests.waiting import until

MARKED = re.compile(r"\(I was away for \d+:\d\d, restarting: nothing said meanwhile was heard\)")


async def test_a_call_killed_mid_way_is_taken_up_by_the_next_start(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Ann starts /listen, Ann and Bob talk, the bot is killed and started again: it is back in
    the Lounge by itself, Ann's next words are captioned under her name, Carol (who never said
    yes) is never heard, and /stop_listening posts one transcript, before and after, the gap
    marked between them. Bob's no, given while the bot was away (another replica answered his
    /listen_me), holds from the first packet: the consents are read again, never remembered."""
    await taken_up_after(
        signal.SIGKILL, discord_api, server, mimo, database_url, tmp_path, bob_says_no=True
    )


async def test_a_call_stopped_for_a_deploy_is_taken_up_by_the_next_start(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """The same through SIGTERM then a start: a stop for a deploy is no end of the call (no
    goodbye, no transcript), and the next start goes on with it."""
    await taken_up_after(signal.SIGTERM, discord_api, server, mimo, database_url, tmp_path)


async def taken_up_after(
    stop: signal.Signals, discord_api: FakeDiscord, server: Guild, mimo: FakeMimo,
    database_url: str, tmp_path: Path, *, bob_says_no: bool = False,
) -> None:  # fmt: skip
    mimo.asr_text = tone_heard
    ann, bob, carol = await in_the_lounge(discord_api, server, "Ann", "Bob", "Carol")
    members = Members(discord_api, server.general)
    env = environment(discord_api, mimo, database_url, tmp_path)
    async with voicebridge_run(tmp_path, env, "first", identified(discord_api)) as first:
        for member in (ann, bob):
            await members.answer(member.user_id, "listen_me", allowed=True)
        await listening_again(discord_api, server, members, ann)
        await said_and_captioned(discord_api, server, ann, 440)
        await said_and_captioned(discord_api, server, bob, 660)
        await discord_api.voice.speak(carol, tone(330, 0.8))
        stopped_at = datetime.now(UTC)
        first.send_signal(stop)
        await asyncio.wait_for(first.wait(), WAIT)
    if bob_says_no:
        await consent_saved(database_url, server, bob.user_id, False)
    bye_before = [line for line in posted_in(discord_api, server.lounge) if "stopped" in line]

    async with voicebridge_run(tmp_path, env, "second", identified(discord_api)):
        await until(lambda: back(discord_api, server), "the chat told it is back", WAIT)
        await in_the_call_again(discord_api, server)
        kept = await kept_call(database_url, server)
        if bob_says_no:
            await discord_api.voice.speak(bob, tone(880, 0.8))
        await said_and_captioned(discord_api, server, ann, 550)
        await discord_api.voice.speak(carol, tone(770, 0.8))
        if not bob_says_no:
            await said_and_captioned(discord_api, server, bob, 880)
        stopped = await members.answer(ann.user_id, "stop_listening")
        bye = await until_goodbye(discord_api, server)

    assert bye_before == []  # neither a stop for a deploy nor a crash ends the call
    # Taken up, the call is kept alive as of now: another crash soon after is no long absence.
    assert kept is not None and kept.alive_at >= stopped_at > kept.started_at
    assert len(back(discord_api, server)) == 1
    nobody_else = (
        "Transcribed: Ann\nNot transcribed: Bob, Carol"
        if bob_says_no
        else ("Transcribed: Ann, Bob\nNot transcribed: Carol")
    )
    assert nobody_else in back(discord_api, server)[0]
    assert stopped.content == f"I stopped listening and left <#{server.lounge}>."
    heard = heard_tones(mimo)
    assert 330 not in heard and 770 not in heard  # Carol: never sent to MiMo
    assert (880 in heard) is not bob_says_no  # nor Bob, once he said no
    lines = transcript_lines(bye)
    after = ["Ann: tone 550"] + ([] if bob_says_no else ["Bob: tone 880"])
    assert [line for line in lines if not MARKED.fullmatch(line)] == [
        "Ann: tone 440", "Bob: tone 660", *after,
    ]  # fmt: skip
    assert MARKED.fullmatch(lines[2])  # the gap, between the last line heard and the next


async def test_a_caption_shown_just_before_a_kill_is_in_the_transcript_in_its_place(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Ann says yes and speaks on and on; her words appear as a caption in the Lounge's chat
    while she still speaks, and the bot is killed a moment later. Started again, it is back in
    the call and captions Bob. /stop_listening's transcript holds Ann's captioned words first,
    then the gap, placed where her words ended (not at the call's first second), then Bob."""
    mimo.asr_text = tone_heard
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    env = environment(discord_api, mimo, database_url, tmp_path)
    async with voicebridge_run(tmp_path, env, "first", identified(discord_api)) as first:
        for member in (ann, bob):
            await members.answer(member.user_id, "listen_me", allowed=True)
        await listening_again(discord_api, server, members, ann)
        speaking = asyncio.create_task(discord_api.voice.speak(ann, tone(440, 8.0)))
        await until(
            lambda: any("tone 440" in line for line in posted_in(discord_api, server.lounge)),
            "Ann's words captioned while she speaks", WAIT,
        )  # fmt: skip
        first.kill()  # her turn not over: kept only as its caption showed it
        await first.wait()
        speaking.cancel()
    async with voicebridge_run(tmp_path, env, "second", identified(discord_api)):
        await until(lambda: back(discord_api, server), "the chat told it is back", WAIT)
        await in_the_call_again(discord_api, server)
        await said_and_captioned(discord_api, server, bob, 660)
        await members.answer(ann.user_id, "stop_listening")
        bye = await until_goodbye(discord_api, server)

    [text] = [file.data.decode() for file in bye.attachments if file.filename == "call.txt"]
    timed = [line.split("] ", 1) for line in text.splitlines()]
    assert [said.split(":")[0] for _, said in timed if not MARKED.fullmatch(said)] == [
        "Ann", "Bob",
    ]  # fmt: skip
    anns, gap, bobs = timed
    assert anns[1].startswith("Ann: tone 440") and MARKED.fullmatch(gap[1])
    assert bobs[1] == "Bob: tone 660"
    assert "[00:00" < gap[0] <= bobs[0]  # where her words ended, not the call's first second


async def test_a_call_everyone_left_meanwhile_is_ended_with_its_transcript(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Killed while Ann talks; she and Bob hang up before the bot is back: the next start does
    not join an empty channel, it ends the call in its chat with the transcript of what was
    heard, the gap marked at its end; a /listen afterwards is a new call."""
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    env = await killed_after_anns_words(discord_api, server, mimo, database_url, tmp_path, ann)
    for member in (ann, bob):
        await discord_api.leave_call(server, member)

    async with voicebridge_run(tmp_path, env, "second", identified(discord_api)):
        bye = await until_goodbye(discord_api, server)
        await until(lambda: not in_voice(discord_api, server), "the bot out of the Lounge", WAIT)

    assert (
        bye.content.startswith(
            "I was away for 0:"  # seconds, not minutes, on any machine
        )
        and f"did not come back to <#{server.lounge}>" in bye.content
    )
    assert back(discord_api, server) == []
    lines = transcript_lines(bye)
    assert lines[0] == "Ann: tone 440" and MARKED.fullmatch(lines[1]) and len(lines) == 2


async def test_a_call_the_days_quota_keeps_from_coming_back_is_ended_saying_why(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Killed mid-call; by the next start the server's listening of the day is used up (another
    replica listened meanwhile): the bot does not join, and its goodbye says why, in the quota's
    own words, with the transcript of what was heard."""
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    env = await killed_after_anns_words(discord_api, server, mimo, database_url, tmp_path, ann)
    await listened_today(database_url, server, seconds=60)

    quota = env | {"DAILY_LISTEN_SECONDS": "60"}
    async with voicebridge_run(tmp_path, quota, "second", identified(discord_api)):
        bye = await until_goodbye(discord_api, server)

    why = "This server has used all of today's listening in voice channels"
    assert f"did not come back to <#{server.lounge}>: {why}" in bye.content
    assert not in_voice(discord_api, server) and back(discord_api, server) == []
    assert transcript_lines(bye)[0] == "Ann: tone 440"


async def test_an_operator_stopping_for_good_ends_the_call_with_its_transcript(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """CALLS_END_ON_STOP=true: the operator's stop is for good, so it ends the call as
    /stop_listening would (its goodbye and transcript), and the next start takes nothing up."""
    mimo.asr_text = tone_heard
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    members = Members(discord_api, server.general)
    env = environment(discord_api, mimo, database_url, tmp_path)
    async with voicebridge_run(
        tmp_path, env | {"CALLS_END_ON_STOP": "true"}, "first", identified(discord_api)
    ):
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_again(discord_api, server, members, ann)
        await said_and_captioned(discord_api, server, ann, 440)
    bye = await until_goodbye(discord_api, server)
    assert await query(database_url, "SELECT count(*) FROM live_calls") == [(0,)]
    async with voicebridge_run(tmp_path, env, "second", identified(discord_api)):
        await members.answer(ann.user_id, "listen_me", allowed=True)  # it is up by now

    assert bye.content.startswith(f"I stopped listening and left <#{server.lounge}>.")
    assert transcript_lines(bye) == ["Ann: tone 440"]
    assert back(discord_api, server) == []
    assert not in_voice(discord_api, server)


async def test_an_interpreted_call_is_interpreted_again_once_taken_up(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """/listen interpret:True cheaper:True, the bot killed and started again: the call it
    takes up is interpreted, as asked at its start (the options are kept with the call): Bob's
    Chinese is captioned with its English and spoken in English into the call, its captions
    still cut the cheaper way."""
    mimo.asr_text = sentence_of_tone
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    env = environment(discord_api, mimo, database_url, tmp_path)
    async with voicebridge_run(tmp_path, env, "first", identified(discord_api)) as first:
        for member in (ann, bob):
            await members.answer(member.user_id, "listen_me", allowed=True)
        await listening_again(discord_api, server, members, ann, interpret=True, cheaper=True)
        first.kill()
        await first.wait()

    async with voicebridge_run(tmp_path, env, "second", identified(discord_api)):
        await until(lambda: back(discord_api, server), "the chat told it is back", WAIT)
        call = await in_the_call_again(discord_api, server)
        await discord_api.voice.speak(bob, tone(660, 1.0))
        await until(lambda: len(clips(call)) == 1, "Bob's interpretation heard", WAIT)
        # Kept again by the process that took it up, as it was asked: cheaper.
        assert await query(database_url, "SELECT cheaper FROM live_calls") == [(True,)]
        await members.answer(ann.user_id, "stop_listening")

    assert "I also interpret" in back(discord_api, server)[0]
    assert "**Bob**: [English] 好的，我们开始吧。\n-# 好的，我们开始吧。" in posted_in(
        discord_api, server.lounge
    )
    assert spoken_requests(mimo)[-1][1] == "English 好的，我们开始吧。"


@pytest.mark.postgres
async def test_the_process_that_runs_the_shard_next_takes_the_call_up(
    mimo: FakeMimo, postgres_database_url: str, tmp_path: Path
) -> None:
    """Two shard processes share PostgreSQL; the one whose shard holds the server listens, and
    is killed. The process started for that shard takes the call up; the other, running all
    along, leaves it alone (Discord never shows it that server)."""
    mimo.asr_text = tone_heard
    async with FakeDiscord() as discord_api:
        server = discord_api.add_guild("on shard 1", shard=(1, 2))
        discord_api.add_guild("on shard 0", shard=(0, 2))
        [ann] = await in_the_lounge(discord_api, server, "Ann")
        members = Members(discord_api, server.general)
        env = environment(discord_api, mimo, postgres_database_url, tmp_path)
        shard = {"DISCORD_SHARD_COUNT": "2"}
        zero = env | shard | {"DISCORD_SHARD_IDS": "0", "INSTANCE_NAME": "zero"}
        one = env | shard | {"DISCORD_SHARD_IDS": "1", "INSTANCE_NAME": "one"}
        async with voicebridge_run(tmp_path, zero, "zero", identified(discord_api)):
            async with voicebridge_run(tmp_path, one, "one", identified(discord_api)) as first:
                await members.answer(ann.user_id, "listen_me", allowed=True)
                await listening_again(discord_api, server, members, ann, cheaper=True)
                await said_and_captioned(discord_api, server, ann, 440)
                first.kill()
                await first.wait()
            async with voicebridge_run(tmp_path, one, "one-again", identified(discord_api)):
                await until(lambda: back(discord_api, server), "the chat told it is back", WAIT)
                await in_the_call_again(discord_api, server)
                await said_and_captioned(discord_api, server, ann, 550)
                await members.answer(ann.user_id, "stop_listening")
                bye = await until_goodbye(discord_api, server)

    assert len(back(discord_api, server)) == 1
    lines = transcript_lines(bye)
    assert [line for line in lines if not MARKED.fullmatch(line)] == [
        "Ann: tone 440", "Ann: tone 550",
    ]  # fmt: skip
    assert "taking up the call" not in (tmp_path / "zero.log").read_text()
    assert "taking up the call" in (tmp_path / "one-again.log").read_text()


async def killed_after_anns_words(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, tmp_path: Path,
    ann: CallMember,
) -> dict[str, str]:  # fmt: skip
    """Ann says yes and starts /listen, her words are captioned, and the bot is killed: the
    environment it ran with, for its next start."""
    mimo.asr_text = tone_heard
    members = Members(discord_api, server.general)
    env = environment(discord_api, mimo, database_url, tmp_path)
    async with voicebridge_run(tmp_path, env, "first", identified(discord_api)) as first:
        await members.answer(ann.user_id, "listen_me", allowed=True)
        # Pieces of 2 to 4 s: her words are one piece, the turn's last, kept once captioned.
        await listening_again(discord_api, server, members, ann, cheaper=True)
        await said_and_captioned(discord_api, server, ann, 440)
        first.kill()
        await first.wait()
    return env


async def kept_call(url: str, server: Guild) -> KeptCall | None:
    """The call the database keeps in `server` for a restart to take up."""
    async with unit_of_work(url) as uow:
        return await uow.live_calls.get(place_of(guild_id=server.id))


async def consent_saved(url: str, server: Guild, member: int, yes: bool) -> None:
    """A member's yes or no saved as another replica answering /listen_me saves it."""
    async with unit_of_work(url) as uow:
        await uow.listening_consents.save(place_of(guild_id=server.id), str(member), yes)
        await uow.commit()


async def listened_today(url: str, server: Guild, *, seconds: int) -> None:
    """The server's calls listened to for `seconds` today, as another replica counts them."""
    async with unit_of_work(url) as uow:
        row = listen_row(place_of(guild_id=server.id))
        await uow.usage.add(row, utc_day(datetime.now(UTC)), Counts(audio_seconds=seconds))
        await uow.commit()


async def listening_again(
    discord_api: FakeDiscord, server: Guild, members: Members, starter: CallMember,
    **options: bool,
) -> None:  # fmt: skip
    await members.answer(starter.user_id, "listen", **options)
    await in_the_call_again(discord_api, server)
    await until(lambda: posted_in(discord_api, server.lounge), "the opening line", WAIT)


async def said_and_captioned(
    discord_api: FakeDiscord, server: Guild, member: CallMember, pitch: int
) -> None:
    """`member` says a tone of `pitch`, and its caption is posted (kept by then)."""
    await discord_api.voice.speak(member, tone(pitch, 0.8))
    await until(
        lambda: any(f"tone {pitch}" in line for line in posted_in(discord_api, server.lounge)),
        f"the caption of tone {pitch}", WAIT,
    )  # fmt: skip


async def until_goodbye(discord_api: FakeDiscord, server: Guild) -> SentMessage:
    def bye() -> SentMessage | None:
        found = [m for m in discord_api.messages_in(server.lounge) if m.attachments]
        return found[-1] if found else None

    await until(bye, "the goodbye with the transcript", WAIT)
    found = bye()
    assert found is not None
    return found
