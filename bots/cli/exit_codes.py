"""The command line's exit codes, the one list of them (the table in
docs/getting-started/command-line.md), so that scripts can tell the failures apart:

    0    done
    1    anything else: a bug (-v shows where)
    2    the call is wrong: an unknown option or choice, a missing or invalid setting
    3    a file cannot be read or written
    4    the input cannot be used: not audio, too long or too big (a recording, the text to
         speak, a --style), no text to speak, no question to ask or words to find
    5    MiMo refused: the key (401, 403), the balance (402), the content (421), the request (400)
    6    MiMo is unavailable, busy or unreadable even after the retries; try again later, or
         some of a recording could not be transcribed (the transcript marks where); or (`run`,
         `db`) the database or a platform stayed out of reach for STARTUP_PATIENCE_SECONDS
    130  interrupted (Ctrl-C)
    143  stopped by SIGTERM (`kill`, a service manager, `timeout`), cleaned up as after Ctrl-C
         (`run` stopped by either exits 0: it stopped because it was asked to)
    141  what read standard output stopped reading (`| head`), as if killed by SIGPIPE

Which code a stop by a signal gives is decided here (`stopped_code`: `run`, a service, stops
cleanly); which failure gets which code is `bots.cli.failures`. This module imports nothing
but the standard library: `main` reads it before anything slow is loaded (`bots.cli`).
"""

from __future__ import annotations

import signal
from collections.abc import Sequence
from enum import IntEnum

__all__ = ["ExitCode", "command_named", "stopped_code"]


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    FILE = 3
    UNUSABLE = 4
    REFUSED = 5
    UNAVAILABLE = 6
    INTERRUPTED = 130
    TERMINATED = 143
    BROKEN_PIPE = 141


# The shell commands exit as shells expect of a command stopped by a signal (128 + its number:
# `ExitCode.INTERRUPTED`, `ExitCode.TERMINATED`).
# `run` is a service: stopped because it was asked to, by either signal, is a clean stop.
SERVICES = frozenset({"run"})


def stopped_code(signum: int, argv: Sequence[str]) -> int:
    """The exit code a stop by `signum` promises, for the command `argv` names: 0 for `run`
    (a service stopped as asked), else 130 after Ctrl-C and 143 after SIGTERM."""
    if command_named(argv) in SERVICES:
        return ExitCode.OK
    return ExitCode.INTERRUPTED if signum == signal.SIGINT else ExitCode.TERMINATED


def command_named(argv: Sequence[str]) -> str | None:
    """The command `voicebridge ARGV` runs, read as the command group parses it: the first
    argument that is neither an option nor `--env-file`'s value."""
    args = iter(argv)
    for arg in args:
        if arg == "--env-file":
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None
