"""The bot reads a channel's history only for a member who may read it: /summary, the Gist
button and the Speak button, asked by a member whose Read Message History is denied in the
channel (a permission overwrite), get one private line, and nothing of the channel is fetched.
The real discord.py client against the Discord stand-in, which computes each member's
permissions in the interaction's channel."""

from __future__ import annotations

from pathlib import Path

from bots.discord.discord_wording import text
from tests.audio_factory import make_audio
from tests.integration.conftest import discord_settings, running_discord
from tests.integration.test_gists import with_button
from tests.standins.discord_api import READ_MESSAGE_HISTORY, FakeDiscord, Guild
from tests.standins.mimo import FakeMimo

HIDDEN = text("discord.history.hidden", "en")
HISTORY = "GET /channels/{channel_id}/messages"
ONE_MESSAGE = "GET /channels/{channel_id}/messages/{message_id}"


def reads(discord_api: FakeDiscord) -> int:
    """How many times the bot asked Discord for a channel's history or one of its messages."""
    return len([c for c in discord_api.calls if c.route in {HISTORY, ONE_MESSAGE}])


async def test_a_member_who_may_not_read_the_history_gets_no_summary_of_it(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str
) -> None:
    alice, carla = discord_api.add_member(server, "alice"), discord_api.add_member(server, "carla")
    await discord_api.deny_in_channel(server.general, carla, READ_MESSAGE_HISTORY)
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await discord_api.post_message(server.general, alice, "The launch moves to Friday")
        asked = await discord_api.slash(server.general, carla, "summary", window="2h")
        [refusal] = await asked.wait_for_messages()

    assert refusal.ephemeral and refusal.content == HIDDEN
    assert reads(discord_api) == 0
    assert not [r for r in mimo.requests if "-tts" not in r["model"]]  # nothing summarised


async def test_the_gist_and_speak_buttons_fetch_nothing_for_a_member_who_may_not_read_it(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """Under a long voice message's transcript (Gist) and under a translation (Speak): a member
    who may not read the history gets the line alone, privately, and neither message is
    fetched again for them."""
    alice, bob = discord_api.add_member(server, "alice"), discord_api.add_member(server, "bob")
    carla = discord_api.add_member(server, "carla")
    await discord_api.deny_in_channel(server.general, carla, READ_MESSAGE_HISTORY)
    long_note = make_audio(tmp_path, fmt="ogg", seconds=62).read_bytes()
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, asr_piece_seconds=30
    )
    async with running_discord(settings, discord_api):
        said = await discord_api.post_message(server.general, bob, "See you tomorrow")
        translated = await discord_api.message_command(server.general, alice, "Translate", said)
        [translation] = await translated.wait_for_messages()
        await discord_api.post_voice_message(server.general, bob, long_note, duration=62)
        [transcript] = [m for m in await discord_api.wait_for_messages(server.general, 2)
                        if m is not translation]  # fmt: skip
        await with_button(discord_api, transcript)
        before = reads(discord_api)
        gist = await discord_api.click(transcript, carla, label="Gist")
        [no_gist] = await gist.wait_for_messages()
        speak = await discord_api.click(translation, carla, label="Speak")
        [no_speech] = await speak.wait_for_messages()
        after = reads(discord_api)

    assert no_gist.ephemeral and no_gist.content == HIDDEN
    assert no_speech.ephemeral and no_speech.content == HIDDEN
    assert after == before  # neither message fetched again for carla
    assert not any(m.is_voice_message for m in discord_api.messages)
