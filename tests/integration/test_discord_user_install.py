"""Discord, installed to a user account: the menus and /say, /transcribe, /ask in a DM between
friends, a group DM and a server that never added the bot, where Discord lets the bot answer
through the interaction alone (real discord.py against the Discord stand-in, real MiMo client,
ffmpeg and SQLite)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bots.discord.voices.native_voice_messages import PLACEHOLDER_LINE
from tests.audio_factory import make_audio
from tests.integration.chatlog_db import settled_claims
from tests.integration.conftest import discord_settings, running_discord
from tests.integration.test_kill_restart import (
    discord_environment,
    identified,
    mimo_received,
    voicebridge_run,
)
from tests.standins.discord_api import (
    PRIVATE_CHANNEL_CONTEXT,
    USER_INSTALL_PERMISSIONS,
    FakeDiscord,
    Guild,
    RestCall,
)
from tests.standins.mimo import FakeMimo

EVERYWHERE = {"integration_types": [0, 1], "contexts": [0, 1, 2]}
WITH_THE_SERVER = {"integration_types": [0], "contexts": [0, 1]}
REFUSED_VOICE = "Voice messages are not allowed here, so here it is as an audio file."


def channel_calls(discord_api: FakeDiscord) -> list[RestCall]:
    """Every REST call the bot made on a channel or a server, refused ones included."""
    return [
        c for c in discord_api.calls
        if "channel_id" in c.params or c.route.startswith("GET /guilds/")
    ]  # fmt: skip


async def test_commands_declare_where_they_work(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        pass

    def declared(kind: int, name: str) -> dict[str, list[int]]:
        [command] = [c for c in discord_api.commands if (c["type"], c["name"]) == (kind, name)]
        return {key: command[key] for key in ("integration_types", "contexts")}

    for name in ("say", "transcribe", "ask"):
        assert declared(1, name) == EVERYWHERE, name
    for name in ("Transcribe", "Read aloud", "Ask about this audio", "Translate"):
        assert declared(3, name) == EVERYWHERE, name
    # Reading a channel's history, or what the bot posts unasked, needs the bot in the server.
    for name in ("summary", "botlanguage", "autotranscribe", "autogist"):
        assert declared(1, name) == WITH_THE_SERVER, name


async def test_discord_refuses_commands_declared_for_installs_or_contexts_it_has_not(
    discord_api: FakeDiscord,
) -> None:
    url = f"{discord_api.api_url}/applications/{discord_api.application_id}/commands"
    headers = {"Authorization": f"Bot {discord_api.token}"}
    command = {"name": "say", "description": "Speak", "type": 1}
    async with httpx.AsyncClient() as http:
        for wrong in ({"integration_types": [2]}, {"contexts": [0, 3]}, {"contexts": []}):
            refused = await http.put(url, json=[{**command, **wrong}], headers=headers)
            assert (refused.status_code, refused.json()["code"]) == (400, 50035), wrong
        accepted = await http.put(url, json=[{**command, **EVERYWHERE}], headers=headers)
    assert accepted.status_code == 200


async def test_transcribe_on_a_voice_message_in_a_dm_between_friends(
    discord_api: FakeDiscord, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    """Done when: a user who installed the app to their account right-clicks a voice message
    in a DM with a friend and reads its transcript."""
    alice, bob = discord_api.add_user("alice"), discord_api.add_user("bob")
    discord_api.install_to_user(alice)
    dm = discord_api.private_channel(alice, bob)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        note = await discord_api.post_voice_message(dm, bob, voice_ogg, duration=3)
        asked = await discord_api.message_command(dm, alice, "Transcribe", note)
        [transcript] = await asked.wait_for_messages()
        await discord_api.wait_until(
            lambda: transcript.content == "heard 3.0 seconds", timeout=15, what="the transcript"
        )

    assert asked.payload["context"] == PRIVATE_CHANNEL_CONTEXT
    assert asked.payload["authorizing_integration_owners"] == {"1": str(alice)}
    assert transcript.interaction_id == asked.id and not transcript.ephemeral
    # The recording came with the interaction; the channel was never asked for anything.
    assert len(discord_api.downloads) == 1
    assert channel_calls(discord_api) == [] and discord_api.typing == []
    assert len(mimo.calls("mimo-v2.5-asr")) == 1  # the voice message alone: nothing unasked
    # Claimed, as every command is, under the user: the bot may not post in the channel.
    assert await settled_claims(sqlite_url) == [("discord", f"user:{alice}", "done")]


async def test_translate_in_a_dm_between_friends_and_no_button_the_bot_could_not_use(
    discord_api: FakeDiscord, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """Apps → Translate works where only the user installed the app, on what the interaction
    carries; a long transcript there has no Gist button, nor a translation into English a Speak
    button, whose clicks would need the bot to fetch the message from a channel it may not
    read."""
    alice, bob = discord_api.add_user("alice", locale="fr"), discord_api.add_user("bob")
    discord_api.install_to_user(alice)
    discord_api.install_to_user(bob)
    dm = discord_api.private_channel(alice, bob)
    long_note = make_audio(tmp_path, fmt="ogg", seconds=61).read_bytes()
    mimo.asr_text = "on se voit demain"
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, asr_piece_seconds=30
    )
    async with running_discord(settings, discord_api):
        note = await discord_api.post_voice_message(dm, bob, long_note, duration=61)
        asked = await discord_api.message_command(dm, alice, "Transcribe", note)
        [transcript] = await asked.wait_for_messages()
        await discord_api.wait_until(
            lambda: transcript.content.startswith("on se voit"), timeout=30, what="the transcript"
        )
        said = await discord_api.post_message(dm, bob, "see you tomorrow")
        translated = await discord_api.message_command(dm, alice, "Translate", said)
        [translation] = await translated.wait_for_messages()
        own = await discord_api.message_command(dm, bob, "Translate", said)
        [english] = await own.wait_for_messages()

    assert transcript.buttons == []
    assert translation.content == "[French] see you tomorrow" and not translation.ephemeral
    assert english.content == "[English] see you tomorrow" and english.buttons == []
    assert channel_calls(discord_api) == []


async def test_say_in_a_group_dm_tells_that_voice_messages_are_not_allowed_and_sends_audio(
    discord_api: FakeDiscord, mimo: FakeMimo, sqlite_url: str
) -> None:
    alice, bob, carol = (discord_api.add_user(name) for name in ("alice", "bob", "carol"))
    discord_api.install_to_user(alice)
    group = discord_api.private_channel(alice, bob, carol)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        said = await discord_api.slash(group, alice, "say", text="See you at eight")
        line, audio = await said.wait_for_messages(count=2)

    assert said.payload["app_permissions"] == str(USER_INSTALL_PERMISSIONS)
    [refused] = [c for c in discord_api.calls if not c.ok]
    assert (refused.status, refused.error_code) == (403, 50013)  # no Send Voice Messages here
    assert line.content == PLACEHOLDER_LINE
    assert audio.content == REFUSED_VOICE and not audio.is_voice_message
    [clip] = audio.attachments
    assert clip.filename == "speech.ogg" and clip.data.startswith(b"OggS")
    assert channel_calls(discord_api) == []


async def test_a_user_install_uses_the_users_own_preferences_not_the_servers(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    admin = discord_api.add_member(server, "admin", manage_guild=True)
    elsewhere = discord_api.add_guild("Friends' server", with_bot=False)
    alice = discord_api.add_member(elsewhere, "alice")  # no Manage Server there
    discord_api.install_to_user(alice)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        server_voice = await discord_api.slash(server.general, admin, "voice", name="Milo")
        await server_voice.wait_for_messages()
        chosen = await discord_api.slash(elsewhere.general, alice, "voice", name="Chloe")
        [set_to] = await chosen.wait_for_messages()
        said = await discord_api.slash(
            elsewhere.general, alice, "say", text="Hello there", in_voice_channel=True
        )
        _, audio, played = await said.wait_for_messages(count=3)
        in_server = await discord_api.slash(server.general, admin, "say", text="Hello all")
        await in_server.wait_for_messages(count=2)

    assert chosen.payload["authorizing_integration_owners"] == {"1": str(alice)}
    assert set_to.content == "Voice set to Chloe." and set_to.ephemeral  # hers to choose
    voices = [request["audio"]["voice"] for request in mimo.calls("mimo-v2.5-tts")]
    assert voices == ["Chloe", "Milo"]
    assert audio.content == REFUSED_VOICE
    assert played.content == "I can play in voice channels only in servers that added me."
    assert played.ephemeral and discord_api.voice_state_requests == []
    # The other server is refused to the bot, and it never tried.
    assert [c for c in channel_calls(discord_api) if c.params.get("channel_id") == str(
        elsewhere.general
    )] == []  # fmt: skip


async def test_ask_about_this_audio_in_a_server_without_the_bot(
    discord_api: FakeDiscord, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    elsewhere = discord_api.add_guild("Friends' server", with_bot=False)
    alice = discord_api.add_member(elsewhere, "alice")
    bob = discord_api.add_member(elsewhere, "bob")
    discord_api.install_to_user(alice)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        note = await discord_api.post_voice_message(elsewhere.general, bob, voice_ogg, duration=3)
        opened = await discord_api.message_command(
            elsewhere.general, alice, "Ask about this audio", note
        )
        await opened.wait_for_callback()
        submitted = await discord_api.submit_modal(opened, "What does he want?")
        [reply] = await submitted.wait_for_messages()

    assert opened.callback_type == 9
    assert reply.content == "a fake answer"
    assert "What does he want?" in str(mimo.calls("mimo-v2.6-flash")[-1]["messages"])
    assert channel_calls(discord_api) == []


async def test_a_server_only_command_is_not_offered_where_only_the_user_installed_it(
    discord_api: FakeDiscord, mimo: FakeMimo, sqlite_url: str
) -> None:
    alice, bob = discord_api.add_user("alice"), discord_api.add_user("bob")
    discord_api.install_to_user(alice)
    dm = discord_api.private_channel(alice, bob)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        with pytest.raises(AssertionError, match="does not offer 'summary' here"):
            await discord_api.slash(dm, alice, "summary")
        with pytest.raises(AssertionError, match="does not offer 'say' here"):
            await discord_api.slash(dm, bob, "say", text="bob never installed it")


async def test_work_that_would_outlast_the_token_stops_in_time_and_says_why(
    mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    """Where the interaction is the only way back, an answer after its 15 minutes could reach
    nobody: the work stops a minute before, while the user can still be told."""
    async with FakeDiscord(interaction_token_seconds=61.5) as discord_api:
        alice, bob = discord_api.add_user("alice"), discord_api.add_user("bob")
        discord_api.install_to_user(alice)
        dm = discord_api.private_channel(alice, bob)
        memo = discord_api.attachment(voice_ogg, filename="memo.ogg", content_type="audio/ogg")
        settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
        async with running_discord(settings, discord_api):
            # MiMo is slower than what is left of the token (here 61.5 s in all).
            with mimo.held():
                asked = await discord_api.slash(dm, alice, "transcribe", attachment=memo)
                [told] = await asked.wait_for_messages()

    assert told.ephemeral
    assert told.content.startswith("This is taking longer than Discord lets me answer here")
    assert channel_calls(discord_api) == []


async def test_where_the_bot_is_not_the_allowlist_counts_the_user_not_the_place(
    discord_api: FakeDiscord, mimo: FakeMimo, sqlite_url: str
) -> None:
    elsewhere = discord_api.add_guild("Friends' server", with_bot=False)
    alice = discord_api.add_member(elsewhere, "alice")
    bob = discord_api.add_member(elsewhere, "bob")
    for user in (alice, bob):
        discord_api.install_to_user(user)
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url,
        allowed_chats=f"discord:{elsewhere.id}", allowed_users=f"discord:{alice}",
    )  # fmt: skip
    async with running_discord(settings, discord_api):
        refused = await discord_api.slash(elsewhere.general, bob, "say", text="Let me in")
        [refusal] = await refused.wait_for_messages()
        served = await discord_api.slash(elsewhere.general, alice, "say", text="Hello")
        await served.wait_for_messages(count=2)

    assert refusal.content == "Sorry, this bot is private." and refusal.ephemeral
    [request] = mimo.calls("mimo-v2.5-tts")  # alice's alone
    assert request["messages"][-1]["content"] == "Hello"


async def test_after_a_kill_the_next_start_never_knocks_on_a_channel_the_bot_may_not_use(
    discord_api: FakeDiscord, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """A command from a DM between people, cut off by a kill, is redone by the next start,
    through the interaction alone: the channel is not the bot's to read or post in (an
    interrupted command is not reported there either)."""
    alice, bob = discord_api.add_user("alice"), discord_api.add_user("bob")
    discord_api.install_to_user(alice)
    dm = discord_api.private_channel(alice, bob)
    env = discord_environment(discord_api, mimo, database_url)
    async with voicebridge_run(tmp_path, env, "first", identified(discord_api)) as first:
        mimo.delay = 10  # MiMo sits on the speech: the kill comes long before
        said = await discord_api.slash(dm, alice, "say", text="Hello from the tests.")
        await mimo_received(mimo, "mimo-v2.5-tts")
        first.kill()
        await first.wait()
    mimo.delay = 0

    async with voicebridge_run(tmp_path, env, "second", identified(discord_api)):
        line, audio = await said.wait_for_messages(2, timeout=60)

    # The speech, as the DM takes it (no voice messages between people), in Alice's interaction.
    assert line.content == PLACEHOLDER_LINE
    assert audio.content == REFUSED_VOICE and audio.interaction_id == said.id
    [clip] = audio.attachments
    assert clip.filename == "speech.ogg" and clip.data.startswith(b"OggS")
    assert len(mimo.calls("mimo-v2.5-tts")) == 2  # the killed request, and the one redone
    assert channel_calls(discord_api) == []
    assert all(m.interaction_id is not None for m in discord_api.messages_in(dm))
