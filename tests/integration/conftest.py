"""Loopback stand-ins and a running bot configured by the documented settings alone. The
fixtures and helpers every integration test may use:

    mimo, http, bot_api, discord_api, server     the stand-ins (and a client to talk to one)
    sqlite_url, settings_for, running            a Telegram bot run in this event loop
    running_discord, discord_settings            the Discord bot, likewise
    voice_ogg, short_ogg, long_ogg, notes        the voice notes the tests send (3, 2, 35 s,
                                                 and 2 to 6 s by their seconds)
    hearing                                      MiMo hearing each note as the module's SAID
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import pytest_asyncio

from bots.platform_runner import run_bots
from bots.telegram.answers import ephemeral_api
from bots.telegram.answers.telegram_progress_pace import Pace
from core.config import Settings
from core.infra.mimo import MimoClient, RetryPolicy
from core.ports import Clock
from tests.audio_factory import make_audio
from tests.db_fixtures import migrated_sqlite_at

# Moved to the scenarios the benchmarks share (tests/scenarios), named here for the test
# modules that import them from this file.
from tests.scenarios.discord_bot import discord_bot_online as discord_bot_online
from tests.scenarios.discord_bot import discord_settings as discord_settings
from tests.scenarios.discord_bot import servers_ready as servers_ready
from tests.scenarios.ports import free_listens as free_listens
from tests.scenarios.ports import free_ports as free_ports
from tests.standins.clock import ManualClock
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo, hears_by_length
from tests.standins.telegram_api import FakeBotApi

if TYPE_CHECKING:
    from tests.integration.test_mid_way import Replicas

FAST_RETRIES = RetryPolicy(initial_wait=0.01, max_wait=0.05, jitter=0.01)


@pytest.fixture(autouse=True)
def bot_api_servers_asked_anew() -> None:
    """What a process found a Bot API server to have (ephemeral messages or not, the bot's
    rights in each group) is kept by the server's address, as a real bot keeps it. A stand-in
    listens where the OS puts it, so a test's may get the address a stand-in of another Bot API
    version, or another group's rights, had in an earlier test of this worker: each test's
    servers are asked anew, whatever ran before it (and with locks of its own event loop)."""
    for known in (ephemeral_api._SUPPORT, ephemeral_api._PROBING, ephemeral_api._RIGHTS):
        known.clear()
    ephemeral_api._TOLD_OLDER.clear()


@pytest_asyncio.fixture
async def mimo() -> AsyncIterator[FakeMimo]:
    async with FakeMimo() as server:
        yield server


@pytest_asyncio.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """A client for tests that talk to a stand-in directly (the real MiMo client, say)."""
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def client(mimo: FakeMimo, http: httpx.AsyncClient) -> MimoClient:
    """The real MiMo client on `mimo`, over real HTTP, retrying quickly."""
    return MimoClient(
        http=http, api_key=mimo.api_key, base_url=mimo.base_url, retry_policy=FAST_RETRIES
    )


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


async def started(task: asyncio.Task[None], ready: Any) -> None:
    waiting = asyncio.ensure_future(ready)
    await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():  # it failed to start: show why
        waiting.cancel()
        task.result()
    await waiting


# The voice notes the tests send (OGG/Opus, as Telegram and Discord carry them). The MiMo
# stand-in hears a note as its length, so a test tells its notes apart by their seconds.


@pytest.fixture
def voice_ogg(tmp_path: Path) -> bytes:
    """A voice note of 3 s: the everyday note, one piece for MiMo."""
    return make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()


@pytest.fixture
def short_ogg(tmp_path: Path) -> bytes:
    """A voice note of 2 s, for tests that tell it from a 3 s note or name its length."""
    return make_audio(tmp_path, fmt="ogg", seconds=2).read_bytes()


@pytest.fixture
def long_ogg(tmp_path: Path) -> bytes:
    """A voice note of 35 s: at least four pieces of at most 10 s."""
    return make_audio(tmp_path, fmt="ogg", seconds=35).read_bytes()


@pytest.fixture
def notes(tmp_path: Path) -> dict[int, bytes]:
    """Voice notes of 2 to 6 s by their seconds, for tests whose MiMo answers each length with
    words of its own (a module's `SAID`)."""
    return {s: make_audio(tmp_path, fmt="ogg", seconds=s).read_bytes() for s in range(2, 7)}


@pytest.fixture
def hearing(mimo: FakeMimo, request: pytest.FixtureRequest) -> FakeMimo:
    """MiMo hearing each note as the test module's `SAID` gives its length (see `notes`)."""
    hears_by_length(mimo, request.module.SAID)
    return mimo


@pytest_asyncio.fixture
async def replicas(sqlite_url: str, stepped: None) -> AsyncIterator[Replicas]:
    """The two runtimes of the walks (`test_mid_way`, `test_mid_way_sends`), their units of
    work steps of a walk (`stepped`)."""
    from tests.integration.test_mid_way import two_replicas  # the walks' own module

    async with two_replicas(sqlite_url) as both:
        yield both
