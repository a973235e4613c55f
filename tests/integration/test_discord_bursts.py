"""A burst on Discord: many voice messages at once, in many servers, against the stand-in's
global limit of 50 requests a second. Every reply arrives and Discord refuses nothing: the bot
paces its requests (`bots.discord.global_request_limit`), "typing…" included."""

from __future__ import annotations

import asyncio

from tests.integration.conftest import discord_settings, running_discord
from tests.standins.discord_api import FakeDiscord
from tests.standins.mimo import FakeMimo

SERVERS = 60


async def test_a_burst_stays_under_the_global_limit_and_loses_no_reply(
    discord_api: FakeDiscord, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    servers = [discord_api.add_guild(f"server {n}") for n in range(SERVERS)]
    members = [discord_api.add_member(server, f"member {n}") for n, server in enumerate(servers)]
    # MiMo holds every transcript until each channel would show "typing…", then answers them all
    # quickly: the replies come in a rush, on top of the typing.
    mimo.release = asyncio.Event()
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
    async with running_discord(settings, discord_api):
        await asyncio.gather(*(
            discord_api.post_voice_message(server.general, member, voice_ogg, duration=3)
            for server, member in zip(servers, members, strict=True)
        ))  # fmt: skip
        try:
            await discord_api.wait_until(lambda: discord_api.typing, timeout=30, what="typing…")
        finally:
            mimo.release.set()
        for server in servers:
            await discord_api.wait_for_contents(server.general, ["heard 3.0 seconds"], timeout=60)

    assert [call.route for call in discord_api.calls if call.status == 429] == []
    # "typing…" was shown. How many channels had spare room for it depends on how quickly this
    # machine gets through the burst (on a slow one, every channel did): that a courtesy is
    # dropped rather than queued when no room is spare is tests/unit/test_request_pace.py's.
    assert discord_api.typing
