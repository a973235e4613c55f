"""The Discord bot without the Server Members intent, as a bot Discord has not (or not yet)
approved for it runs (reviewed again each year past 10,000 users since June 2026): asking for
it anyway is refused at IDENTIFY with 4014; with DISCORD_MEMBERS_INTENT=false it starts, is
told of nobody joining or leaving a private thread and lists nobody in one, so that thread's
voice messages show in /find only to those who manage its threads or search within it, never
to someone it cannot know is in it. Told of no member's new roles either, the channel reader
asks Discord for its listeners as each message comes, and a command's member counts as
Discord sends them with it; /remember and /listen work as they do with the intent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import discord
import pytest

from bots.discord.discordpy_internals import point_gateway_at, point_rest_at
from bots.discord.voice_channels.speech_playback import installed_voice_client
from core.domain.errors import ConfigError
from tests.integration.conftest import discord_bot_online, discord_settings, running_discord
from tests.integration.test_discord_find import LAYOFFS
from tests.integration.test_discord_listening import (
    bot_in_server,
    heard_tones,
    in_the_lounge,
    listening_started,
)
from tests.integration.test_discord_reader import heard_clips, in_lounge, spoken_requests
from tests.integration.test_discord_reader_access import counted, held_line
from tests.integration.test_discord_remember import SAID, find, recorded, remember
from tests.scenarios.discord_bot import Members, posted_in
from tests.standins.discord_api import (
    GUILD_MEMBERS,
    MANAGE_THREADS,
    MOVE_MEMBERS,
    VIEW_CHANNEL,
    FakeDiscord,
    Guild,
)
from tests.standins.mimo import FakeMimo
from tests.standins.voice_members import tone
from tests.waiting import until

THREAD_MEMBERS = "GET /channels/{channel_id}/thread-members"
NOT_GRANTED = frozenset({"message_content"})  # the Server Members intent not approved


@pytest.fixture
async def discord_api() -> AsyncIterator[FakeDiscord]:
    """Discord, for an application granted the Message Content intent alone."""
    async with FakeDiscord(privileged_intents=NOT_GRANTED) as api:
        yield api


async def test_asking_for_the_members_intent_not_granted_stops_the_run_naming_the_setting(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """By default the bot asks for it: Discord closes the session with 4014, and the run stops
    with a line that names the switch and DISCORD_MEMBERS_INTENT; set to false, the bot
    identifies without it and is not closed."""
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    with pytest.raises(ConfigError, match="DISCORD_MEMBERS_INTENT=false"):
        async with running_discord(settings, discord_api):
            pass
    without = settings.model_copy(update={"discord_members_intent": False})
    async with running_discord(without, discord_api):
        ann = discord_api.add_member(server, "ann")
        answered = await discord_api.slash(server.general, ann, "help")
        [helped] = await answered.wait_for_messages()

    [identified] = discord_api.identify_payloads  # the refused session never identified
    assert not identified["intents"] & GUILD_MEMBERS
    assert discord_api.closed_sessions[0] == 4014
    assert 4014 not in discord_api.closed_sessions[1:]
    assert helped.content  # the bot answers commands


async def test_a_private_thread_shows_only_to_those_who_manage_threads_or_search_within_it(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str,
    notes: dict[int, bytes],
) -> None:  # fmt: skip
    """Ann's private thread holds Bob and the bot. Discord tells a bot without the intent of
    nobody else in it, and would refuse to list them: the bot never asks, and knows nobody in
    it. Ann's layoffs note there is found by Ann searching in the thread and by a moderator
    who manages threads, never by Carol, nor by Bob or Ann in #general (unknown is closed)."""
    mimo.asr_text = lambda duration, body: LAYOFFS
    ann, bob = discord_api.add_member(server, "ann"), discord_api.add_member(server, "bob")
    carol, mod = discord_api.add_member(server, "carol"), discord_api.add_member(server, "mod")
    moderators = await discord_api.add_role(server, "moderators", MANAGE_THREADS)
    await discord_api.give_role(server, mod, moderators)
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, discord_members_intent=False
    )
    async with running_discord(settings, discord_api):
        thread = await discord_api.add_thread(
            server.general, ann, "planning", private=True,
            members=[bob, discord_api.application_id],
        )  # fmt: skip
        await discord_api.post_voice_message(thread, ann, notes[2], duration=2)
        await discord_api.wait_for_messages(thread)
        askers = [("carol", carol, server.general), ("bob", bob, server.general),
                  ("ann", ann, server.general), ("mod", mod, server.general),
                  ("inside", ann, thread)]  # fmt: skip
        found = {
            name: await find(discord_api, where, who, "layoffs") for name, who, where in askers
        }

    for name in ("carol", "bob", "ann"):
        assert "keep it quiet" not in found[name], name
    for name in ("mod", "inside"):
        assert "The **layoffs** are planned for March" in found[name], name
    assert not [c for c in discord_api.calls if c.route == THREAD_MEMBERS]


async def test_a_member_removed_from_a_private_thread_is_never_still_counted_in_it(
    mimo: FakeMimo, sqlite_url: str, notes: dict[int, bytes]
) -> None:
    """The application holds the intent, but the bot runs without it: Discord would list the
    thread's members, yet never tells the bot of anyone leaving. Bob, removed from the thread
    once the bot has heard Ann's note there, finds nothing of it (before, the bot had listed
    him when it was added and counted him in the thread ever after)."""
    mimo.asr_text = lambda duration, body: LAYOFFS
    async with FakeDiscord() as discord_api:
        server = discord_api.add_guild()
        ann, bob = discord_api.add_member(server, "ann"), discord_api.add_member(server, "bob")
        settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url,
                                    discord_members_intent=False)  # fmt: skip
        async with running_discord(settings, discord_api):
            thread = await discord_api.add_thread(
                server.general, ann, "planning", private=True,
                members=[bob, discord_api.application_id],
            )  # fmt: skip
            await discord_api.post_voice_message(thread, ann, notes[2], duration=2)
            await discord_api.wait_for_messages(thread)
            await discord_api.remove_from_thread(thread, bob)  # the bot is not told
            after = await find(discord_api, server.general, bob, "layoffs")
            inside = await find(discord_api, thread, ann, "layoffs")

    assert "keep it quiet" not in after
    assert "The **layoffs** are planned for March" in inside
    assert not [c for c in discord_api.calls if c.route == THREAD_MEMBERS]


async def test_remember_imports_the_channels_voice_messages_and_find_finds_them(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str,
    notes: dict[int, bytes],
) -> None:  # fmt: skip
    mimo.asr_text = lambda duration, body: SAID[round(duration)]
    ann = discord_api.add_member(server, "ann", manage_guild=True)
    bob = discord_api.add_member(server, "bob")
    await recorded(discord_api, server.general, bob, notes[3], 3, days_ago=5)
    await recorded(discord_api, server.general, ann, notes[6], 6, days_ago=2)
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, discord_members_intent=False
    )
    async with running_discord(settings, discord_api):
        found = await remember(discord_api, server.general, ann, start=True)
        bobs = await find(discord_api, server.general, bob, "deposit")

    assert found.startswith(
        "Members' voice messages here in the last 30 days to transcribe: 2, 0:09 of speech."
    )
    assert "keeps the **deposit** until March" in bobs and "The **deposit** is back" in bobs


async def test_listen_transcribes_the_member_who_said_yes_and_nobody_else(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Members in voice come with their voice states, which need no privileged intent."""
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    speak = discord_api.voice.speak
    async with bot_in_server(discord_api, mimo, sqlite_url, discord_members_intent=False):
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, bob.user_id, cheaper=True)
        await until(lambda: posted_in(discord_api, server.lounge), "the opening line")
        await asyncio.gather(speak(ann, tone(440, 1.0)), speak(bob, tone(660, 1.0)))
        await until(lambda: len(posted_in(discord_api, server.lounge)) == 2, "Ann's line")
        await members.answer(bob.user_id, "stop_listening")

    opening, line, *_ = posted_in(discord_api, server.lounge)
    assert "Transcribed: Ann\nNot transcribed: Bob\n" in opening
    assert line == "**Ann**: tone 440"
    assert heard_tones(mimo) == [440]  # nothing of Bob's ever reached MiMo
    assert not discord_api.identify_payloads[-1]["intents"] & GUILD_MEMBERS


async def test_discord_tells_a_bot_without_the_intent_of_no_member_and_lists_none(
    discord_api: FakeDiscord, server: Guild
) -> None:
    """The stand-in, through discord.py itself: a session without the Server Members intent
    is sent no member's update and no one else joining a thread it is in, only the members it
    must have (itself) at the start, and an application not granted the intent is refused the
    list of a thread's members (403, Missing Access)."""
    ann, bob = discord_api.add_member(server, "ann"), discord_api.add_member(server, "bob")
    seen: list[str] = []
    created = asyncio.Event()
    wanted = discord.Intents.none()
    wanted.guilds = True
    client = discord.Client(intents=wanted)

    @client.event
    async def on_raw_member_update(member: discord.Member) -> None:
        seen.append(f"member update {member.id}")

    @client.event
    async def on_thread_member_join(member: discord.ThreadMember) -> None:
        seen.append(f"thread member {member.id}")

    @client.event
    async def on_guild_channel_create(channel: discord.abc.GuildChannel) -> None:
        created.set()

    point_rest_at(discord_api.api_url)
    point_gateway_at(discord_api.gateway_url)
    await client.login(discord_api.token)
    connection = asyncio.create_task(client.connect(reconnect=False))
    try:
        await asyncio.wait_for(client.wait_until_ready(), timeout=15)
        thread_id = await discord_api.add_thread(
            server.general, ann, "planning", private=True,
            members=[discord_api.application_id, bob],
        )  # fmt: skip
        staff = await discord_api.add_role(server, "staff", 0)
        await discord_api.give_role(server, bob, staff)
        await discord_api.add_text_channel(server, "after")  # sent after all of the above
        await asyncio.wait_for(created.wait(), timeout=15)
        thread = client.get_channel(thread_id)
        assert isinstance(thread, discord.Thread)
        with pytest.raises(discord.Forbidden):
            await thread.fetch_members()
        guild = client.get_guild(server.id)
        assert guild is not None
        known = {m.id for m in guild.members}
    finally:
        await client.close()
        await connection

    assert seen == []
    assert {m.id for m in thread.members} <= {discord_api.application_id}
    assert known <= {discord_api.application_id} and guild.member_count is not None
    assert guild.member_count >= 3  # Discord counts them all, and names none


async def test_the_channel_reader_asks_discord_for_its_listeners_roles_as_a_message_comes(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Carol, in the Lounge, is given a role that may not see #general, and Discord sends no
    GUILD_MEMBER_UPDATE to a bot without the intent: Ann's next message is still withheld, the
    bot having asked Discord for Carol as it came; once the role is taken away, the next one is
    read (before, the bot went on with Carol's roles as she joined, and read it to her)."""
    ann, carol = await in_lounge(discord_api, server, "Ann", "Carol")
    members = Members(discord_api, server.general)
    withheld = 'voicebridge_reading_messages_total{outcome="withheld"}'
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, discord_members_intent=False
    )
    voice_client = installed_voice_client()
    async with discord_bot_online(settings, discord_api, voice_client=voice_client) as (_, runtime):
        guests = await discord_api.add_role(server, "Guests", 0)
        await discord_api.overwrite(server.general, guests, deny=VIEW_CHANNEL, role=True)
        await members.answer(ann, "read_channel", channel=server.general)
        await discord_api.give_role(server, carol, guests)  # the bot is not told
        await discord_api.post_message(server.general, ann, "Held back")
        await until(lambda: counted(runtime, withheld) == 1, "the message withheld")
        await discord_api.take_role(server, carol, guests)  # nor of this
        await discord_api.post_message(server.general, ann, "Going on")
        await heard_clips(discord_api, 1)  # played to its end

    assert [text for _, text in spoken_requests(mimo)] == ["Ann says: Going on"]
    assert posted_in(discord_api, server.lounge) == [held_line(server.general)]


async def test_a_member_given_move_members_meanwhile_may_stop_a_listening(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Bob, in the call Ann started, is made a moderator (Move Members) while the bot is told
    nothing: his /stop_listening, which carries his roles as they are, stops it (before, the
    bot judged him by his roles as he joined voice, and refused)."""
    ann, bob = await in_the_lounge(discord_api, server, "Ann", "Bob")
    members = Members(discord_api, server.general)
    async with bot_in_server(discord_api, mimo, sqlite_url, discord_members_intent=False):
        await members.answer(ann.user_id, "listen_me", allowed=True)
        await listening_started(discord_api, server, members, ann.user_id)
        moderators = await discord_api.add_role(server, "moderators", MOVE_MEMBERS)
        await discord_api.give_role(server, bob.user_id, moderators)  # the bot is not told
        stopped = await members.answer(bob.user_id, "stop_listening")

    assert stopped.content == f"I stopped listening and left <#{server.lounge}>."
