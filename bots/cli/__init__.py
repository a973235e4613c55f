"""The `voicebridge` command: run the bots, or transcribe, speak and ask from a shell.

    app.py          the command group and `main`, the console script's entry point
    bots.py         `run` and `db`: the bots and their database
    doctor.py       `doctor`: the set-up checked, one line a check
    transcribe.py   `transcribe FILE...`: transcripts as txt, srt, vtt or json
    say.py          `say TEXT`: speech as OGG/Opus, MP3 or WAV, with its subtitles
    ask.py          `ask FILE QUESTION`: an answer about a recording
    summarise.py    `summarise FILE`: the gist of a recording, as /tldr gives it
    find.py         `find CHAT WORDS...`: /find over the database
    shell.py        what every command shares: settings, logging, failures as exit codes
    exits.py        the exit codes, and the one line each failure prints
    files.py        inputs (files and standard input) and outputs
    progress.py     the progress bar on a terminal
    messages.py     what only the command line says

The shell commands build their runtime with `core.bootstrap.standalone`: no database, nothing
stored, no log lines without `-v`. Modules that take long to import (the bots, the database,
httpx) are imported when a command runs, so `--help` and shell completion stay quick.
"""

from bots.cli.app import main

__all__ = ["main"]
