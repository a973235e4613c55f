"""Which exit code a stop by Ctrl-C or SIGTERM gives, for the command being run: `run` is a
service stopped as asked (0); the shell commands were interrupted (130, 143)."""

from __future__ import annotations

import signal

import pytest

from bots.cli.signals import command_named, exit_code


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["run"], "run"),
        (["--env-file", "run", "transcribe", "x.ogg"], "transcribe"),  # a file named run
        (["--env-file=/etc/vb.env", "run", "-v"], "run"),
        (["-v", "say", "hello"], "say"),
        (["--help"], None),
        ([], None),
    ],
)
def test_the_command_is_read_as_the_group_parses_it(argv: list[str], command: str | None) -> None:
    assert command_named(argv) == command


def test_run_stopped_by_either_signal_exits_0_and_the_shell_commands_as_shells_expect() -> None:
    assert exit_code(signal.SIGINT, ["run"]) == 0
    assert exit_code(signal.SIGTERM, ["--env-file", "x.env", "run"]) == 0
    assert exit_code(signal.SIGINT, ["transcribe", "run.ogg"]) == 130
    assert exit_code(signal.SIGTERM, ["say", "hi"]) == 143
    assert exit_code(signal.SIGTERM, []) == 143  # before any command was named
