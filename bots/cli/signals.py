"""Ctrl-C and SIGTERM, from the command's first line to its last.

Python's own handling starts late and differs by signal: SIGTERM kills the process outright
(no clean-up, exit status -15), and Ctrl-C raises KeyboardInterrupt wherever the interpreter
is, but an event loop that is importing a module hears of it only after the import. So `main`
installs `stopping` first of all, before anything slow is imported: a signal then raises
`StopSignal`, which ends the command with the code it promises (`exit_codes.stopped_code`).
Once a command's event loop runs, the loop's own handlers take over (they cancel its work, or
set `run`'s stop event) and `stopping` is put back when the loop ends.

This module imports nothing but the standard library: it must be cheap to load.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["SIGNALS", "StopSignal", "listen_again", "stopped_by_signals"]

SIGNALS = (signal.SIGINT, signal.SIGTERM)
Handler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None


class StopSignal(BaseException):
    """Ctrl-C or SIGTERM arrived while no event loop was listening for it. A BaseException,
    as KeyboardInterrupt is, so that no `except Exception` on the way swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


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


_within = False  # inside `stopped_by_signals`


def listen_again() -> None:
    """`stopping` put back after an event loop's handlers (which leave Python's defaults
    behind: SIGTERM would kill the process again)."""
    if _within and threading.current_thread() is threading.main_thread():
        for sig in SIGNALS:
            signal.signal(sig, stopping)
