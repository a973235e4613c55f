"""Work the process runs on its own (`core.ports.background_tasks`): a failure is logged once with
the task's name and counted, the bot goes on, and a stop leaves nothing running; periodic work
(`every`) goes on after a failing round and stops between rounds. And no task is started any other
way in the project's code, nor periodic work written by hand."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.app.listening.listened_call import ListenedCall
from core.domain.rules.quotas_rules import ANYONE
from core.domain.shared_values import ChatRef
from core.infra.prometheus_metrics import PrometheusMetrics
from core.ports import background_tasks
from core.ports.background_tasks import Background

ROOT = Path(__file__).resolve().parents[2]
HELPER = ROOT / "core" / "ports" / "background_tasks.py"


def _failures(metrics: PrometheusMetrics, task: str) -> float | None:
    return metrics.registry.get_sample_value(
        "voicebridge_background_failures_total", {"task": task}
    )


async def _fails() -> None:
    await asyncio.sleep(0)
    raise RuntimeError("the disk is full")


def _background_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "core.ports.background_tasks" and r.exc_info]


async def test_a_failing_task_is_logged_once_with_its_name_and_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tasks, metrics = Background(), PrometheusMetrics()
    async with tasks.held(metrics, grace=1):
        failing = tasks.start(_fails(), name="nightly chore", about=42)
        await asyncio.wait([failing])
        assert _failures(metrics, "nightly chore") == 1
    [record] = _background_errors(caplog)
    assert "'nightly chore 42'" in record.getMessage()
    assert record.exc_info is not None and isinstance(record.exc_info[1], RuntimeError)
    assert tasks.running == frozenset()


class _Refused(logging.Filter):
    """A log that refuses the lines of one logger: its error reaches the code that logs (a
    filter's error is not caught as a handler's is), as any error inside it would."""

    def filter(self, record: logging.LogRecord) -> bool:
        raise RuntimeError("the log refused the line")


async def test_a_failing_idle_watch_is_logged_once_with_its_name_and_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A listened call's idle watch (`ListenedCall.watch_idle`) is work the bot runs on its
    own: when it fails (here as it ends the idle call, its log line refused), its error is
    logged once with its name and counted, never lost with a task nobody awaits."""
    metrics, refused = PrometheusMetrics(), _Refused()
    call = ListenedCall(ChatRef("discord", "guild:1"), {"ann"}, datetime.now(UTC), "ann", ANYONE)
    caplog.set_level(logging.INFO, logger="core.app.listening.listened_call")
    logging.getLogger("core.app.listening.listened_call").addFilter(refused)
    try:
        async with background_tasks.supervisor().held(metrics, grace=1):
            call.watch_idle(0.01)
            assert call.watch is not None
            await asyncio.wait([call.watch])
            assert _failures(metrics, "listening idle") == 1
    finally:
        logging.getLogger("core.app.listening.listened_call").removeFilter(refused)
    [record] = _background_errors(caplog)
    assert "'listening idle'" in record.getMessage()
    assert record.exc_info is not None and isinstance(record.exc_info[1], RuntimeError)
    assert background_tasks.supervisor().running == frozenset()


async def test_a_failure_reaches_no_other_task(caplog: pytest.LogCaptureFixture) -> None:
    tasks, metrics = Background(), PrometheusMetrics()
    async with tasks.held(metrics, grace=1):
        going_on = asyncio.Event()
        ticks = asyncio.Queue[int]()

        async def ticking() -> None:
            for tick in range(3):
                await going_on.wait()
                going_on.clear()
                ticks.put_nowait(tick)

        ticker = tasks.start(ticking(), name="ticker")
        await asyncio.wait([tasks.start(_fails(), name="chore")])
        for expected in range(3):
            going_on.set()
            assert await asyncio.wait_for(ticks.get(), 5) == expected
        await asyncio.wait_for(ticker, 5)
    assert _failures(metrics, "chore") == 1
    assert _failures(metrics, "ticker") is None
    assert len(_background_errors(caplog)) == 1


async def test_a_task_its_owner_awaits_leaves_its_error_to_the_owner(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tasks, metrics = Background(), PrometheusMetrics()
    async with tasks.held(metrics, grace=1):
        with pytest.raises(RuntimeError, match="disk"):
            await tasks.start(_fails(), name="pieces", awaited=True)
    assert _failures(metrics, "pieces") is None
    assert _background_errors(caplog) == []


async def test_the_stop_cancels_what_still_runs_and_lets_it_clean_up() -> None:
    tasks = Background()
    cleaned = asyncio.Event()

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            await asyncio.sleep(0)  # a clean-up that awaits is let finish
            cleaned.set()

    async with tasks.held(PrometheusMetrics(), grace=5):
        blocked = tasks.start(forever(), name="sweep")
        await asyncio.sleep(0)
    assert blocked.cancelled()
    assert cleaned.is_set()
    assert tasks.running == frozenset()


async def test_a_task_a_clean_up_starts_is_cancelled_too() -> None:
    tasks = Background()
    started_late: list[asyncio.Task[None]] = []

    async def leaves_a_chore() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            started_late.append(tasks.start(asyncio.Event().wait(), name="late chore"))

    async with tasks.held(PrometheusMetrics(), grace=5):
        tasks.start(leaves_a_chore(), name="sweep")
        await asyncio.sleep(0)
    [late] = started_late
    assert late.cancelled()
    assert tasks.running == frozenset()


async def test_a_task_that_outlives_the_grace_is_named(caplog: pytest.LogCaptureFixture) -> None:
    tasks = Background()
    let_go = asyncio.Event()

    async def stubborn() -> None:
        while not let_go.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await let_go.wait()

    async with tasks.held(PrometheusMetrics(), grace=0.01):
        left = tasks.start(stubborn(), name="stubborn")
        await asyncio.sleep(0)
    assert "stubborn" in caplog.text and "still running" in caplog.text
    let_go.set()
    await asyncio.wait_for(left, 5)


async def test_the_loop_is_closed_by_the_last_runtime_to_stop() -> None:
    tasks = Background()
    first, second = PrometheusMetrics(), PrometheusMetrics()
    async with tasks.held(first, grace=1):
        async with tasks.held(second, grace=1):
            blocked = tasks.start(asyncio.Event().wait(), name="reading")
        assert not blocked.done()  # the other runtime still runs
        await asyncio.wait([tasks.start(_fails(), name="chore")])
    assert blocked.cancelled()
    assert _failures(first, "chore") == 1
    assert _failures(second, "chore") is None  # counted by the runtimes running then


# -- periodic work -----------------------------------------------------------------------------


class Pauses:
    """A beat's `sleep` the test lets pass one at a time: it sees each pause's length."""

    def __init__(self) -> None:
        self.asked = asyncio.Queue[float]()
        self._go = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.asked.put_nowait(seconds)
        await self._go.wait()
        self._go.clear()

    async def next(self) -> float:
        return await asyncio.wait_for(self.asked.get(), 5)

    def let_pass(self) -> None:
        self._go.set()


async def test_rounds_follow_pauses_of_the_given_length_until_stopped() -> None:
    tasks, pauses = Background(), Pauses()
    rounds: list[int] = []
    lengths = iter([2.0, 3.0, 5.0])

    async def work() -> None:
        rounds.append(len(rounds))

    async with tasks.held(PrometheusMetrics(), grace=1):
        beat = tasks.every(lambda: next(lengths), work, name="beat", sleep=pauses.sleep)
        assert await pauses.next() == 2.0  # a pause first, by default
        assert rounds == []
        pauses.let_pass()
        assert await pauses.next() == 3.0
        assert rounds == [0]
        pauses.let_pass()
        assert await pauses.next() == 5.0
        await beat.stopped()
    assert rounds == [0, 1]
    assert beat.task is not None and beat.task.cancelled()


async def test_a_delay_of_zero_runs_the_first_round_at_once() -> None:
    tasks, pauses = Background(), Pauses()
    rounds: list[int] = []

    async def work() -> None:
        rounds.append(1)

    async with (
        tasks.held(PrometheusMetrics(), grace=1),
        tasks.every(30, work, name="scheduler", delay=0, sleep=pauses.sleep),
    ):
        assert await pauses.next() == 30
        assert rounds == [1]


async def test_a_beat_waits_in_real_time_by_default() -> None:
    tasks = Background()
    enough = asyncio.Event()
    rounds: list[int] = []

    async def work() -> None:
        rounds.append(1)
        if len(rounds) == 3:
            enough.set()

    async with (
        tasks.held(PrometheusMetrics(), grace=1),
        tasks.every(0.001, work, name="sweep"),
    ):
        await asyncio.wait_for(enough.wait(), 5)


async def test_a_failing_round_is_logged_and_counted_and_the_next_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="core.ports.background_tasks")
    tasks, metrics, pauses = Background(), PrometheusMetrics(), Pauses()
    outcomes = iter([RuntimeError("the disk is full"), RuntimeError("still full"), None])
    worked = asyncio.Event()

    async def work() -> None:
        outcome = next(outcomes)
        if outcome is not None:
            raise outcome
        worked.set()

    async with (
        tasks.held(metrics, grace=1),
        tasks.every(1, work, name="alive", about=7, delay=0, sleep=pauses.sleep),
    ):
        await pauses.next()
        assert _failures(metrics, "alive") == 1
        pauses.let_pass()
        await pauses.next()
        assert _failures(metrics, "alive") == 2
        pauses.let_pass()
        await asyncio.wait_for(worked.wait(), 5)
    [record] = _background_errors(caplog)  # once for the failures in a row, with its name
    assert "'alive 7'" in record.getMessage()
    assert record.exc_info is not None and str(record.exc_info[1]) == "the disk is full"
    assert "works again after 2 failed round(s)" in caplog.text
    assert tasks.running == frozenset()


async def test_a_stop_during_a_round_lets_that_round_finish() -> None:
    tasks = Background()
    began, may_end = asyncio.Event(), asyncio.Event()
    finished: list[int] = []

    async def one_round() -> None:
        began.set()
        await may_end.wait()  # say, a transaction waiting on the database
        finished.append(1)

    async with tasks.held(PrometheusMetrics(), grace=1):
        beat = tasks.every(60, one_round, name="test", delay=0)
        await began.wait()
        stopping = asyncio.create_task(beat.stopped())
        await asyncio.sleep(0)
        assert not stopping.done()  # waiting for the round, not cancelling it
        may_end.set()
        await asyncio.wait_for(stopping, 5)
        assert finished == [1]
        assert beat.task is not None and beat.task.done() and not beat.task.cancelled()


async def test_a_stop_during_a_pause_ends_the_beat_at_once_and_starts_no_round() -> None:
    tasks, pauses = Background(), Pauses()
    rounds: list[int] = []

    async def one_round() -> None:
        rounds.append(1)

    async with (
        tasks.held(PrometheusMetrics(), grace=1),
        tasks.every(60, one_round, name="test", sleep=pauses.sleep),
    ):
        await pauses.next()
    assert rounds == []


async def test_an_interruptible_beat_is_stopped_inside_its_round() -> None:
    tasks = Background()
    began = asyncio.Event()
    finished: list[int] = []

    async def show_typing() -> None:
        began.set()
        await asyncio.Event().wait()  # say, waiting for the rate limiter
        finished.append(1)

    async with tasks.held(PrometheusMetrics(), grace=1):
        beat = tasks.every(5, show_typing, name="typing", delay=0, interruptible=True)
        await began.wait()
        await asyncio.wait_for(beat.stopped(), 5)
    assert finished == []
    assert beat.task is not None and beat.task.cancelled()


async def test_the_stop_of_the_process_ends_a_beat_too() -> None:
    tasks = Background()
    pausing = asyncio.Event()

    async def pause(seconds: float) -> None:
        pausing.set()
        await asyncio.Event().wait()

    async def work() -> None:
        pass

    async with tasks.held(PrometheusMetrics(), grace=1):
        beat = tasks.every(60, work, name="sweep", sleep=pause)
        await pausing.wait()
        assert beat.task in tasks.running
    assert beat.task is not None and beat.task.cancelled()
    assert tasks.running == frozenset()


# -- none started another way ---------------------------------------------------------------------

_SPAWNERS = {"create_task", "ensure_future"}
# python-telegram-bot's `Application.create_task` is the same helper on its side: it holds the
# task, hands its error to the one error handler, and its stop awaits it.
_PLATFORM_HELPERS = {"application"}


def _task_groups(tree: ast.AST) -> set[str]:
    """The names bound by `async with asyncio.TaskGroup() as NAME` (tasks sharing a lifetime)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.AsyncWith):
            for item in node.items:
                call = item.context_expr
                if (
                    isinstance(call, ast.Call)
                    and ast.unparse(call.func).endswith("TaskGroup")
                    and isinstance(item.optional_vars, ast.Name)
                ):
                    names.add(item.optional_vars.id)
    return names


def _bare_spawns(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    groups = _task_groups(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in _SPAWNERS:
            continue
        owner = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
        if owner in groups or owner.split(".")[-1] in _PLATFORM_HELPERS:
            continue
        found.append(f"{path}:{node.lineno}: {ast.unparse(func)}")
    return found


def test_no_task_is_started_outside_the_helper() -> None:
    sources = [
        path
        for package in ("core", "bots")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != HELPER
    ]
    assert len(sources) > 100
    bare = [spawn for path in sources for spawn in _bare_spawns(path)]
    assert bare == [], "start tasks with core.ports.background_tasks.start:\n" + "\n".join(bare)


def test_the_check_finds_a_bare_task(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        "import asyncio\n"
        "async def f(loop):\n"
        "    asyncio.create_task(g())\n"
        "    loop.create_task(g())\n"
        "    asyncio.ensure_future(g())\n"
        "    async with asyncio.TaskGroup() as group:\n"
        "        group.create_task(g())\n"
    )
    assert [line.split(": ")[1] for line in _bare_spawns(planted)] == [
        "asyncio.create_task",
        "loop.create_task",
        "asyncio.ensure_future",
    ]


# -- no periodic loop written by hand ----------------------------------------------------------

# `while True:` loops that sleep but are no beat, each with why (file, function).
_NOT_PERIODIC = {
    # waits for a new status to show; the sleep keeps Telegram's or Discord's pace between
    # two edits, and nothing runs while no status comes
    ("core/chat/status_messages.py", "_run"),
}


def _sleeping_loops(path: Path, relative: str) -> list[str]:
    """`while True:` loops in `path` whose body sleeps (`asyncio.sleep`, a clock's `sleep`)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if not (isinstance(node, ast.While) and ast.unparse(node.test) == "True"):
                continue
            sleeps = any(
                isinstance(call, ast.Call) and ast.unparse(call.func).split(".")[-1] == "sleep"
                for call in ast.walk(node)
            )
            if sleeps and (relative, function.name) not in _NOT_PERIODIC:
                found.append(f"{relative}:{node.lineno}: {function.name}")
    return found


def test_no_periodic_loop_is_written_by_hand() -> None:
    sources = [path for package in ("core", "bots") for path in (ROOT / package).rglob("*.py")]
    loops = [
        loop
        for path in sorted(sources)
        for loop in _sleeping_loops(path, path.relative_to(ROOT).as_posix())
    ]
    assert loops == [], "run periodic work with core.ports.background_tasks.every:\n" + "\n".join(
        loops
    )
    for relative, _ in _NOT_PERIODIC:  # no exception outlives its loop
        assert (ROOT / relative).exists(), relative


def test_the_check_finds_a_hand_written_beat(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        "import asyncio\n"
        "async def beat(clock):\n"
        "    while True:\n"
        "        await asyncio.sleep(5)\n"
        "async def ticks(clock):\n"
        "    while True:\n"
        "        await tick()\n"
        "        await clock.sleep(30)\n"
        "async def queue(items):\n"
        "    while True:\n"
        "        await items.get()\n"
    )
    assert _sleeping_loops(planted, "planted.py") == ["planted.py:3: beat", "planted.py:6: ticks"]
