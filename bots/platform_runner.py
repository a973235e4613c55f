"""Running every configured bot in one process until asked to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from asyncio import FIRST_COMPLETED
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bots.http_endpoints import ops_routes, serving
from bots.run_plan import STOPPED_WHILE_STARTING, Plan, plan
from bots.startup_retries import (
    StoppedWhileStarting,
    Unreachable,
    all_unreachable,
    given_up_when,
    reach,
)
from core.config import Settings, host_port
from core.ports import background_tasks

# `voicebridge db` reaches the database from here (`reach_database`) and needs none of these:
# the runtime and the platforms are loaded by the start that builds them
# (`bots.cli.operations.run_command` loads them before its event loop).
if TYPE_CHECKING:
    from aiohttp import web  # only when a server is (`bots.http_endpoints`)

    from bots.telegram.answers.telegram_progress_pace import (
        Pace,  # python-telegram-bot: when Telegram runs
    )
    from core.bootstrap import Runtime
    from core.ports import Clock

logger = logging.getLogger(__name__)

__all__ = ["reach_database", "run_bots"]

T = TypeVar("T")


async def run_bots(
    settings: Settings,
    stop: asyncio.Event,
    *,
    clock: Clock | None = None,
    telegram_pace: Pace | None = None,
) -> None:
    """Migrate the database, start each platform whose token is set, and run until `stop` (or
    until a platform's connection fails for good, which ends the run with its error).

    `clock` drives digests and retention (tests pass one they move by hand); `telegram_pace`,
    how often Telegram chats see chat actions and progress edits (tests pass a quicker one).
    """
    chosen = plan(settings)
    async with contextlib.AsyncExitStack() as bots:
        try:
            async with given_up_when(stop):
                watched = await _start(
                    bots, settings, chosen, clock=clock, telegram_pace=telegram_pace
                )
        except StoppedWhileStarting:
            _quiet_abandoned_connections(asyncio.get_running_loop())
            logger.info(STOPPED_WHILE_STARTING)
            return
        logger.info("voicebridge is running; press Ctrl-C to stop")
        await _until_stopped(stop, watched)
    logger.info("voicebridge stopped")


def _quiet_abandoned_connections(loop: asyncio.AbstractEventLoop) -> None:
    """A connection the stop cut short may leave behind a future its driver never reads (asyncpg
    waiting for PostgreSQL's answer to its SSL request, whose socket then closes): its error,
    reported as the process ends, is no news after a stop asked for."""
    default = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        unread = context.get("message") == "Future exception was never retrieved"
        if unread and isinstance(context.get("exception"), OSError):
            return
        if default is not None:
            default(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)


async def _start(
    bots: contextlib.AsyncExitStack,
    settings: Settings,
    chosen: Plan,
    *,
    clock: Clock | None,
    telegram_pace: Pace | None,
) -> list[asyncio.Task[None]]:
    """The runtime and every platform, entered on `bots`; the connections to watch."""
    from core.bootstrap import bootstrap

    await reach_database(settings)
    runtime = await bots.enter_async_context(bootstrap(settings, clock=clock))
    ops = ops_routes(runtime) if settings.ops_listen is not None else []
    if ops and not _ops_on_webhook(settings, chosen.telegram_token):
        # First, so /healthz answers while the platforms connect.
        await bots.enter_async_context(serving(settings.ops_listen or "", ops, what="ops"))
        ops = []
    starting: list[Platform[Any]] = []
    if chosen.telegram_token is not None:
        telegram = _telegram(settings, chosen.telegram_token, runtime, ops, pace=telegram_pace)
        starting.append(Platform("Telegram", telegram))
    if chosen.discord_token is not None:
        discord = _discord(settings, chosen.discord_token, runtime, chosen.shards)
        starting.append(Platform("Discord", discord))
    # Reached at the same time: neither waits for the other, and one that stays out of reach
    # is named together with the other if that one does too.
    bots.push_async_callback(_leave, starting)
    await _all_up(starting)
    watched = [p.connection for p in starting if isinstance(p.connection, asyncio.Task)]
    # Digests and retention start once every platform is up (and stop before they go).
    await bots.enter_async_context(runtime.scheduler.running())
    return watched


class Platform(Generic[T]):
    """One platform's whole life in a task of its own, so that several start at once: its
    context entered, `up` set with what it yields, held until `leave` is set, then exited."""

    def __init__(self, name: str, context: AbstractAsyncContextManager[T]) -> None:
        self.name = name
        self.up = asyncio.Event()
        self.leave = asyncio.Event()
        self.connection: T | None = None
        # Its failure is `_all_up`'s, then `_leave`'s, to raise.
        self.task = background_tasks.start(
            self._live(context), name="platform", about=name, awaited=True
        )

    async def _live(self, context: AbstractAsyncContextManager[T]) -> None:
        async with context as connection:
            self.connection = connection
            self.up.set()
            await self.leave.wait()


async def _all_up(platforms: Sequence[Platform[Any]]) -> None:
    """Until every platform is up. A failure that is not the network (a refused token) ends
    the start at once; platforms out of reach are waited out, then named together."""
    while starting := [p for p in platforms if not (p.up.is_set() or p.task.done())]:
        ups = {
            background_tasks.start(p.up.wait(), name="platform up", awaited=True) for p in starting
        }
        try:
            await asyncio.wait({p.task for p in starting} | ups, return_when=FIRST_COMPLETED)
        finally:
            for up in ups:
                up.cancel()
        for p in starting:
            error = _failure(p.task)
            if error is not None and not isinstance(error, Unreachable):
                raise error
    out_of_reach = [e for p in platforms if isinstance(e := _failure(p.task), Unreachable)]
    if out_of_reach:
        raise all_unreachable(out_of_reach)


def _failure(task: asyncio.Task[None]) -> BaseException | None:
    """What ended `task`, if it has ended (a cancellation included)."""
    if not task.done():
        return None
    return asyncio.CancelledError() if task.cancelled() else task.exception()


async def _leave(platforms: Sequence[Platform[Any]]) -> None:
    """Every platform stopped at once: those up let their work finish, those still starting
    are cut short. A failure in stopping one that was up is raised once all have stopped
    (those that failed to start were told already)."""
    for p in platforms:
        p.leave.set()
        if not p.up.is_set():
            p.task.cancel()
    outcomes = await asyncio.gather(*(p.task for p in platforms), return_exceptions=True)
    for p, outcome in zip(platforms, outcomes, strict=True):
        if p.up.is_set() and isinstance(outcome, Exception):
            raise outcome


def _ops_on_webhook(settings: Settings, telegram_token: str | None) -> bool:
    """Whether OPS_LISTEN is the webhook's address, so one server carries both."""
    webhook = telegram_token is not None and settings.telegram_webhook_url is not None
    listen = settings.ops_listen
    return (
        webhook
        and listen is not None
        and host_port(listen) == host_port(settings.telegram_webhook_listen)
    )


@asynccontextmanager
async def _telegram(
    settings: Settings,
    token: str,
    runtime: Runtime,
    routes: Sequence[web.RouteDef] = (),
    *,
    pace: Pace | None = None,
) -> AsyncIterator[None]:
    from bots.telegram.answers.telegram_progress_pace import USUAL
    from bots.telegram.application.update_delivery import polling, webhook
    from bots.telegram.application.update_filters import build_application
    from bots.telegram.summaries.telegram_summary_commands import digest_sender

    application = build_application(
        token=token,
        api_url=settings.telegram_api_url,
        local_mode=settings.telegram_local_mode,
        runtime=runtime,
        max_pending_updates=settings.telegram_max_pending_updates,
        inline_cache_chat=settings.telegram_inline_cache_chat,
        pace=pace or USUAL,
    )
    patience = settings.startup_patience_seconds
    receiving = (
        polling(application, patience=patience)
        if settings.telegram_webhook_url is None
        else webhook(
            application,
            url=settings.telegram_webhook_url,
            listen=settings.telegram_webhook_listen,
            secret=settings.webhook_secret(),
            routes=routes,
            patience=patience,
        )
    )
    async with receiving:
        runtime.scheduler.deliver("telegram", digest_sender(application.bot))
        await runtime.limiter.warn_if_open("telegram")  # Telegram does not say its chats
        yield


@asynccontextmanager
async def _discord(
    settings: Settings,
    token: str,
    runtime: Runtime,
    shards: tuple[int | None, list[int] | None],
) -> AsyncIterator[asyncio.Task[None]]:
    from bots.discord.application.bot_intents import build_bot
    from bots.discord.application.gateway_connection import connected
    from bots.discord.voice_channels.speech_playback import installed_voice_client

    shard_count, shard_ids = shards
    bot = build_bot(
        api_url=settings.discord_api_url,
        gateway_url=settings.discord_gateway_url,
        shard_count=shard_count,
        shard_ids=shard_ids,
        runtime=runtime,
        voice_client=installed_voice_client(),
    )
    async with connected(bot, token, patience=settings.startup_patience_seconds) as connection:
        yield connection


async def _until_stopped(stop: asyncio.Event, watched: list[asyncio.Task[None]]) -> None:
    """Wait for `stop`; a watched connection that ends first ends the run, with its error."""
    stopping = background_tasks.start(stop.wait(), name="stop watch", awaited=True)
    try:
        done, _ = await asyncio.wait({stopping, *watched}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    for task in done - {stopping}:
        task.result()  # raises the connection's error
        logger.warning("a bot connection ended by itself; stopping")


async def reach_database(settings: Settings) -> None:
    """Wait for the database as for a platform: PostgreSQL starting with the machine, or
    restarting, is tried again for STARTUP_PATIENCE_SECONDS; then one line names DATABASE_URL
    (without its password). A login refused, or an SQLite file that cannot be opened, is said at
    once (`ConfigError`)."""
    from core.infra.storage.database_engines import check_connection, where

    await reach(
        "the database",
        partial(check_connection, settings.database_url),
        transient=(OSError, TimeoutError),
        setting=f"DATABASE_URL ({where(settings.database_url)})",
        patience=settings.startup_patience_seconds,
    )
