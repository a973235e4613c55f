"""Questions asked on the terminal (`voicebridge init`), read in the main thread.

An answer is read while no event loop runs: Ctrl-C and SIGTERM then reach the handler of
`bots.cli.signals`, which ends the command at once, even at a hidden prompt (a prompt read
inside an event loop would hold the loop's own handlers off until the answer came). On a
terminal a secret is read unseen (`getpass`); answers piped in are read line by line from
standard input, secrets included, with nothing echoed and no warning.
"""

from __future__ import annotations

import getpass
import sys

import click

__all__ = ["InputEnded", "ask", "confirm", "masked", "on_terminal"]


class InputEnded(Exception):
    """Standard input ended (Ctrl-D, or fewer lines piped than questions) before an answer."""


def ask(prompt: str, *, hidden: bool = False) -> str:
    """The answer to `prompt`, stripped; `hidden`, it is never shown."""
    if not on_terminal():
        click.echo(f"{prompt}: ", nl=False)
        line = sys.stdin.readline()
        click.echo()  # the answer is not shown: end the prompt's line
        if not line:
            raise InputEnded
        return line.strip()
    try:
        if hidden:
            return getpass.getpass(f"{prompt}: ").strip()
        return input(f"{prompt}: ").strip()
    except EOFError:
        click.echo()
        raise InputEnded from None


def confirm(prompt: str, *, default: bool = False) -> bool:
    """Yes or no; Enter gives `default`."""
    choices = "Y/n" if default else "y/N"
    while True:
        answer = ask(f"{prompt} [{choices}]").lower()
        if not answer:
            return default
        if answer in ("y", "yes", "n", "no"):
            return answer.startswith("y")
        click.echo("  Answer y or n.")


def masked(secret: str) -> str:
    """A secret as a prompt shows the one it keeps: its last four characters, when it is long
    enough that they give nothing away (as `aws configure` shows a key it keeps)."""
    return f"****{secret[-4:]}" if len(secret) >= 16 else "****"


def on_terminal() -> bool:
    """Whether the answers are typed at a terminal (else they are piped in, line by line)."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):  # closed, or replaced by something without a file
        return False
