"""Which exit code a stop by Ctrl-C or SIGTERM gives, for the command being run: `run` is a
service stopped as asked (0); the shell commands were interrupted (130, 143). And a signal
between the command's start and its event loop's handlers stops it without a word more."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import warnings

import pytest

from bots.cli.common_options import in_a_loop
from bots.cli.exit_codes import StopSignal, command_named, stopped_by_signals, stopped_code


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
    assert stopped_code(signal.SIGINT, ["run"]) == 0
    assert stopped_code(signal.SIGTERM, ["--env-file", "x.env", "run"]) == 0
    assert stopped_code(signal.SIGINT, ["transcribe", "run.ogg"]) == 130
    assert stopped_code(signal.SIGTERM, ["say", "hi"]) == 143
    assert stopped_code(signal.SIGTERM, []) == 143  # before any command was named


class _SignalledAsTheLoopIsMade(asyncio.DefaultEventLoopPolicy):
    """Ctrl-C arriving while asyncio makes the command's event loop, before the loop's own
    handlers are in place: `stopping` raises `StopSignal` as `os.kill` returns."""

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        os.kill(os.getpid(), signal.SIGINT)
        return super().new_event_loop()


def test_a_signal_as_the_loop_is_made_stops_the_command_leaving_nothing_never_awaited() -> None:
    ran: list[str] = []

    async def work() -> int:
        ran.append("work")
        return 0

    asyncio.set_event_loop_policy(_SignalledAsTheLoopIsMade())
    try:
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            with stopped_by_signals(), pytest.raises(StopSignal):
                in_a_loop(work())
            gc.collect()  # where a coroutine never started would say so on stderr
    finally:
        asyncio.set_event_loop_policy(None)

    assert ran == []
    assert [str(w.message) for w in warned if "never awaited" in str(w.message)] == []
