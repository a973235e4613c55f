"""`voicebridge run` and `voicebridge db`: the bots, and their database.

Both log as the bots do (LOG_LEVEL, LOG_FORMAT): a service manager keeps those lines.
"""

from __future__ import annotations

import asyncio
import gc
import signal
from typing import TYPE_CHECKING

import click

from bots.cli.exits import ExitCode
from bots.cli.shell import run as run_command

if TYPE_CHECKING:
    from core.config import Settings


@click.command(short_help="Start the Telegram and Discord bots.")
def run() -> int:
    """Start every bot whose token is set, after bringing the database up to date."""
    return run_command(_run, verbose=None)


@click.command(short_help="Upgrade the database, show its revision, or purge expired data.")
@click.argument("action", type=click.Choice(["upgrade", "current", "purge"]))
def db(action: str) -> int:
    """The database: upgrade applies the migrations, current shows the schema's revision, purge
    deletes expired data now (run does it every hour; it needs no MiMo key or bot token)."""
    body = _purge if action == "purge" else _upgrade if action == "upgrade" else _current
    return run_command(body, verbose=None)


async def _run(settings: Settings) -> int:
    from bots.runner import run_bots

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # What is loaded by now lives as long as the process: keep the collector from walking it
    # again and again (bench/load.py saw full collections stall the event loop 80-190 ms).
    gc.collect()
    gc.freeze()
    await run_bots(settings, stop)
    return ExitCode.OK


async def _upgrade(settings: Settings) -> int:
    from core.infra.storage import upgrade

    await upgrade(settings.database_url)
    return await _current(settings)


async def _current(settings: Settings) -> int:
    from core.infra.storage import current_revision

    click.echo(await current_revision(settings.database_url) or "empty")
    return ExitCode.OK


async def _purge(settings: Settings) -> int:
    """Run every retention job once, as `voicebridge run` does each hour: for cron, or by hand.

    No migration: a purge from a host with an older release must not touch the schema."""
    from core.from_settings import storage

    async with storage(settings, migrate=False) as store:
        for job in store.retention:
            click.echo(f"{job.name}: {await job.run()} ({job.horizon})")
    return ExitCode.OK
