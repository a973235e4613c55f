"""`voicebridge db`: the bots' database upgraded, its revision shown, backed up, copied or
purged; `existing_database`, for the commands that only read it.

It logs as the bots do (LOG_LEVEL, LOG_FORMAT), purge only with -v.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bots.cli.common_options import run as run_command
from bots.cli.common_options import service_verbose_option
from bots.cli.exit_code_per_failure import CommandFailed
from bots.cli.exit_codes import ExitCode

if TYPE_CHECKING:
    from core.config import Settings

__all__ = ["db", "existing_database"]


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


async def _upgrade(settings: Settings) -> int:
    """The migrations applied, and one line saying from which revision to which: `upgraded
    from 0032 to 0033 (1 migration)`, `created at 0033 (26 migrations)`, `already up to date
    at 0033`. `db current` prints the revision alone, for scripts."""
    from bots.platform_runner import reach_database
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

    from core.infra.storage.database_engines import where
    from core.infra.storage.sqlite_setup import backup_sqlite, sqlite_file

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
    from bots.platform_runner import reach_database
    from core.config import check_database_url
    from core.infra.storage.database_copy import copy_database
    from core.infra.storage.database_engines import where

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
    from core.infra.storage.database_engines import where

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
    from bots.platform_runner import reach_database
    from core.infra.storage.sqlite_setup import sqlite_file

    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        raise CommandFailed(
            ExitCode.USAGE,
            f"no database at {path} (DATABASE_URL): voicebridge db upgrade (or run) creates it",
        )
    await reach_database(settings)
