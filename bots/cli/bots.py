"""`voicebridge run` and `voicebridge db`: the bots, and their database.

Both log as the bots do (LOG_LEVEL, LOG_FORMAT): a service manager keeps those lines.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import importlib
import logging
import signal
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bots.cli.env_file import exposed, refuse_unknown_names
from bots.cli.exit_codes import ExitCode
from bots.cli.exits import CommandFailed
from bots.cli.shell import chosen_env_file, service_verbose_option, settings_source
from bots.cli.shell import run as run_command
from bots.cli.signals import StopSignal

if TYPE_CHECKING:
    from core.config import Settings

logger = logging.getLogger(__name__)

__all__ = ["db", "existing_database", "run"]


@click.command(short_help="Start the Telegram and Discord bots.")
@service_verbose_option
def run(verbose: int) -> int:
    """Start every bot whose token is set, after bringing the database up to date. A name in
    the settings file that is no setting stops it, and so does a name in the environment that
    is almost a setting's, such as ALLOWED_USER (IGNORED_ENV_NAMES lists those meant for
    another program).

    Ctrl-C or SIGTERM stops it: at once while it is still starting, after the work in progress
    once it runs; either way with exit code 0."""
    # The start loads a thousand modules: one collection after them (`_starting`, which turns
    # the collector back on), not the dozens it would make while they load, each walking all
    # loaded so far (about 0.07 s of CPU a start).
    gc.disable()
    try:
        return run_command(_run, verbose=verbose or None, before_the_loop=_starting)
    except StopSignal:
        # Ctrl-C or SIGTERM before the bots listened for it themselves (`_run`): loading, or
        # as the event loop was made. Once they listen, a signal is a stop, said as such.
        from bots.plan import STOPPED_WHILE_STARTING

        logger.info(STOPPED_WHILE_STARTING)
        raise
    finally:
        gc.enable()  # a start that failed before `_starting`


@click.command(
    short_help="Upgrade the database, show its revision, back it up, copy it, or purge it."
)
@click.argument("action", type=click.Choice(["upgrade", "current", "backup", "copy", "purge"]))
@click.argument("target", metavar="[FILE|URL]", required=False)
@service_verbose_option
def db(action: str, target: str | None, verbose: int) -> int:
    """The database: upgrade applies the migrations and says from which revision to which,
    current prints the schema's revision, backup copies an SQLite database (the one
    DATABASE_URL names, or the default in the data folder, wherever it runs) to FILE
    (voicebridge-YYYY-MM-DD.db in the current folder when none is named), readable by you only,
    safely while the bot runs; copy copies every row of DATABASE_URL's database into the empty
    database URL names (from SQLite to PostgreSQL: stop the bot first), migrating both; purge
    deletes expired data now (run does it every hour) and prints what it deleted, logging only
    with -v. None of them needs a MiMo key or a bot token."""
    if target is not None and action not in ("backup", "copy"):
        raise click.UsageError(f"db {action} takes no file; db backup does")
    if target is None and action == "copy":
        raise click.UsageError(
            "db copy needs the URL of the database to copy into "
            "(postgresql+asyncpg://voicebridge:PASSWORD@host:5432/voicebridge)"
        )
    bodies: dict[str, Callable[[Settings], Coroutine[Any, Any, int]]] = {
        "upgrade": _upgrade,
        "current": _current,
        "purge": _purge,
        "copy": functools.partial(_copy, to=str(target)),
        "backup": functools.partial(_backup, to=Path(target) if target else None),
    }
    body = bodies[action]
    # purge, from cron or by hand, says what it deleted: its log lines only with -v.
    return run_command(body, verbose=verbose if action == "purge" else verbose or None)


# What `run` loads before its event loop starts, where a signal ends it at once: an import
# blocks the loop, which would hear of a signal only once the import is over.
_LOADED_FIRST = (
    "bots.runner",
    "core.bootstrap",
    "core.infra.storage",
    "core.infra.storage.database",
)
_LOADED_FOR = {
    "Telegram": (
        "bots.telegram.application.app",
        "bots.telegram.application.running",
        "bots.telegram.answers.progress_pace",
        "bots.telegram.summaries",
    ),
    "Discord": (
        "bots.discord.application.bot",
        "bots.discord.application.connection",
        "bots.discord.call.playback",
    ),
}
# A server of the bot's own (`bots.http`): the webhook, or the operations endpoint. Telegram on
# polling without OPS_LISTEN runs none, and is spared aiohttp (a quarter of a second of CPU).
_LOADED_TO_SERVE = ("aiohttp.web",)


def _starting(settings: Settings) -> None:
    """The settings checked, one line saying what the bot will connect to, and the code the
    start needs loaded; a signal meanwhile ends it (`run` says so in one line more)."""
    from bots.plan import first_line, plan
    from bots.version import running_version

    env_file = chosen_env_file()
    refuse_unknown_names(settings, env_file)
    chosen = plan(settings)  # a setting missing where no .env was read names init (`shell`)
    source = settings_source(env_file)
    line = first_line(settings, chosen, version=running_version(), settings_from=source)
    logger.info(line)
    try:
        advice = exposed(env_file)
        if advice is not None:
            logger.warning("%s", advice)
        serves = settings.ops_listen is not None or (
            chosen.telegram_token is not None and settings.telegram_webhook_url is not None
        )
        for platform in (None, *chosen.platforms):
            for module in _LOADED_FOR[platform] if platform else _LOADED_FIRST:
                importlib.import_module(module)
        for module in _LOADED_TO_SERVE if serves else ():
            importlib.import_module(module)
        # What is loaded by now lives as long as the process: keep the collector from walking
        # it again and again (bench/load.py saw full collections stall the event loop 80-190 ms).
        gc.collect()
        gc.freeze()
    finally:
        gc.enable()


async def _run(settings: Settings) -> int:
    from bots.runner import run_bots

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    loop.set_default_executor(_NotWaitedFor())
    await run_bots(settings, stop)
    return ExitCode.OK


class _NotWaitedFor(ThreadPoolExecutor):
    """asyncio's thread pool for `run`, which the end of the event loop does not wait for: a
    stop while a host name is looked up (in a thread, as the libraries do; with the network
    down that takes up to half a minute) ends the process without it. What the bot's own work
    runs in threads is over by then: a stop waits for that work first."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=False, cancel_futures=True)


async def _upgrade(settings: Settings) -> int:
    """The migrations applied, and one line saying from which revision to which: `upgraded
    from 0032 to 0033 (1 migration)`, `created at 0033 (26 migrations)`, `already up to date
    at 0033`. `db current` prints the revision alone, for scripts."""
    from bots.runner import reach_database
    from core.infra.storage import upgrade

    await reach_database(settings)
    done = await upgrade(settings.database_url)
    migrations = f"{done.applied} migration{'' if done.applied == 1 else 's'}"
    if done.applied == 0:
        click.echo(f"already up to date at {done.revision}")
    elif done.before is None:
        click.echo(f"created at {done.revision} ({migrations})")
    else:
        click.echo(f"upgraded from {done.before} to {done.revision} ({migrations})")
    return ExitCode.OK


async def _current(settings: Settings) -> int:
    from core.infra.storage import current_revision

    await existing_database(settings)
    click.echo(await current_revision(settings.database_url) or "empty")
    return ExitCode.OK


async def _backup(settings: Settings, *, to: Path | None) -> int:
    """The SQLite database copied to `to`, 600; nothing made where there is no database."""
    import sqlite3
    from datetime import UTC, datetime

    from core.infra.storage.database import where
    from core.infra.storage.sqlite import backup_sqlite, sqlite_file

    path = sqlite_file(settings.database_url)
    if path is None:
        raise CommandFailed(
            ExitCode.USAGE,
            f"the database is {where(settings.database_url)}: back it up with pg_dump "
            "(docs/operations/backups.md)",
        )
    if not path.is_file():
        raise CommandFailed(
            ExitCode.USAGE, f"no database at {path} (DATABASE_URL): nothing to back up"
        )
    target = to or Path(f"voicebridge-{datetime.now(UTC):%Y-%m-%d}.db")
    try:
        await asyncio.to_thread(backup_sqlite, path, target)
    except FileExistsError:
        raise CommandFailed(
            ExitCode.FILE, f"{target} is there already: name another file"
        ) from None
    except OSError as exc:
        raise CommandFailed(ExitCode.FILE, f"cannot write {target}: {exc.strerror}") from None
    except sqlite3.Error as exc:
        raise CommandFailed(ExitCode.FILE, f"cannot back up {path}: {exc}") from None
    click.echo(f"Backed up {path} to {target.resolve()}, readable by you only.")
    return ExitCode.OK


async def _copy(settings: Settings, *, to: str) -> int:
    """Every row of the bot's database into the empty one `to` names: moving to PostgreSQL
    without losing what the bot kept."""
    from bots.runner import reach_database
    from core.config import check_database_url
    from core.infra.storage.copying import copy_database
    from core.infra.storage.database import where

    try:
        check_database_url(to)
    except ValueError as exc:
        raise CommandFailed(ExitCode.USAGE, f"db copy {where(to)}: {exc}") from None
    await existing_database(settings)
    await reach_database(settings.model_copy(update={"database_url": to}))
    copied = await copy_database(settings.database_url, to)
    click.echo(
        f"Copied {copied.rows:,} rows of {copied.tables} tables from {where(settings.database_url)}"
        f" to {where(to)}; set DATABASE_URL to it, then start the bot."
    )
    return ExitCode.OK


async def _purge(settings: Settings) -> int:
    """Run every retention job once, as `voicebridge run` does each hour: for cron, or by hand.

    No migration: a purge from a host with an older release must not touch the schema."""
    from core.bootstrap import storage
    from core.infra.storage import current_revision
    from core.infra.storage.database import where

    await existing_database(settings)
    if await current_revision(settings.database_url) is None:
        raise CommandFailed(
            ExitCode.USAGE,
            f"the database {where(settings.database_url)} has no tables yet, so nothing to "
            "purge: voicebridge db upgrade (or run) creates them",
        )
    async with storage(settings, migrate=False) as store:
        for job in store.retention:
            click.echo(f"{job.name}: {await job.run()} ({job.horizon})")
    return ExitCode.OK


async def existing_database(settings: Settings) -> None:
    """The database reached (PostgreSQL waited for), or one line: an SQLite file that is not
    there is said, not created empty by a command that only reads."""
    from bots.runner import reach_database
    from core.infra.storage.sqlite import sqlite_file

    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        raise CommandFailed(
            ExitCode.USAGE,
            f"no database at {path} (DATABASE_URL): voicebridge db upgrade (or run) creates it",
        )
    await reach_database(settings)
