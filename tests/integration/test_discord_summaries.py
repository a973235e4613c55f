"""Discord summaries, questions from a modal and /forget, end to end: the real discord.py client
reads channel history from the Discord stand-in and asks the MiMo stand-in."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest

from core.infra.storage import Base
from tests.integration.chatlog_db import query
from tests.integration.conftest import discord_settings, running_discord
from tests.integration.test_discord_bot import answer
from tests.integration.test_telegram_summaries import SUMMARY, conversation, summary_requests
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo

HEADER = re.compile(r"Summary of (\d+) messages? since .+ UTC:")


PER_PLACE = ("chat_preferences", "chat_summary_state", "chat_messages")


async def stored(url: str, *chat_ids: str) -> dict[str, int]:
    """Rows of the Discord places `chat_ids` in every table that names places, the claims on
    their messages and commands included (the chats without any stay out)."""
    counts = {}
    for table in Base.metadata.sorted_tables:
        if {"platform", "chat_id"} <= set(table.c.keys()):
            rows = await query(url, f"SELECT platform, chat_id FROM {table.name}")
            found = sum(1 for p, c in rows if p == "discord" and c in chat_ids)
            if found or table.name in PER_PLACE:
                counts[table.name] = found
    return counts


# --- /summary --------------------------------------------------------------------------------


async def test_a_summary_holds_exactly_that_channels_messages_in_the_window(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, short_ogg: bytes
) -> None:
    alice, bob = discord_api.add_member(server, "alice"), discord_api.add_member(server, "bob")
    mimo.answer_text = SUMMARY
    now = datetime.now(UTC)
    voice = discord_api.attachment(
        short_ogg, filename="voice-message.ogg", content_type="audio/ogg", duration=2
    )
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        say = discord_api.post_message
        await say(server.general, alice, "Old news from this morning", at=now - timedelta(hours=3))
        await say(
            server.general, alice, "Move the launch to Friday?", at=now - timedelta(seconds=50)
        )
        await say(server.random, bob, "#random keeps its secrets", at=now - timedelta(seconds=45))
        await say(server.general, bob, attachments=[voice], at=now - timedelta(seconds=40))
        await discord_api.wait_for_messages(server.general)  # its transcript: a bot's message
        await say(server.general, bob, "Friday works", at=now - timedelta(seconds=20))

        asked = await discord_api.slash(server.general, bob, "summary", window="2h")
        [reply] = await asked.wait_for_messages()

    [request] = summary_requests(mimo)
    assert conversation(request) == [
        "alice: Move the launch to Friday?",
        "bob: [voice message]",  # recordings in history are marked, not transcribed
        "bob: Friday works",
    ]
    assert asked.callback_type == 5  # deferred at once
    match = HEADER.match(reply.content)
    assert match and match.group(1) == "3"
    assert reply.content.endswith(SUMMARY)
    assert not reply.ephemeral
    read = {c.params["channel_id"] for c in discord_api.sent("GET /channels/{channel_id}/messages")}
    assert read == {str(server.general)}


async def test_without_a_window_it_summarises_since_the_last_summary_and_can_speak(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    alice = discord_api.add_member(server, "alice")
    now = datetime.now(UTC)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        say = discord_api.post_message
        await say(server.general, alice, "two days ago", at=now - timedelta(days=2))
        await say(server.general, alice, "this morning", at=now - timedelta(hours=3))
        first = await discord_api.slash(server.general, alice, "summary")
        await first.wait_for_messages()
        await say(server.general, alice, "after the summary")
        second = await discord_api.slash(server.general, alice, "summary", voice=True)
        [text_reply, voice_reply] = await second.wait_for_messages(count=2)

    first_request, second_request = summary_requests(mimo)
    assert conversation(first_request) == ["alice: this morning"]  # the last 24 h
    assert conversation(second_request) == ["alice: after the summary"]
    assert text_reply.content.endswith("a fake answer")
    assert voice_reply.is_voice_message
    assert mimo.calls("mimo-v2.5-tts")


async def test_a_bad_window_gets_the_usage_line(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await discord_api.post_message(server.general, alice, "hello")
        refusal = await answer(discord_api, server.general, alice, "summary", window="yesterday")

    assert refusal.content.startswith("Usage: /summary [window] [voice]. The window is a time")
    assert refusal.ephemeral
    assert summary_requests(mimo) == []


# --- "Ask about this audio" ------------------------------------------------------------------


@pytest.mark.parametrize("in_reasoning_only", [False, True])
async def test_ask_about_this_audio_takes_the_question_from_a_modal(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    short_ogg: bytes,
    in_reasoning_only: bool,
) -> None:
    mimo.answer_in_reasoning_only = in_reasoning_only
    alice = discord_api.add_member(server, "alice")
    memo = discord_api.attachment(short_ogg, filename="memo.ogg", content_type="audio/ogg")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        posted = await discord_api.post_message(
            server.general, alice, "the call", attachments=[memo]
        )
        opened = await discord_api.message_command(
            server.general, alice, "Ask about this audio", posted
        )
        await opened.wait_for_callback()
        assert discord_api.downloads == []  # nothing fetched before the question is there
        submitted = await discord_api.submit_modal(opened, "Who speaks first?")
        [reply] = await submitted.wait_for_messages()

    assert opened.callback_type == 9  # a modal, as the first response
    assert (opened.callback_data or {})["title"] == "Ask about this audio"
    assert submitted.callback_type == 5
    assert reply.content == "a fake answer"
    [request] = mimo.calls("mimo-v2.6-flash")
    content = request["messages"][-1]["content"]
    assert any(part.get("type") == "input_audio" for part in content)
    assert "Who speaks first?" in str(content)
    assert request["thinking"] == {"type": "disabled"}


async def test_ask_about_a_message_without_audio_is_refused_without_a_modal(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    alice = discord_api.add_member(server, "alice")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        plain = await discord_api.post_message(server.general, alice, "no audio here")
        asked = await discord_api.message_command(
            server.general, alice, "Ask about this audio", plain
        )
        [refusal] = await asked.wait_for_messages()

    assert refusal.content == "That message has no audio or video attachment to ask about."
    assert refusal.ephemeral
    assert mimo.requests == []


# --- /forget ---------------------------------------------------------------------------------


async def test_a_deleted_channel_leaves_no_rows_behind(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Once a channel is gone nothing ties its rows to its server, so they go with it."""
    admin = discord_api.add_member(server, "admin", manage_guild=True)
    random = f"channel:{server.random}"
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await answer(discord_api, server.random, admin, "autotranscribe", state="off",
                     scope="channel")  # fmt: skip
        await discord_api.post_message(server.random, admin, "hello")
        await answer(discord_api, server.random, admin, "summary")
        before = await stored(sqlite_url, random)
        await discord_api.delete_channel(server, server.random)
        for _ in range(500):  # the bot answers a deletion with nothing: its rows are the sign
            if not any((await stored(sqlite_url, random)).values()):
                break
            await asyncio.sleep(0.01)
        after = await stored(sqlite_url, random)

    assert before["chat_preferences"] == 1 and before["chat_summary_state"] == 1
    assert after == {"chat_preferences": 0, "chat_summary_state": 0, "chat_messages": 0}


async def test_a_channel_deleted_while_no_voicebridge_ran_leaves_no_rows_behind(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Nobody heard that deletion: the next start asks Discord about each stored channel it
    does not see, forgets the one Discord no longer knows, and keeps the others."""
    admin = discord_api.add_member(server, "admin", manage_guild=True)
    random, general = f"channel:{server.random}", f"channel:{server.general}"
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        for channel in (server.random, server.general):
            await answer(discord_api, channel, admin, "autotranscribe", state="off",
                         scope="channel")  # fmt: skip
    before = await stored(sqlite_url, random, general)
    await discord_api.delete_channel(server, server.random)  # with no bot connected

    async with running_discord(settings, discord_api):
        for _ in range(1000):  # the sweep answers nothing: its rows are the sign
            if not (await stored(sqlite_url, random))["chat_preferences"]:
                break
            await asyncio.sleep(0.01)
        after = await stored(sqlite_url, random, general)

    assert before["chat_preferences"] == 2
    assert after["chat_preferences"] == 1  # #general's own setting is still there
    assert await stored(sqlite_url, random) == dict.fromkeys(PER_PLACE, 0)


async def test_forget_needs_manage_server_and_leaves_no_rows_of_the_server(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, short_ogg: bytes
) -> None:
    other = discord_api.add_guild("Other server")
    admin = discord_api.add_member(server, "admin", manage_guild=True)
    member = discord_api.add_member(server, "member")
    other_admin = discord_api.add_member(other, "other admin", manage_guild=True)
    places = [f"guild:{server.id}"] + [f"channel:{c}" for c in (server.general, server.random)]
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await answer(discord_api, server.general, admin, "voice", name="Dean")
        await answer(discord_api, server.random, admin, "autotranscribe", state="off",
                     scope="channel")  # fmt: skip
        await discord_api.post_message(server.general, member, "hello")
        await answer(discord_api, server.general, member, "summary")
        await answer(discord_api, other.general, other_admin, "voice", name="Dean")
        await discord_api.post_voice_message(server.general, member, short_ogg, duration=2)
        await discord_api.wait_until(
            lambda: "heard 2.0 seconds" in discord_api.contents(server.general) or None,
            timeout=15,
            what="the voice message's transcript",
        )
        before = await stored(sqlite_url, *places)

        refused = await answer(discord_api, server.general, member, "forget")
        after_refusal = await stored(sqlite_url, *places)
        done = await answer(discord_api, server.general, admin, "forget")
        after = await stored(sqlite_url, *places)
        other_after = await stored(sqlite_url, f"guild:{other.id}")

    assert before == {
        "chat_preferences": 2,
        "chat_summary_state": 1,
        "chat_messages": 0,
        "chat_usage": 1,  # the summary's and the transcript's
        # /voice, /autotranscribe, /summary and the voice message: their claims
        "processed_updates": 4,
        "recording_transcripts": 1,  # the voice message's transcript, kept by its attachment
        "recording_transcript_parts": 1,
    }
    assert refused.content == "/forget in a server needs the Manage Server permission."
    assert after_refusal == {**before, "processed_updates": 5}  # the refused command's claim
    assert done.content.startswith("Done: I deleted everything I stored here")
    assert done.ephemeral
    # Only today's usage stays, so that forgetting gives no quota back.
    # Nothing kept of the transcript either: those tables name no place of the server now.
    # And how many times the server was forgotten: work under way anywhere checks the count.
    assert after == {"chat_preferences": 0, "chat_summary_state": 0, "chat_messages": 0,
                     "chat_usage": 1, "chat_forgets": 1}  # fmt: skip
    assert other_after["chat_preferences"] == 1  # another server's settings stay
