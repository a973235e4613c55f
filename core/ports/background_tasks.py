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
    every(seconds, work, name="voice receiver sweep")
        periodic work, declared rather than written as `while True: ... sleep`: a task (through
        `start`) that awaits `work()`, pauses `seconds`, and again. A failing round is counted
        as a failure of `name` and the next round runs as usual (logged with its traceback the
        first time in a row, and once when a round works again). The `Beat` it returns stops
        between rounds: a pause is cut short, a round under way is finished (it may hold a
        transaction: cancelling one inside makes SQLAlchemy report an error at the wrong stop),
        unless the beat is `interruptible` (a "typing…" sign, moot once the answer is sent).
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
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Self, TypeVar

from core.ports.runtime_port import Metrics

logger = logging.getLogger(__name__)

__all__ = ["Background", "Beat", "every", "start", "supervised", "supervisor"]

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
        self._count_failure(name)

    def _count_failure(self, name: str) -> None:
        for metrics in self._counted:
            metrics.background_failed(name)

    def every(
        self,
        seconds: float | Callable[[], float],
        work: Callable[[], Awaitable[None]],
        *,
        name: str,
        about: object = None,
        delay: float | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        interruptible: bool = False,
    ) -> Beat:
        """`work` run every `seconds` in a task started here (`start`): see `Beat`."""
        beat = Beat(
            work,
            pause=seconds if callable(seconds) else lambda: seconds,
            delay=delay,
            sleep=sleep,
            interruptible=interruptible,
            name=name,
            count_failure=self._count_failure,
        )
        beat.task = self.start(beat.rounds(), name=name, about=about)
        return beat

    async def close(self, *, grace: float = GRACE_SECONDS) -> None:
        """Cancel every task still running and wait for them to end, `grace` seconds at most;
        a task a clean-up starts meanwhile is cancelled too."""
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


class Beat:
    """Periodic work (`every`): `work()`, a pause of `pause()` seconds, `work()`, ... The first
    round comes after `delay` seconds (by default, after a pause like the others; 0: at once).
    `sleep` waits out a pause (a clock tests move by hand). A round that raises is counted as a
    failure of `name`, and logged with its traceback if the round before it worked (a beat of
    50 ms that fails every round must not write twenty tracebacks a second); the next one runs
    after the usual pause.

    `stop()` (or the end of `async with beat:`) ends it between rounds: a pause is cut short,
    a round under way is let finish, unless `interruptible`, when it is cancelled too."""

    def __init__(
        self,
        work: Callable[[], Awaitable[None]],
        *,
        pause: Callable[[], float],
        delay: float | None,
        sleep: Callable[[float], Awaitable[None]],
        interruptible: bool,
        name: str,
        count_failure: Callable[[str], None],
    ) -> None:
        self.name = name
        self.task: asyncio.Task[None] | None = None  # set as it starts (`Background.every`)
        self._work, self._pause, self._delay, self._sleep = work, pause, delay, sleep
        self._interruptible = interruptible
        self._count_failure = count_failure
        self._in_round = False
        self._stopping = False
        self._failed_in_a_row = 0

    async def rounds(self) -> None:
        """The beat itself, run in its task."""
        delay = self._pause() if self._delay is None else self._delay
        if delay > 0:
            await self._sleep(delay)
        while not self._stopping:
            self._in_round = True
            try:
                await self._work()
            except Exception as error:
                self._failed(error)
            else:
                self._worked()
            finally:
                self._in_round = False
            if not self._stopping:
                await self._sleep(self._pause())

    def _failed(self, error: Exception) -> None:
        self._failed_in_a_row += 1
        if self._failed_in_a_row == 1:
            logger.error(
                "a round of %r failed; the next runs as usual",
                self.task.get_name() if self.task is not None else self.name,
                exc_info=error,
            )
        self._count_failure(self.name)

    def _worked(self) -> None:
        if self._failed_in_a_row:
            logger.info("%r works again after %d failed round(s)", self.name, self._failed_in_a_row)
            self._failed_in_a_row = 0

    def stop(self) -> None:
        """No more rounds: a pause is cut short at once; a round under way is let finish
        (cancelled if the beat is `interruptible`). Returns at once (`stopped` waits)."""
        self._stopping = True
        if self.task is not None and (self._interruptible or not self._in_round):
            self.task.cancel()

    async def stopped(self) -> None:
        """Stop (`stop`), and return once the round under way, if any, has ended. A cancellation
        of the caller meanwhile is raised; the beat still ends after its round."""
        self.stop()
        if self.task is not None and self.task is not asyncio.current_task():
            await asyncio.wait([self.task])

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stopped()


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


def every(
    seconds: float | Callable[[], float],
    work: Callable[[], Awaitable[None]],
    *,
    name: str,
    about: object = None,
    delay: float | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    interruptible: bool = False,
) -> Beat:
    """`work` run every `seconds` (a number, or what returns the next pause), supervised: a
    failing round counted and logged, the next run as usual; stopped between rounds (`Beat`).

        sweeper = every(0.05, sweep, name="voice receiver sweep")
        ...
        sweeper.stop()

        async with every(30, tick, name="scheduler", delay=0):
            ...  # ticks at once, then every 30 s, until the block ends (a tick under way is
                 # finished first)
    """
    return supervisor().every(
        seconds, work, name=name, about=about, delay=delay, sleep=sleep,
        interruptible=interruptible,
    )  # fmt: skip


@asynccontextmanager
async def supervised(metrics: Metrics, *, grace: float = GRACE_SECONDS) -> AsyncIterator[None]:
    """For the block, failures of background tasks counted in `metrics`; at its end, what is
    still running cancelled and awaited (`Background.close`), once no other runtime holds the
    loop."""
    async with supervisor().held(metrics, grace=grace):
        yield
