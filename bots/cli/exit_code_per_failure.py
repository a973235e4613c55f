"""Which exit code each failure gives (the codes: `bots.cli.exit_codes.ExitCode`), and the one
line on stderr that says why a command failed: for a setting that is missing where no settings
file was read at all, with the command that writes one (`missing_setting_line`)."""

from __future__ import annotations

import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from bots.cli.command_line_wording import text
from bots.cli.exit_codes import ExitCode
from bots.cli.settings_file import read_as_settings
from core.domain import errors

__all__ = [
    "CommandFailed",
    "Failure",
    "ends_the_batch",
    "failure",
    "missing_setting_line",
    "this_command",
]


class CommandFailed(Exception):
    """A failure only the command line has (a file it cannot read, an output it cannot
    choose), with its exit code and the line that says so."""

    def __init__(self, code: ExitCode, line: str) -> None:
        super().__init__(line)
        self.code = code
        self.line = line


@dataclass(frozen=True)
class Failure:
    code: ExitCode
    line: str


# Checked in order: the first class an error is an instance of gives its code.
_CODES: tuple[tuple[type[BaseException], ExitCode], ...] = (
    (errors.ConfigError, ExitCode.USAGE),
    (errors.BadChoice, ExitCode.USAGE),
    (click.UsageError, ExitCode.USAGE),
    (errors.UserInputError, ExitCode.UNUSABLE),
    (errors.AudioError, ExitCode.UNUSABLE),
    (errors.MimoAuthError, ExitCode.REFUSED),
    (errors.MimoBalanceError, ExitCode.REFUSED),
    (errors.MimoContentFiltered, ExitCode.REFUSED),
    (errors.MimoBadRequest, ExitCode.REFUSED),
    (errors.MimoError, ExitCode.UNAVAILABLE),
    (errors.StartupError, ExitCode.UNAVAILABLE),
)
# Where the bots' sentence speaks of "the bot's owner", the command line's user is the owner.
_OWN_WORDS: dict[type[BaseException], str] = {
    errors.MimoAuthError: "cli.mimo_auth",
    errors.MimoBalanceError: "cli.mimo_balance",
    errors.MimoUnreachable: "cli.mimo_unreachable",
}
# Where it speaks as the bot in a chat ("I could not read that file"), the command line says
# what happened: by the bots' key, each error of its kind (an ffmpeg that timed out is one that
# could not read the file).
_OWN_KEYS: dict[str, str] = {
    "error.audio": "cli.audio",
    "error.undecodable_audio": "cli.undecodable_audio",
    "error.too_long_to_ask": "cli.too_long_to_ask",
    "error.style_too_long": "cli.style_too_long",  # "That style...": the one --style gave
    # "...set by the bot's owner (MAX_SAY_CHARS)": the command line's user sets it
    "error.text_too_long": "cli.text_too_long",
    "error.audio_too_long": "cli.audio_too_long",
    "error.file_too_large": "cli.file_too_large",
    "transcript.empty": "cli.no_speech",
    "find.usage": "cli.find_no_words",  # the chat's /find WORDS, for `find CHAT` with blank words
    "error.mimo_circuit_open": "cli.mimo_circuit_open",
    "error.mimo_bad_response": "cli.mimo_bad_response",
    "error.mimo_model_refused": "cli.mimo_model_refused",
}


def failure(exc: BaseException) -> Failure:
    """The exit code of `exc` and the line that explains it."""
    if isinstance(exc, CommandFailed):
        return Failure(exc.code, exc.line)
    code = next((code for kind, code in _CODES if isinstance(exc, kind)), ExitCode.FAILED)
    return Failure(code, _line(exc))


def ends_the_batch(exc: BaseException) -> bool:
    """Whether every further file would fail the same way: the key or the balance."""
    return isinstance(exc, errors.MimoAuthError | errors.MimoBalanceError)


def _line(exc: BaseException) -> str:
    if type(exc) in _OWN_WORDS:
        params = exc.params if isinstance(exc, errors.VoicebridgeError) else {}
        return text(_OWN_WORDS[type(exc)], **params)
    if isinstance(exc, errors.VoicebridgeError):
        return text(_OWN_KEYS.get(exc.key, exc.key), **exc.params)
    if isinstance(exc, click.UsageError):
        return _usage_line(exc)
    if isinstance(exc, errors.ConfigError | errors.StartupError):
        return str(exc)  # written for this: one line naming what to fix
    return text("cli.unexpected", error=f"{type(exc).__name__}: {exc}")


def _usage_line(exc: click.UsageError) -> str:
    """Click's message, and where to read more, on one line."""
    line = exc.format_message()
    if exc.ctx is None:
        return line
    return text("cli.see_help", line=line, command=exc.ctx.command_path)


def missing_setting_line(exc: errors.MissingSetting, env_file: Path | None) -> str:
    """The line naming the setting `exc` misses; where no settings file was read at all (a
    first command in a fresh checkout), also the command that writes one. Every command that
    needs the key or a token says it so, `doctor` on its line too."""
    if env_file is None or read_as_settings(env_file):
        return str(exc)  # the settings are somewhere: the setting alone is what to fix
    folder = env_file.resolve().parent
    return f"{exc}; no {env_file.name} was read in {folder}: {this_command()} init writes one"


def this_command() -> str:
    """`voicebridge` as the next command is typed the way this one was: the bare name where
    the shell finds this very program by it (the virtual environment activated, or installed on
    PATH), else its path as it was run (`.venv/bin/voicebridge`)."""
    ran = sys.argv[0] if sys.argv else ""
    if Path(ran).name != "voicebridge":  # run as a module, or from a program that embeds it
        return "voicebridge"
    found = shutil.which("voicebridge")
    if found is not None and Path(found).resolve() == Path(ran).resolve():
        return "voicebridge"
    return shlex.quote(ran)
