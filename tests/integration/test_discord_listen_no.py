"""A member's no to being transcribed wins every race (`/listen_me allowed:False` and the
"Don't transcribe me" button): with the database failing, after `/forget`, under an allowlist
that leaves the member or the channel out. Each time, nothing more of that member reaches MiMo:
the MiMo stand-in hears each voice as its pitch (`heard_tones`), and a line of someone else
said after theirs shows that anything of theirs would have been sent already. And a member
who joins the call is told it listens once in a while, joins together in one message.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

from sqlalchemy import make_url

from bots.discord.listening.listened_call_side import DiscordListenedCall
from tests.integration.chatlog_db import query
from tests.integration.test_discord_listening import (
    bot_in_server,
    heard_tones,
    in_the_lounge,
    listening_cog,
    listening_started,
    server_of,
)
from tests.integration.test_discord_reader import Members, left_by_itself, posted_in
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.standins.voice_members import tone
from tests.waiting import until

POST_MESSAGE = "POST /channels/{channel_id}/messages"


async def consents_unwritable(sqlite_url: str) -> None:
    """The database refuses every write of a consent to listening, as a full disk or a broken
    table would: the bot's next write there fails, whatever it tries. Written from a thread, as
    another process would: the bot, in this event loop, may hold SQLite's write lock in the
    middle of a transaction, which it can finish only while the loop runs."""
    path = make_url(sqlite_url).database
    assert path is not None

    def refuse() -> None:
        db = sqlite3.connect(path, isolation_level=None, timeout=30)
        try:
            db.execute("BEGIN IMMEDIATE")  # the write lock waited for, not lost to a race
            for change in ("INSERT", "UPDATE"):
                db.execute(
                    f"CREATE TRIGGER refuse_{change.lower()} BEFORE {change} ON listen_consents "
                    "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"
                )
            db.execute("COMMIT")
        finally:
            db.close()

    await asyncio.to_thread(refuse)


async def consents_writable(sqlite_url: str) -> None:
    """The disk has room again: the consents' writes go through."""
    path = make_url(sqlite_url).database
    assert path is not None

    def allow() -> None:
        db = sqlite3.connect(path, isolation_level=None, timeout=30)
        try:
            db.execute("DROP TRIGGER refuse_insert")
            db.execute("DROP TRIGGER refuse_update")
        finally:
            db.close()

    await asyncio.to_thread(allow)


async def test_a_no_the_database_refuses_holds_in_the_call_and_the_member_is_told_so(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    speak = discord_api.voice.speak
    async with bot_in_server(discord_api, mimo, sqlite_url):
        for member in (ann, bob):
            await members.answer(member.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, bob.user_id)
        await speak(ann, tone(440, 0.6))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "her line")
        await consents_unwritable(sqlite_url)
        said_no = await members.answer(ann.user_id, "listen_me", allowed=False)
        await speak(ann, tone(550, 0.6))  # after her no: never sent to MiMo
        await speak(bob, tone(660, 0.6))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 3, "Bob's line")
        await members.answer(bob.user_id, "stop_listening")

    assert heard_tones(mimo) == [440, 660]
    assert said_no.content == (
        "I stopped transcribing you in this call at once, but I could not save your no, so it "
        "holds only until this call ends. Please say it again in a moment."
    )
    assert posted_in(discord_api, server.lounge)[1:3] == ["**Ann**: tone 440", "**Bob**: tone 660"]
    # The truth: what is stored is still her yes.
    assert await query(sqlite_url, "SELECT consents FROM listen_consents") == [(1,), (1,)]


async def test_forget_during_a_call_ends_the_listening_first_and_keeps_nothing_of_it(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    admin = discord_api.add_member(server, "Dee", manage_guild=True)
    members = Members(discord_api, server.general)
    speak = discord_api.voice.speak
    async with bot_in_server(discord_api, mimo, sqlite_url):
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id, cheaper=True)
        await speak(ann, tone(440, 0.6))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "her line")
        with mimo.held():  # her next words at MiMo as /forget comes
            await speak(ann, tone(550, 0.6))
            await until(lambda: len(heard_tones(mimo)) == 2, "her words at MiMo")
            asked_to_forget = await discord_api.slash(server.general, admin, "forget")
        [forgot] = await asked_to_forget.wait_for_messages()
        await discord_api.voice.wait_until(lambda: left_by_itself(discord_api), what="leaving")
        asked = await discord_api.slash(server.lounge, ann.user_id, "summary", call=True)
        [kept] = await asked.wait_for_messages()

    assert forgot.content.startswith("Done: I deleted everything I stored here"), forgot.content
    bye = posted_in(discord_api, server.lounge)[-1]
    assert bye == f"I stopped listening and left <#{server.lounge}>."  # no transcript files
    assert discord_api.messages_in(server.lounge)[-1].attachments == []
    assert heard_tones(mimo) == [440, 550]
    assert kept.content.startswith("I keep no call of this voice channel"), kept.content
    assert await query(sqlite_url, "SELECT count(*) FROM recording_transcript_parts") == [(0,)]
    assert await query(sqlite_url, "SELECT count(*) FROM listen_consents") == [(0,)]


async def test_a_no_is_heard_in_the_calls_chat_that_the_channel_allowlist_leaves_out(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    in_general, in_lounge = (
        Members(discord_api, server.general),
        Members(discord_api, server.lounge),
    )
    speak = discord_api.voice.speak
    async with bot_in_server(discord_api, mimo, sqlite_url, allowed_chats=str(server.general)):
        for member in (ann, bob):
            await in_general.answer(member.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, in_general, bob.user_id)
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        [opening] = discord_api.messages_in(server.lounge)
        no = await discord_api.click(opening, ann.user_id, label="Don't transcribe me")
        [clicked_no] = await no.wait_for_messages()
        await speak(ann, tone(440, 0.6))  # after her no: never sent to MiMo
        yes_there = await in_lounge.answer(ann.user_id, "listen_me", allowed=True)  # refused
        await speak(ann, tone(550, 0.6))
        await in_general.answer(ann.user_id, "listen_me", allowed=True)
        await speak(ann, tone(330, 0.6))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "her line")
        said_no = await in_lounge.answer(ann.user_id, "listen_me", allowed=False)
        await speak(ann, tone(770, 0.6))
        await speak(bob, tone(660, 0.6))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 3, "Bob's line")
        await in_general.answer(bob.user_id, "stop_listening")

    assert clicked_no.content.startswith("I do not transcribe what you say"), clicked_no.content
    assert yes_there.content == "Sorry, this bot is private.", yes_there.content
    assert said_no.content.startswith("I do not transcribe what you say"), said_no.content
    assert heard_tones(mimo) == [330, 660]
    assert posted_in(discord_api, server.lounge)[1:3] == ["**Ann**: tone 330", "**Bob**: tone 660"]


async def test_a_member_taken_off_the_user_allowlist_after_a_yes_can_still_say_no(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    speak = discord_api.voice.speak
    both = f"{ann.user_id},{bob.user_id}"
    async with bot_in_server(discord_api, mimo, sqlite_url, allowed_users=both):
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await members.answer(bob.user_id, "listen_me", allowed=True)
    async with bot_in_server(discord_api, mimo, sqlite_url, allowed_users=str(bob.user_id)):
        await listening_started(discord_api, server, members, bob.user_id)
        await speak(ann, tone(440, 0.6))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "her line")
        yes_again = await members.answer(ann.user_id, "listen_me", allowed=True)  # refused
        said_no = await members.answer(ann.user_id, "listen_me", allowed=False)
        await speak(ann, tone(550, 0.6))
        await speak(bob, tone(660, 0.6))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 3, "Bob's line")
        await members.answer(bob.user_id, "stop_listening")

    assert yes_again.content == "Sorry, this bot is private.", yes_again.content
    assert said_no.content.startswith("I do not transcribe what you say"), said_no.content
    assert heard_tones(mimo) == [440, 660]
    assert await query(
        sqlite_url, f"SELECT consents FROM listen_consents WHERE member_id = '{ann.user_id}'"
    ) == [(0,)]


async def test_a_member_who_comes_back_soon_is_not_told_again(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    cleo, dan = discord_api.add_member(server, "Cleo"), discord_api.add_member(server, "Dan")
    members = Members(discord_api, server.general)
    async with bot_in_server(discord_api, mimo, sqlite_url):
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id)
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        cleo_in = await discord_api.join_call(server, cleo, server.lounge)
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "Cleo told")
        await discord_api.leave_call(server, cleo_in)
        await discord_api.join_call(server, cleo, server.lounge)  # back at once: not told
        await discord_api.join_call(server, dan, server.lounge)
        await until(lambda: "Dan joined" in posted_in(discord_api, server.lounge)[-1], "Dan told")
        await members.answer(ann.user_id, "stop_listening")

    _, told_cleo, told_dan, _ = posted_in(discord_api, server.lounge)
    assert told_cleo.startswith(f"Cleo joined <#{server.lounge}>, where I am listening")
    assert told_dan.startswith("Dan joined")


async def test_members_who_join_while_a_notice_is_being_sent_are_told_in_one_message(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    [ann] = await in_the_lounge(discord_api, server, "Ann")
    dan, eve, finn = (discord_api.add_member(server, name) for name in ("Dan", "Eve", "Finn"))
    members = Members(discord_api, server.general)
    async with bot_in_server(discord_api, mimo, sqlite_url) as bot:
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id)
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        call = listening_cog(bot).listened.call_in(server_of(server))
        assert call is not None and isinstance(call.side, DiscordListenedCall)
        waiting = call.side.notices.pending
        with discord_api.held(POST_MESSAGE):  # Discord slow to take the notice about Dan
            posts = len(discord_api.calls)
            await discord_api.join_call(server, dan, server.lounge)
            await discord_api.wait_until(
                lambda: any(c.route == POST_MESSAGE for c in discord_api.calls[posts:]),
                timeout=15, what="the notice about Dan",
            )  # fmt: skip
            for member in (eve, finn):
                await discord_api.join_call(server, member, server.lounge)
            await until(lambda: len(waiting) == 2, "Eve's and Finn's notices waiting")
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 3, "Eve and Finn told")
        await members.answer(ann.user_id, "stop_listening")

    _, told_dan, told_both, _ = posted_in(discord_api, server.lounge)
    assert told_dan.startswith("Dan joined")
    eve_line, finn_line = told_both.split("\n")
    assert eve_line.startswith("Eve joined") and finn_line.startswith("Finn joined")


async def test_a_member_who_comes_back_after_a_while_is_told_again(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    ann, cleo = await in_the_lounge(discord_api, server, "Ann", "Cleo")
    members = Members(discord_api, server.general)
    async with bot_in_server(discord_api, mimo, sqlite_url) as bot:
        listening_cog(bot).listening.notice_again = timedelta(0)  # every while is a while
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id)
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        await discord_api.leave_call(server, cleo)
        await discord_api.join_call(server, cleo.user_id, server.lounge)
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "Cleo told")
        await members.answer(ann.user_id, "stop_listening")

    assert posted_in(discord_api, server.lounge)[1].startswith("Cleo joined")
