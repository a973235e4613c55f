"""The `voicebridge` command: run the bots, or transcribe, speak and ask from a shell.

memory/               a chat's memory from a shell: `find` over the database, `import` of a
                      Telegram Desktop export as the chat's past
operations/           the bots run and looked after: `run`, `db`, `health`, `usage`
recordings/           a recording from a shell, as the bots answer it: `transcribe`, `summarise`,
                      `ask`
setup/                the set-up: `init` writes the settings file, `doctor` checks it
voices/               speech from a shell: `say`
command_line_wording.py  what only the command line says
common_options.py     what every command shares: settings, logging, failures as exit codes
exit_code_per_failure.py  which exit code each failure gives, and the one line it prints
exit_codes.py         the exit codes, the one list of them, and which one a stop by each signal
                      gives; Ctrl-C and SIGTERM from the first line to the last
file_arguments.py     inputs (files and standard input) and outputs
settings_file.py      the settings file: which one is read (`--env-file`), names that are no
                      setting, who may read it, writing it
voicebridge_command.py  the command group, and its `main`

`main` (and `script`, the installed `voicebridge`) listens for Ctrl-C and SIGTERM before it
loads anything else (`exit_codes.py`).

The shell commands build their runtime with `core.bootstrap.standalone`: no database, nothing
stored, no log lines without `-v`. Modules that take long to import (the bots, the database,
httpx) are imported when a command runs, so `--help` and shell completion stay quick.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from bots.cli.exit_codes import SIGNALS, StopSignal, stopped_by_signals, stopped_code


def main(argv: Sequence[str] | None = None) -> int:
    """The console script: Ctrl-C and SIGTERM are listened for before anything else is loaded
    (the bots' libraries take seconds to import on a busy machine), then the command runs."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with stopped_by_signals():
            from bots.cli.voicebridge_command import main as command_line

            return command_line(args)
    except StopSignal as stopped:
        return stopped_code(stopped.signum, args)


def script() -> NoReturn:
    """The installed `voicebridge`: `main`, then the end of the process without taking every
    loaded module apart one by one, which costs a busy machine a second or more after the bots'
    libraries were loaded (a stop must be quick). What asked to run at exit still runs."""
    code = main()
    for sig in SIGNALS:  # the command has ended: a signal now has nothing left to stop
        signal.signal(sig, signal.SIG_IGN)
    atexit._run_exitfuncs()  # logging's flush, thread pools' joins
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a reader gone away (`| head`) was said already
            stream.flush()
    os._exit(code)


__all__ = ["main", "script"]
