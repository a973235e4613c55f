"""Work the process runs on its own, beside the request that started it: every such task goes
through `start`, never a bare `asyncio.create_task`, so that none of its errors is lost and a
stop knows what is still running (`tests/unit/test_background.py` holds the tree to it).

    start(work, name="listening idle")
        a task, named, held by a strong reference until it ends (the event loop holds tasks
        weakly); if it fails, its error is logged once, with its name, and counted
        (`Metrics.background_failed`, `voicebridge_background_failures_total{task}`). The bot
        goes on: one task's error never reaches another.
    start(work, name="pieces", awaited=True)
        a task its owner awaits, and whose error the owner takes (raised to the user's request,
        say): only known to the stop, never logged here.
    supervised(metrics)
        the process's lifetime (`core.bootstrap.bootstrap`): failures counted in `metrics`; at
        its end, every task still running is cancelled and awaited, `grace` seconds at most
        (those that outlive it are named in the log).

One supervisor per event loop, shared by whoever runs on it: the runtimes of one process (a test
may run several; the last to stop closes it), and the parts built without one (the command line,
unit tests), whose failures are logged all the same. It needs nothing but the standard library,
so it lives beside the ports, where every layer may reach it (like `SystemClock`).

Tasks that share a lifetime and stop together, ending with the first failure, are an
`asyncio.TaskGroup` instead.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from core.ports.runtime import Metrics

logger = logging.getLogger(__name__)
T = TypeVar("T")

# A stop first lets the platforms finish their requests in progress; what still runs here then
# is a loop (a sweep, a watch) or work cut short, so it is cancelled at once, and its clean-up
# given this long.
GRACE_SECONDS = 10.0


class Background:
    """The tasks started on one event loop, and who counts their failures."""

    def __init__(self) -> None:
        self._running: set[asyncio.Task[Any]] = set()
        self._counted: list[Metrics] = []  # the runtimes holding the loop (`supervised`)
        self._holders = 0

    @property
    def running(self) -> frozenset[asyncio.Task[Any]]:
        """The tasks started here that have not ended."""
        return frozenset(self._running)

    def start(
        self,
        work: Coroutine[Any, Any, T],
        *,
        name: str,
        about: object = None,
        awaited: bool = False,
    ) -> asyncio.Task[T]:
        """`work` in a task named `name` (and `about`, for the log only: the metric's label is
        `name`, so it stays one of a few)."""
        full = name if about is None else f"{name} {about}"
        task = asyncio.get_running_loop().create_task(work, name=full)
        self._running.add(task)
        task.add_done_callback(lambda done: self._ended(done, name, awaited))
        return task

    def _ended(self, task: asyncio.Task[Any], name: str, awaited: bool) -> None:
        self._running.discard(task)
        if awaited or task.cancelled():
            return
        error = task.exception()  # retrieved: asyncio reports it no more
        if error is None:
            return
        # The traceback, not the values: the log's formatter redacts any secret in it.
        logger.error("background task %r failed", task.get_name(), exc_info=error)
        for metrics in self._counted:
            metrics.background_failed(name)

    async def close(self, *, grace: float = GRACE_SECONDS) -> None:
        """Cancel every task still running and wait for them to end, `grace` seconds at most;
        a task a clean-up starts meanwhile is cancelled in its turn."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while running := [t for t in self._running if t is not asyncio.current_task()]:
            logger.info(
                "stopping %d background task(s): %s",
                len(running), ", ".join(sorted(t.get_name() for t in running)),
            )  # fmt: skip
            for task in running:
                task.cancel()
            _, left = await asyncio.wait(running, timeout=max(0.0, deadline - loop.time()))
            if left:
                logger.warning(
                    "%d background task(s) still running %.0f s after the stop: %s",
                    len(left), grace, ", ".join(sorted(t.get_name() for t in left)),
                )  # fmt: skip
                return

    @asynccontextmanager
    async def held(self, metrics: Metrics, *, grace: float) -> AsyncIterator[None]:
        self._holders += 1
        self._counted.append(metrics)
        try:
            yield
        finally:
            self._holders -= 1
            if self._holders == 0:
                await self.close(grace=grace)
            self._counted.remove(metrics)


_loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Background] = (
    weakref.WeakKeyDictionary()
)


def supervisor() -> Background:
    """The running event loop's supervisor."""
    loop = asyncio.get_running_loop()
    found = _loops.get(loop)
    if found is None:
        found = _loops[loop] = Background()
    return found


def start(
    work: Coroutine[Any, Any, T],
    *,
    name: str,
    about: object = None,
    awaited: bool = False,
) -> asyncio.Task[T]:
    """`work` in a task of its own, supervised (`Background.start`)."""
    return supervisor().start(work, name=name, about=about, awaited=awaited)


@asynccontextmanager
async def supervised(metrics: Metrics, *, grace: float = GRACE_SECONDS) -> AsyncIterator[None]:
    """For the block, failures of background tasks counted in `metrics`; at its end, what is
    still running cancelled and awaited (`Background.close`), once no other runtime holds the
    loop."""
    async with supervisor().held(metrics, grace=grace):
        yield
