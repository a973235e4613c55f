"""The settings file (`.env`, or the one `--env-file` names): the names in it that are no
setting, whether other users of the machine can read it, and writing one that they cannot.

`doctor` says each finding in a line; `run` refuses to start on a name that is no setting and
logs a warning for a file others can read; `init` writes the file readable by its owner only.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from core.domain import errors

if TYPE_CHECKING:
    from core.config import Settings

# The settings whose values are secrets, besides DATABASE_URL (which may carry a password).
_SECRETS = ("MIMO_API_KEY", "TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET")


def not_settings(settings: Settings, env_file: Path) -> list[str]:
    """One line for each name in `env_file` that is no setting (IGNORED_ENV_NAMES aside), with
    the closest setting when there is one."""
    from core.config import unknown_names

    return unknown_names(env_file, ignored=settings.ignored_env_names)


def refuse_unknown_names(settings: Settings, env_file: Path) -> None:
    """ConfigError naming every name of `env_file` that is no setting: a typo would otherwise
    leave the setting meant at its default, unnoticed."""
    found = [
        line if line.endswith("?") else f"{line}." for line in not_settings(settings, env_file)
    ]
    if found:
        raise errors.ConfigError(
            f"{env_file.resolve()}: {' '.join(found)} Correct {'it' if len(found) == 1 else 'them'}"
            ", or list a name meant for another program in IGNORED_ENV_NAMES."
        )


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


def write_private(env_file: Path, values: Mapping[str, str], *, header: str) -> None:
    """`env_file` holding `values` (one NAME="value" line each, after `header`'s comment
    lines), readable and writable by its owner only (600) from its first byte; written to a
    file beside it first, so an interruption leaves the old one whole."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines += [f"{name}={_quoted(value)}" for name, value in values.items()]
    folder = env_file.resolve().parent
    handle, trial = tempfile.mkstemp(dir=folder, prefix=f".{env_file.name}-")  # made 600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
        os.replace(trial, env_file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(trial)
        raise


def _quoted(value: str) -> str:
    """`value` in double quotes, as python-dotenv (and docker compose) read it back."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
