"""Loopback stand-ins and a running bot configured by the documented settings alone."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from bots.discord.bot import VoicebridgeBot, build_bot, connected
from bots.discord.call.playback import VoiceClientClass, VoicePlayer
from bots.runner import run_bots
from bots.telegram.progress_pace import Pace
from core.bootstrap import Runtime, bootstrap
from core.config import Settings
from core.ports import Clock
from tests.db_fixtures import migrated_sqlite_at
from tests.standins.clock import ManualClock
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi


@pytest_asyncio.fixture
async def mimo() -> AsyncIterator[FakeMimo]:
    async with FakeMimo() as server:
        yield server


@pytest_asyncio.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """A client for tests that talk to a stand-in directly (the real MiMo client, say)."""
    async with httpx.AsyncClient() as client:
        yield client


@pytest_asyncio.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api


@pytest_asyncio.fixture
async def sqlite_url(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bot's SQLite database, migrated as an earlier start (or `voicebridge db upgrade`)
    left it; the bot migrates it again at its start, finding nothing to do. A first start on
    nothing is tested where it is the point (test_migrations.py, cli/test_run.py)."""
    path = tmp_path / "voicebridge.db"
    await migrated_sqlite_at(path, tmp_path_factory)
    return f"sqlite+aiosqlite:///{path}"


def settings_for(
    *, bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, **extra: Any
) -> Settings:
    """Exactly what a user would put in .env to point the bot at these servers."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        mimo_api_key=mimo.api_key,
        mimo_base_url=mimo.base_url,
        telegram_bot_token=bot_api.token,
        telegram_api_url=bot_api.root,
        database_url=database_url,
        **extra,
    )


@asynccontextmanager
async def running(
    settings: Settings,
    bot_api: FakeBotApi,
    *,
    clock: Clock | None = None,
    pace: Pace | None = None,
) -> AsyncIterator[None]:
    """`voicebridge run`, in this event loop, from its first poll until the block ends.

    `clock` (e.g. a `ManualClock`) drives digests and retention instead of the real time;
    `pace`, how often chat actions and progress edits go (quicker than users get them).
    """
    stop = asyncio.Event()
    task = asyncio.create_task(run_bots(settings, stop, clock=clock, telegram_pace=pace))
    polling = asyncio.create_task(bot_api.wait_for("getUpdates", count=1 + _polls(bot_api)))
    await asyncio.wait({task, polling}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():  # it failed to start: show why
        polling.cancel()
        task.result()
    if isinstance(clock, ManualClock):
        # Its first round done, the scheduler sleeps on the clock: only now may a test move
        # time. Moved during that round, time would pass by a digest the round had already
        # looked for, and the next round, an advance later, finds it too late to post.
        await started(task, asyncio.wait_for(clock.settled(), timeout=15))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


def _polls(bot_api: FakeBotApi) -> int:
    return len(bot_api.sent("getUpdates"))


@pytest_asyncio.fixture
async def discord_api() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as api:
        yield api


@pytest.fixture
def server(discord_api: FakeDiscord) -> Guild:
    return discord_api.add_guild()


def discord_settings(
    *, discord_api: FakeDiscord, mimo: FakeMimo, database_url: str, **extra: Any
) -> Settings:
    """Exactly what a user would put in .env to point the bot at these servers."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        mimo_api_key=mimo.api_key,
        mimo_base_url=mimo.base_url,
        discord_bot_token=discord_api.token,
        discord_api_url=discord_api.api_url,
        database_url=database_url,
        **extra,
    )


@asynccontextmanager
async def running_discord(
    settings: Settings, discord_api: FakeDiscord, *, shards: int = 1
) -> AsyncIterator[None]:
    """`voicebridge run`, in this event loop, from the moment its `shards` gateway sessions
    have identified until the block ends."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_bots(settings, stop))
    identified = len(discord_api.identify_payloads) + shards
    # discord.py waits 5 s between one process's IDENTIFYs, as Discord asks.
    await started(task, discord_api.wait_until_identified(identified, timeout=10 + 5 * shards))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


@asynccontextmanager
async def discord_bot_online(
    settings: Settings, discord_api: FakeDiscord, *, voice_client: VoiceClientClass | None
) -> AsyncIterator[tuple[VoicebridgeBot, Runtime]]:
    """The Discord bot `voicebridge run` builds, connected, with its runtime, for a test that
    looks inside either; `voice_client` plays in voice channels (None: no voice extras)."""
    async with bootstrap(settings) as runtime:
        bot = build_bot(
            api_url=settings.discord_api_url,
            gateway_url=None,
            runtime=runtime,
            player=VoicePlayer(voice_client, processes=runtime.processes),
            claiming=False,
        )
        async with connected(bot, discord_api.token):
            await discord_api.wait_until_identified()
            await servers_ready(bot, discord_api.servers_of_the_bot())
            yield bot, runtime


async def servers_ready(bot: VoicebridgeBot, servers: list[int], timeout: float = 15) -> None:
    """Until discord.py has read the GUILD_CREATE of each of `servers`: their channels and
    members are in its cache (`bot.get_channel` finds them). The stand-in has sent them when
    the session counts as identified; when the bot has read them depends on the scheduling of
    the interpreter (on 3.12 and later, often a moment after)."""

    def ready() -> bool:
        return all((g := bot.get_guild(s)) is not None and not g.unavailable for s in servers)

    async with asyncio.timeout(timeout):
        while not ready():
            # Registered before the next check can miss it: no await between check and wait.
            await bot.wait_for("guild_available")


def free_ports(count: int = 1) -> list[int]:
    """`count` different loopback ports nothing listens on, for a server the test starts later.

    Taken from a block of this test worker's own below the ephemeral range (32768 and up on
    Linux), where the OS hands out ports to every `bind(0)` and outgoing connection: a port
    chosen here cannot be given to a stand-in or a client meanwhile, nor to another worker."""
    found: list[int] = []
    while len(found) < count:
        port = next(_PORTS)
        with contextlib.closing(socket.socket()) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use: a test's server still there, or something of the machine's
        found.append(port)
    return found


def _worker_ports() -> Iterator[int]:
    """This worker's block of 500 ports. TEST_PORT_BASE (20000 unless set) moves every block, so
    that two runs of the suite on one machine (two checkouts, say) use ports of their own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    base = int(os.environ.get("TEST_PORT_BASE", "20000"))
    first = base + 500 * (int(worker) if worker.isdigit() else 0) % 12_000
    return itertools.cycle(range(first, first + 500))


_PORTS = _worker_ports()


def free_listens(count: int = 1) -> list[str]:
    """`free_ports` as `host:port`, what OPS_LISTEN and TELEGRAM_WEBHOOK_LISTEN take."""
    return [f"127.0.0.1:{port}" for port in free_ports(count)]


async def started(task: asyncio.Task[None], ready: Any) -> None:
    waiting = asyncio.ensure_future(ready)
    await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():  # it failed to start: show why
        waiting.cancel()
        task.result()
    await waiting
