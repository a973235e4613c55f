"""`voicebridge init`: the settings file written from a few questions, each answer checked.

It asks for the MiMo API key and the bot tokens (typed unseen; Enter keeps what the file holds,
or skips), checks each with `doctor`'s own checks, then who may use the bot (the owner, found
from the tokens where the platform says, or everyone typed on purpose) and the daily budget.
What it was not asked about stays as it was: the answers are merged into `.env` (or the
`--env-file`), readable by its owner only, the file before kept as `.env.bak`, and every change
is listed. A Discord token that works brings the link that invites the bot.

The questions are read in the main thread with no event loop running
(`bots.cli.setup.terminal_prompts`), so Ctrl-C and SIGTERM end the command at once; each check runs
on a loop of its own.
"""

from __future__ import annotations

import shlex
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bots.cli.command_line_wording import text
from bots.cli.common_options import run_outside_a_loop, verbose_option
from bots.cli.exit_code_per_failure import CommandFailed, this_command
from bots.cli.exit_codes import ExitCode, StopSignal
from bots.cli.settings_file import named_env_file, values_in, write_merged
from bots.cli.setup.init_questions import Interview
from bots.cli.setup.terminal_prompts import InputEnded

if TYPE_CHECKING:
    from core.config import Settings

__all__ = ["init"]

HEADER = """voicebridge settings, written by `voicebridge init`. Every other setting, with its
default, is in .env.example and the configuration reference (docs/reference/configuration.md).
Only its owner may read this file: keep it so (chmod 600)."""
# Shown as they are in the list of changes; the others are secrets, named only.
_SHOWN = frozenset(
    {"MIMO_BASE_URL", "ALLOWED_USERS", "ALLOWED_CHATS", "DAILY_BUDGET_AUDIO_SECONDS",
     "DAILY_BUDGET_TTS_CHARS"}
)  # fmt: skip


@click.command(short_help="Write .env: the key, the tokens, who may use the bot, its budget.")
@verbose_option
def init(verbose: int) -> int:
    """Ask for the MiMo API key and the Telegram and Discord bot tokens (typed unseen; Enter
    keeps the value the file holds, or skips), check each as `voicebridge doctor` does, then ask
    who may use the bot (you, found from the tokens where the platform says; or everyone, typed
    on purpose) and offer a daily budget. The answers are merged into .env in the current folder
    (or the --env-file), readable by you only: every other setting in it stays as it was, the
    file before is kept as .env.bak, and each change is listed. Once a Discord token works, the
    link that invites the bot to a server is printed. The services' addresses (MIMO_BASE_URL...)
    come from the environment and the file, as in doctor.

    Answers may be piped in, one a line: a key or token whose check fails (MiMo or a platform
    out of reach) is then kept, and said so, instead of asking whether to keep it."""
    target = named_env_file() or Path(".env")
    return run_outside_a_loop(
        partial(_init, target),
        verbose=verbose,
        env_file=lambda: target if target.is_file() else None,
    )


def _init(target: Path, settings: Settings) -> int:
    _writable_there(target)  # before any question: their answers would have nowhere to go
    before = values_in(target)
    interview = Interview(settings, before)
    try:
        if before:
            click.echo(f"{target.resolve()} is there: Enter keeps each value it holds, and "
                       "what is not asked stays as it was.")  # fmt: skip
        click.echo("What you type for the key and the tokens is not shown.")
        interview.ask_all()
    except (StopSignal, KeyboardInterrupt):  # KeyboardInterrupt: run without `bots.cli.main`
        click.echo(err=True)  # the prompt's line ends where Ctrl-C was shown
        click.echo(f"voicebridge: init stopped; {target} was not changed.", err=True)
        raise
    except InputEnded:
        raise CommandFailed(
            ExitCode.USAGE,
            f"the input ended before init's questions did; {target} was not changed.",
        ) from None
    return _written(target, before, interview.changes)


def _written(target: Path, before: dict[str, str], changes: dict[str, str | None]) -> int:
    changed = {n: v for n, v in changes.items() if v != before.get(n) and (v or n in before)}
    after = {**before, **changed}
    if not any(after.get(n) for n in ("MIMO_API_KEY", "TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN")):
        raise CommandFailed(ExitCode.USAGE, f"nothing to write to {target}: no key or token "
                            "was given")  # fmt: skip
    path = target.resolve()
    if not changed:
        click.echo(f"Nothing changed in {path}.")
    else:
        try:
            backup = write_merged(target, changed, header=HEADER)
        except OSError as exc:
            raise CommandFailed(
                ExitCode.FILE, text("cli.unwritable", path=target, reason=exc.strerror)
            ) from None
        listed = ", ".join(_change(name, before, changed[name]) for name in changed)
        click.echo(f"Wrote {path}, readable by you only: {listed}.")
        if backup is not None:
            click.echo(f"The file as it was is {backup.resolve()}, readable by you only.")
    kept = [name for name in before if name not in changed]
    if kept:
        click.echo(f"Kept as they were: {', '.join(kept)}.")
    command = this_command()
    if named_env_file() is not None:
        command += f" --env-file {shlex.quote(str(target))}"
    if not after.get("TELEGRAM_BOT_TOKEN") and not after.get("DISCORD_BOT_TOKEN"):
        # No bot to run: the next steps are the shell commands, which need the key alone.
        click.echo("voicebridge run needs a bot token (run init again to add one); transcribe, "
                   "say, ask and summarise need the key alone.")  # fmt: skip
        click.echo(f"Next: {command} transcribe FILE transcribes a recording ({command} "
                   "--help lists every command).")  # fmt: skip
        return ExitCode.OK
    click.echo(f"Next: {command} doctor checks the rest, {command} run starts the bots.")
    return ExitCode.OK


def _writable_there(target: Path) -> None:
    """The file init writes can be made: its folder is there, and it is no folder itself, nor
    anything but a file (`/dev/null` reads as an empty settings file, but is never replaced)."""
    if target.is_dir():
        raise CommandFailed(ExitCode.FILE, f"{target} is a folder: name the settings file to "
                            "write (--env-file my-bot.env)")  # fmt: skip
    if target.exists() and not target.is_file():
        raise CommandFailed(ExitCode.FILE, f"{target} is not a file init can write: name the "
                            "settings file to write (--env-file my-bot.env)")  # fmt: skip
    if not target.parent.is_dir():
        raise CommandFailed(ExitCode.FILE, f"{target}: there is no folder {target.parent}; make "
                            "it first, or name a file in a folder that is there")  # fmt: skip


def _change(name: str, before: dict[str, str], value: str | None) -> str:
    """`NAME (added)`, `ALLOWED_USERS (now telegram:1)`, `DISCORD_BOT_TOKEN (removed)`."""
    if value is None:
        return f"{name} (removed)"
    what = "changed" if name in before else "added"
    return f"{name} ({what}: {value})" if name in _SHOWN else f"{name} ({what})"
