"""Every test has a time limit (pytest-timeout, `timeout` in pyproject.toml), and a test that
overruns it fails with a report of where it was waiting.

pytest-timeout's own report is the stack of each thread; in an asyncio test the main thread's
stack ends in the event loop's `select()`, which says nothing of what the test waits for. This
plugin takes over pytest-timeout's timer (its `pytest_timeout_set_timer` hook) and reports
every task of the running event loop with the line it is suspended on, then the other threads.
The test fails there, and its fixtures tear down as after any other failure.

A test that cannot be interrupted that way (its event loop blocked outside Python, or a
teardown that hangs too) meets the second line: `timeout_grace` seconds later a watchdog
thread writes every thread's stack to the worker's stderr and ends the worker process.
pytest-xdist then reports the worker as crashed while running that test and starts another,
so a run fails rather than hangs. (Not `faulthandler.dump_traceback_later`: pytest's own
faulthandler plugin cancels it as soon as a test fails.)
"""

from __future__ import annotations

import asyncio
import faulthandler
import io
import os
import signal
import sys
import threading
import traceback
from types import FrameType
from typing import Any

import pytest

_WATCHDOG = pytest.StashKey[threading.Timer]()
_STDERR = pytest.StashKey[int]()
_WATCHDOG_NAME = "time limit of"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "timeout_grace",
        "seconds a test that ran over its limit has to tear down before its worker is ended",
        default="60",
    )


def pytest_configure(config: pytest.Config) -> None:
    # The process's own stderr, whatever capturing does to fd 2 during a test.
    config.stash[_STDERR] = os.dup(sys.__stderr__.fileno()) if sys.__stderr__ else 2


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> bool | None:
    if threading.current_thread() is not threading.main_thread():
        return None  # no signals outside the main thread: pytest-timeout's thread method

    def overrun(signum: int, frame: FrameType | None) -> None:
        __tracebackhide__ = True
        pytest.fail(where_it_waits(item.nodeid, settings.timeout), pytrace=False)

    signal.signal(signal.SIGALRM, overrun)
    signal.setitimer(signal.ITIMER_REAL, settings.timeout)
    grace = float(item.config.getini("timeout_grace"))
    stderr = item.config.stash[_STDERR]
    watchdog = threading.Timer(settings.timeout + grace, _end_worker, (item.nodeid, stderr))
    watchdog.name, watchdog.daemon = f"{_WATCHDOG_NAME} {item.nodeid}", True
    watchdog.start()
    item.stash[_WATCHDOG] = watchdog
    return True


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_cancel_timer(item: pytest.Item) -> bool | None:
    if threading.current_thread() is not threading.main_thread():
        return None
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    return True


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item) -> Any:
    # The watchdog stops when the test's teardown has ended, not when pytest-timeout cancels
    # its timer: that happens as soon as the test fails (pytest_exception_interact), before
    # the teardown it is there to watch.
    try:
        return (yield)
    finally:
        if watchdog := item.stash.get(_WATCHDOG, None):
            watchdog.cancel()


def where_it_waits(nodeid: str, limit: float) -> str:
    """What the test was doing when its time ran out: its event loop's tasks, then threads."""
    out = io.StringIO()
    out.write(f"{nodeid} ran over its time limit of {limit:g} s\n")
    loop = asyncio._get_running_loop()
    if loop is not None:
        tasks = asyncio.all_tasks(loop)
        out.write(f"\n{len(tasks)} task(s) of the running event loop, each where it waits:\n")
        for task in sorted(tasks, key=lambda t: t.get_name()):
            out.write(f"\n--- {task.get_name()}: {task.get_coro()!r}\n")
            out.write("".join(traceback.format_list(_awaiting(task.get_coro()))))
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    for ident, frame in sys._current_frames().items():
        if ident == threading.get_ident() and loop is not None:
            continue  # the event loop's select(), interrupted: the tasks above say more
        name = names.get(ident, str(ident))
        if name.startswith(_WATCHDOG_NAME):
            continue
        out.write(f"\n--- thread {name}\n")
        out.write("".join(traceback.format_stack(frame)))
    return out.getvalue()


def _awaiting(awaitable: Any) -> traceback.StackSummary:
    """Where a task waits, from its coroutine down each `await` to the innermost one (a task's
    own stack shows only its outermost frame while it is suspended)."""
    frames = []
    while awaitable is not None:
        frame = next(
            (getattr(awaitable, name) for name in ("cr_frame", "gi_frame", "ag_frame")
             if getattr(awaitable, name, None) is not None),
            None,
        )  # fmt: skip
        if frame is None:
            break
        frames.append((frame, frame.f_lineno))
        awaitable = next(
            (getattr(awaitable, name) for name in ("cr_await", "gi_yieldfrom", "ag_await")
             if getattr(awaitable, name, None) is not None),
            None,
        )  # fmt: skip
    return traceback.StackSummary.extract(frames)


def _end_worker(nodeid: str, stderr: int) -> None:
    os.write(stderr, f"\n{nodeid} did not end after its time limit; its stacks:\n".encode())
    faulthandler.dump_traceback(file=stderr, all_threads=True)
    os._exit(1)
