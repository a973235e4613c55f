"""Discord sharding (issue 7): the shards discord.py identifies with, and every server answered by
the process that runs its shard. Real discord.py against the Discord stand-in, whose gateway hands
each session only the servers and events of its shard, as Discord does.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import pytest

from bots.platform_runner import run_bots
from core.domain.errors import ConfigError
from tests.integration.conftest import discord_settings, running_discord
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo

COMMANDS_SYNC = "PUT /applications/{application_id}/commands"


def shards_identified(discord_api: FakeDiscord) -> list[list[int]]:
    return sorted(payload["shard"] for payload in discord_api.identify_payloads)


async def transcribed_in_each(
    discord_api: FakeDiscord, servers: list[Guild], short_ogg: bytes
) -> None:
    """A voice message in each server gets exactly one transcript. (A second shard answering
    the same server would need its events twice, which `shards_identified` rules out, and a
    second claim of the message, which the claims refuse: no wait for it here.)"""
    for server in servers:
        member = discord_api.add_member(server, "member")
        await discord_api.post_voice_message(server.general, member, short_ogg, duration=2)
    for server in servers:
        await discord_api.wait_for_contents(server.general, ["heard 2.0 seconds"])
    for server in servers:
        assert discord_api.contents(server.general) == ["heard 2.0 seconds"]


async def test_one_process_runs_as_many_shards_as_discord_recommends(
    mimo: FakeMimo, sqlite_url: str, short_ogg: bytes
) -> None:
    async with FakeDiscord(recommended_shards=2) as discord_api:
        servers = [discord_api.add_guild(f"on shard {i}", shard=(i, 2)) for i in range(2)]
        settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=sqlite_url)
        async with running_discord(settings, discord_api, shards=2):
            assert shards_identified(discord_api) == [[0, 2], [1, 2]]
            await transcribed_in_each(discord_api, servers, short_ogg)


async def test_the_configured_gateway_is_used_when_discord_chooses_the_shard_count(
    mimo: FakeMimo, sqlite_url: str, short_ogg: bytes
) -> None:
    # GET /gateway/bot names a gateway nobody listens on: only DISCORD_GATEWAY_URL works.
    async with FakeDiscord(advertised_gateway="ws://127.0.0.1:9/gateway") as discord_api:
        server = discord_api.add_guild()
        settings = discord_settings(
            discord_api=discord_api,
            mimo=mimo,
            database_url=sqlite_url,
            discord_gateway_url=discord_api.gateway_url,
        )
        async with running_discord(settings, discord_api):
            assert shards_identified(discord_api) == [[0, 1]]
            await transcribed_in_each(discord_api, [server], short_ogg)


async def test_shards_split_across_processes_answer_each_server_once(
    mimo: FakeMimo, database_url: str, short_ogg: bytes
) -> None:
    """Three shards over two processes sharing one database, as DISCORD_SHARD_COUNT and
    DISCORD_SHARD_IDS say; Discord itself would advise one shard."""
    async with FakeDiscord() as discord_api, AsyncExitStack() as processes:
        servers = [discord_api.add_guild(f"on shard {i}", shard=(i, 3)) for i in range(3)]
        for name, ids, count in (("first", "0,2", 2), ("second", "1", 1)):
            settings = discord_settings(
                discord_api=discord_api,
                mimo=mimo,
                database_url=database_url,
                discord_shard_count=3,
                discord_shard_ids=ids,
                instance_name=name,
            )
            await processes.enter_async_context(
                running_discord(settings, discord_api, shards=count)
            )

        assert shards_identified(discord_api) == [[0, 3], [1, 3], [2, 3]]
        await transcribed_in_each(discord_api, servers, short_ogg)
        # Commands belong to the application: the process running shard 0 registers them.
        assert [call.route for call in discord_api.calls].count(COMMANDS_SYNC) == 1


@pytest.mark.parametrize(
    ("count", "ids", "complaint"),
    [
        (None, "0", "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT"),
        (2, "0,2", "DISCORD_SHARD_IDS must be below DISCORD_SHARD_COUNT (2)"),
    ],
)
async def test_shard_ids_that_do_not_fit_the_count_stop_the_start_with_a_reason(
    mimo: FakeMimo, sqlite_url: str, count: int | None, ids: str, complaint: str
) -> None:
    async with FakeDiscord() as discord_api:
        settings = discord_settings(
            discord_api=discord_api,
            mimo=mimo,
            database_url=sqlite_url,
            discord_shard_count=count,
            discord_shard_ids=ids,
        )
        with pytest.raises(ConfigError, match=complaint.replace("(", r"\(").replace(")", r"\)")):
            await run_bots(settings, asyncio.Event())
        assert discord_api.identify_payloads == []
