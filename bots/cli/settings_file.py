"""The settings file (`.env`, or the one `--env-file` names): which one a command reads, and
where its settings came from said for a person; the names in it that are no setting (and those
of the environment that are almost one), whether other users of the machine can read it, and
writing one that they cannot.

`doctor` says each finding in a line; `run` refuses to start on a name that is no setting and
logs a warning for a file others can read; `init` merges its answers into the file, readable by
its owner only, every other line kept and the file before kept as `NAME.bak`.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from core.domain import errors

if TYPE_CHECKING:
    from dotenv.parser import Binding

    from core.config import Settings

__all__ = [
    "chosen_env_file",
    "env_file_option",
    "exposed",
    "misspelt_in_environment",
    "named_env_file",
    "not_settings",
    "read_as_settings",
    "refuse_unknown_names",
    "settings_source",
    "values_in",
    "write_merged",
]

# The settings whose values are secrets, besides DATABASE_URL (which may carry a password).
_SECRETS = ("MIMO_API_KEY", "TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET")


def not_settings(settings: Settings, env_file: Path) -> list[str]:
    """One line for each name in `env_file` that is no setting (IGNORED_ENV_NAMES aside), with
    the closest setting when there is one."""
    from core.config import unknown_names

    return unknown_names(env_file, ignored=settings.ignored_env_names)


def misspelt_in_environment(settings: Settings, env_file: Path) -> list[str]:
    """One line for each name in this process's environment that is almost a setting's
    (`core.config.misspelt_names`; IGNORED_ENV_NAMES aside): how a typo in `.env` reaches a
    container compose starts. A name `env_file` holds too is the file's, said with its lines."""
    from core.config import misspelt_names

    in_file = values_in(env_file).keys()
    names = [name for name in os.environ if name.upper() not in in_file]
    return misspelt_names(names, ignored=settings.ignored_env_names)


def refuse_unknown_names(settings: Settings, env_file: Path) -> None:
    """ConfigError naming every name of `env_file` that is no setting, and every name of the
    environment that is almost one: a typo would otherwise leave the setting meant at its
    default, unnoticed (an allowlist misspelt would open the bot to everyone)."""
    in_file = _sentences(not_settings(settings, env_file))
    in_environment = _sentences(misspelt_in_environment(settings, env_file))
    places = ((str(env_file.resolve()), in_file), ("the environment", in_environment))
    words = [f"{where}: {' '.join(lines)}" for where, lines in places if lines]
    if words:
        count = len(in_file) + len(in_environment)
        raise errors.ConfigError(
            f"{' '.join(words)} Correct {'it' if count == 1 else 'them'}"
            ", or list a name meant for another program in IGNORED_ENV_NAMES."
        )


def _sentences(lines: list[str]) -> list[str]:
    return [line if line.endswith("?") else f"{line}." for line in lines]


def exposed(env_file: Path) -> str | None:
    """What to do when `env_file` holds a secret and other users of this machine may read it;
    None when it is private (or absent, or on Windows, whose permissions are not modes)."""
    if os.name == "nt" or not env_file.is_file():
        return None
    if not env_file.stat().st_mode & 0o077 or not _holds_a_secret(env_file):
        return None
    path = env_file.resolve()
    return f"{path} holds secrets and other users of this machine may read it: chmod 600 {path}"


def _holds_a_secret(env_file: Path) -> bool:
    from dotenv import dotenv_values

    values = {k.upper(): v or "" for k, v in dotenv_values(env_file, interpolate=False).items()}
    url = values.get("DATABASE_URL", "")
    return any(values.get(name) for name in _SECRETS) or ("@" in url and ":" in url.split("@")[0])


def values_in(env_file: Path) -> dict[str, str]:
    """The settings `env_file` holds, by their names in capitals; empty when there is no file."""
    from dotenv import dotenv_values

    if not env_file.is_file():
        return {}
    return {k.upper(): v or "" for k, v in dotenv_values(env_file, interpolate=False).items()}


def write_merged(env_file: Path, changes: Mapping[str, str | None], *, header: str) -> Path | None:
    """`env_file` with `changes` made (a value set, or the name removed where it is None) and
    every other line as it was (comments, order, the settings not changed). A new file starts
    with `header`'s comment lines. The file as it was is kept beside it as `NAME.bak`; both are
    readable and writable by their owner only (600) from their first byte, and an interruption
    leaves the old file whole. Returns the backup's path, None when there was no file before."""
    from dotenv.parser import parse_stream

    before = env_file.read_text(encoding="utf-8") if env_file.is_file() else None
    if before is None:
        kept = [f"# {line}".rstrip() + "\n" for line in header.splitlines()]
    else:
        kept = [_changed(binding, changes) for binding in parse_stream(io.StringIO(before))]
    present = {b.key.upper() for b in parse_stream(io.StringIO(before or "")) if b.key}
    added = [
        f"{name}={_quoted(value)}\n"
        for name, value in changes.items()
        if value is not None and name not in present
    ]
    text = "".join(kept)
    if added and text and not text.endswith("\n"):
        text += "\n"
    backup = None
    if before is not None:
        backup = env_file.with_name(f"{env_file.name}.bak")
        _write_private(backup, before)
    _write_private(env_file, text + "".join(added))
    return backup


def _changed(binding: Binding, changes: Mapping[str, str | None]) -> str:
    """The text of one line (or multi-line value) of a settings file, with its change made."""
    original = binding.original.string
    name = binding.key.upper() if binding.key else None
    if name is None or name not in changes:
        return original
    lead = original[: len(original) - len(original.lstrip())]  # blank lines before it
    value = changes[name]
    return lead if value is None else f"{lead}{name}={_quoted(value)}\n"


def _write_private(path: Path, text: str) -> None:
    """`path` holding `text`, 600 from its first byte; written to a file beside it first, so an
    interruption leaves the old one whole."""
    folder = path.resolve().parent
    handle, trial = tempfile.mkstemp(dir=folder, prefix=f".{path.name}-")  # made 600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(trial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(trial)
        raise


def _quoted(value: str) -> str:
    """`value` in double quotes, as python-dotenv (and docker compose) read it back."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def read_as_settings(env_file: Path) -> bool:
    """Whether `env_file` is read for settings: a file that is there, or what reads as one
    (`/dev/null`, empty: settings from the environment alone, whatever .env the folder holds)."""
    return env_file.exists() and not env_file.is_dir()


ENV_FILE_KEY = "voicebridge.env_file"


def env_file_option() -> click.Option:
    """`--env-file PATH`, taken by the `voicebridge` group and by every command."""
    return click.Option(
        ["--env-file"],
        type=click.Path(path_type=Path),
        envvar="VOICEBRIDGE_ENV_FILE",
        expose_value=False,
        is_eager=True,
        callback=_remember_env_file,
        help="Read settings from this file instead of .env in the current folder "
        "(also VOICEBRIDGE_ENV_FILE); the environment still wins.",
    )


def _remember_env_file(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.find_root().meta[ENV_FILE_KEY] = value


def chosen_env_file() -> Path:
    """The file `--env-file` named (it must be there: `/dev/null` reads as an empty one), else
    `.env` in the current folder (read when it is there)."""
    named = named_env_file()
    if named is None:
        return Path(".env")
    if named.is_dir():
        raise errors.ConfigError(f"--env-file {named}: a folder, not a settings file")
    if not read_as_settings(named):
        raise errors.ConfigError(f"--env-file {named}: no such file")
    return named


def settings_source(env_file: Path) -> str:
    """Where the settings came from, for a person: the .env file's absolute path or its absence."""
    if read_as_settings(env_file):
        return f"from {env_file.resolve()} and the environment (which wins)"
    return f"from the environment only (no {env_file.name} in {env_file.resolve().parent})"


def named_env_file() -> Path | None:
    """The file `--env-file` (or VOICEBRIDGE_ENV_FILE) named, there or not."""
    ctx = click.get_current_context(silent=True)
    return ctx.find_root().meta.get(ENV_FILE_KEY) if ctx is not None else None
