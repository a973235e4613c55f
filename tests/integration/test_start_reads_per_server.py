"""What a start reads of the calls and readings kept through a restart does not grow with the
servers the bot is in: as each server becomes available, the bot asks whether a call or a
reading was kept there to take up, and a thousand servers in which none was must not cost a
thousand lookups of each. Counted at the database, for the real Discord bot against the
stand-in, from its start until every server's arrival is handled."""

from __future__ import annotations

import asyncio

from bots.discord.voice_channels.speech_playback import installed_voice_client
from tests.integration.conftest import discord_bot_online, discord_settings
from tests.integration.test_one_call_per_event import statements
from tests.standins.discord_api import FakeDiscord
from tests.standins.mimo import FakeMimo

SERVERS = 12


async def handled(event: str) -> None:
    """Until every listener of `event` that discord.py scheduled so far has returned."""
    while pending := [
        task for task in asyncio.all_tasks()
        if task.get_name() == f"discord.py: {event}" and not task.done()
    ]:  # fmt: skip
        await asyncio.wait(pending)


async def test_a_start_asks_what_was_kept_once_not_once_a_server(
    discord_api: FakeDiscord, mimo: FakeMimo, sqlite_url: str
) -> None:
    for n in range(SERVERS):
        discord_api.add_guild(f"Server {n}")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    with statements() as seen:
        async with discord_bot_online(
            settings, discord_api, voice_client=installed_voice_client()
        ) as (bot, _):
            await bot.wait_until_ready()
            await handled("on_guild_available")
    kept = [said for said, _ in seen if "live_calls" in said or "live_readings" in said]

    # One look at each table for the servers arriving together (again every few seconds of
    # arrivals on a slow machine), not one a server: there were two a server.
    assert len(kept) < SERVERS, kept
