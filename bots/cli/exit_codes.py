"""The command line's exit codes, and Ctrl-C and SIGTERM from the command's first line to its
last. Everything here imports nothing but the standard library: `main` (`bots.cli`) reads it
before anything slow is loaded, so it must be cheap to load.

The exit codes are the one list of them (the table in docs/getting-started/command-line.md), so
that scripts can tell the failures apart:

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
cleanly); which failure gets which code is `bots.cli.exit_code_per_failure`.

Python's own handling of the signals starts late and differs by signal: SIGTERM kills the process
outright (no clean-up, exit status -15), and Ctrl-C raises KeyboardInterrupt wherever the
interpreter is, but an event loop that is importing a module hears of it only after the import.
So `main` installs `stopping` first of all, before anything slow is imported: a signal then raises
`StopSignal`, which ends the command with the code it promises (`stopped_code`). Once a
command's event loop runs, the loop's own handlers take over (they cancel its work, or set
`run`'s stop event) and `stopping` is put back when the loop ends.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import IntEnum
from types import FrameType

__all__ = [
    "SIGNALS",
    "ExitCode",
    "StopSignal",
    "command_named",
    "listen_again",
    "stopped_by_signals",
    "stopped_code",
]

# The shell commands exit as shells expect of a command stopped by a signal (128 + its number:
# `ExitCode.INTERRUPTED`, `ExitCode.TERMINATED`).
# `run` is a service: stopped because it was asked to, by either signal, is a clean stop.
SERVICES = frozenset({"run"})

SIGNALS = (signal.SIGINT, signal.SIGTERM)
Handler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None

_within = False  # inside `stopped_by_signals`


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


class StopSignal(BaseException):
    """Ctrl-C or SIGTERM arrived while no event loop was listening for it. A BaseException,
    as KeyboardInterrupt is, so that no `except Exception` on the way swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


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


def stopping(signum: int, _frame: FrameType | None) -> None:
    """The handler while no event loop listens: end what the command is doing."""
    raise StopSignal(signum)


@contextmanager
def stopped_by_signals() -> Iterator[None]:
    """`stopping` installed for the block (in the main thread only: signals reach no other),
    the handlers it found put back after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    global _within  # signal handlers are process-wide too
    before: list[tuple[signal.Signals, Handler]] = [(s, signal.getsignal(s)) for s in SIGNALS]
    for sig in SIGNALS:
        signal.signal(sig, stopping)
    _within = True
    try:
        yield
    finally:
        _within = False
        for sig, handler in before:
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


def listen_again() -> None:
    """`stopping` put back after an event loop's handlers (which leave Python's defaults
    behind: SIGTERM would kill the process again)."""
    if _within and threading.current_thread() is threading.main_thread():
        for sig in SIGNALS:
            signal.signal(sig, stopping)
