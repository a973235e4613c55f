"""Questions asked on the terminal (`voicebridge init`), read in the main thread.

An answer is read while no event loop runs: Ctrl-C and SIGTERM then reach the handler of
`bots.cli.exit_codes`, which ends the command at once, even at a hidden question (one read
inside an event loop would hold the loop's own handlers off until the answer came); a line
typed is waited for together with any signal, which another thread may be the one to catch
(`_until_typed`). On a terminal a secret is read unseen (`getpass`); answers piped in are read
line by line from standard input, secrets included, with nothing echoed and no warning.
"""

from __future__ import annotations

import getpass
import os
import select
import signal
import sys
import threading

import click

__all__ = ["InputEnded", "ask", "confirm", "masked", "on_terminal"]


class InputEnded(Exception):
    """Standard input ended (Ctrl-D, or fewer lines piped than questions) before an answer."""


def ask(question: str, *, hidden: bool = False) -> str:
    """The answer to `question`, stripped; `hidden`, it is never shown."""
    if not on_terminal():
        click.echo(f"{question}: ", nl=False)
        line = sys.stdin.readline()
        click.echo()  # the answer is not shown: end the question's line
        if not line:
            raise InputEnded
        return line.strip()
    try:
        if hidden:  # its echo goes off as it starts reading: nothing may be typed before
            return getpass.getpass(f"{question}: ").strip()
        click.echo(f"{question}: ", nl=False)
        _until_typed()
        return input().strip()
    except EOFError:
        click.echo()
        raise InputEnded from None


def _until_typed() -> None:
    """Wait for a line typed at the terminal, or for a signal: a command's runtime may keep threads
    while it asks (an import's database connections), and a signal the kernel hands one of them
    would never end a read the main thread is blocked in. Python writes every signal it catches
    to its wakeup file, whichever thread caught it; its handler then runs here, in the main
    thread, and ends the command (`bots.cli.exit_codes`)."""
    if threading.current_thread() is not threading.main_thread():
        return  # a command run from another thread keeps Python's own handling
    woken, wakeup = os.pipe()
    os.set_blocking(wakeup, False)
    before = signal.set_wakeup_fd(wakeup)
    try:
        select.select([sys.stdin, woken], [], [])
    finally:
        signal.set_wakeup_fd(before)
        os.close(woken)
        os.close(wakeup)


def confirm(question: str, *, default: bool = False) -> bool:
    """Yes or no; Enter gives `default`."""
    choices = "Y/n" if default else "y/N"
    while True:
        answer = ask(f"{question} [{choices}]").lower()
        if not answer:
            return default
        if answer in ("y", "yes", "n", "no"):
            return answer.startswith("y")
        click.echo("  Answer y or n.")


def masked(secret: str) -> str:
    """A secret as a question shows the one it keeps: its last four characters, when it is long
    enough that they give nothing away (as `aws configure` shows a key it keeps)."""
    return f"****{secret[-4:]}" if len(secret) >= 16 else "****"


def on_terminal() -> bool:
    """Whether the answers are typed at a terminal (else they are piped in, line by line)."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):  # closed, or replaced by something without a file
        return False
