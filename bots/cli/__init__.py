"""The `voicebridge` command: run the bots, or transcribe, speak and ask from a shell.

    app.py          the command group, and its `main`
    init.py         `init`: .env merged from the key, tokens, allowlist and budget asked for
    init_questions.py  its questions, each answer checked
    terminal_input.py  answers read in the main thread: hidden on a terminal, piped line by line
    run.py          `run`: the bots
    db.py           `db`: their database upgraded, shown, backed up, copied, purged
    doctor.py       `doctor`: the set-up checked, one line a check
    mimo_checks.py  its MiMo lines: the key tried, each model the bot uses offered or refused
    health.py       `health`: whether the running bot answers (a container's health check)
    usage.py        `usage`: what the whole bot used of MiMo today and this month
    env_file.py     the settings file: which one is read (`--env-file`), names that are no
                    setting, who may read it, writing it
    transcribe.py   `transcribe FILE...`: transcripts as txt, srt, vtt or json
    say.py          `say TEXT`: speech as OGG/Opus, MP3 or WAV, with its subtitles
    ask.py          `ask FILE QUESTION`: an answer about a recording
    summarise.py    `summarise FILE`: the gist of a recording, as /tldr gives it
    find.py         `find CHAT WORDS...`: /find over the database
    imports.py      `import telegram PATH`: a group's past voice messages, from its export
    exports/        where an export is read: a Telegram Desktop export as a chat's past
    every_command.py  what every command shares: settings, logging, failures as exit codes
    signals.py      Ctrl-C and SIGTERM from the first line to the last
    exit_codes.py   the exit codes, the one list of them, and which one a stop by each signal gives
    failures.py     which exit code each failure gives, and the one line it prints
    files.py        inputs (files and standard input) and outputs
    progress.py     the progress bar on a terminal
    messages.py     what only the command line says

`main` (and `script`, the installed `voicebridge`) listens for Ctrl-C and SIGTERM before it
loads anything else (`signals.py`).

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

from bots.cli.exit_codes import stopped_code
from bots.cli.signals import SIGNALS, StopSignal, stopped_by_signals


def main(argv: Sequence[str] | None = None) -> int:
    """The console script: Ctrl-C and SIGTERM are listened for before anything else is loaded
    (the bots' libraries take seconds to import on a busy machine), then the command runs."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with stopped_by_signals():
            from bots.cli.app import main as command_line

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
