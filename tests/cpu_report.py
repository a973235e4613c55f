"""Where the suite's CPU goes: each test's CPU time, its own process's and its children's (the
`voicebridge` processes and the ffmpeg they start), printed at the end of every run as the 20
costliest, as `--durations` prints the slowest on the clock; and a ceiling no test may pass.

CPU time, not time on the clock: a busy machine stretches the clock, hardly the CPU a test
takes, so a test that grows costly shows here whatever else the machine does. Each worker
measures its tests one at a time (`resource.getrusage`, the process and the children it has
waited for, user and system together), setup, call and teardown each: what a test's fixtures
start is the test's cost too. A thread a test left running bills the next test a little.

    --cpu-ceiling=SECONDS   no test may take more (default: `CPU_CEILING`, or the pytest ini
                            `cpu_ceiling`); one that does fails the run at its end, named with
                            its CPU, whatever else passed. 0: no ceiling.
    --cpu-costliest=N       how many to print (20; 0: none)
"""

from __future__ import annotations

import resource
from collections import defaultdict
from collections.abc import Generator

import pytest

CPU_CEILING = 30.0  # seconds of CPU; the costliest test takes about 12 (docs/contributing)
_PROPERTY = "cpu_seconds"
_WHERE = ("own", "started", "voicebridge")  # where a test's CPU went (`_spent`)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cpu", "the CPU each test takes")
    group.addoption(
        "--cpu-ceiling", type=float, default=None, metavar="SECONDS",
        help="fail the run when a test takes more CPU than this (0: no ceiling)",
    )  # fmt: skip
    group.addoption(
        "--cpu-costliest", type=int, default=20, metavar="N",
        help="print the N tests that took the most CPU (0: none)",
    )  # fmt: skip
    parser.addini("cpu_ceiling", "seconds of CPU no test may take (0: no ceiling)",
                  default=str(CPU_CEILING))  # fmt: skip


_charged = [0.0]  # CPU of processes not this one's children, told of by whoever waited for them


def charge(seconds: float) -> None:
    """Bill the running test for `seconds` of CPU a process took that this one did not wait
    for itself (a `voicebridge` its warm twin forked and reaped: `tests.voicebridge_process`)."""
    _charged[0] += seconds


def _spent() -> tuple[float, float, float]:
    """CPU seconds this process has taken so far; those of its children it waited for itself
    (ffmpeg, a subprocess); and those of the `voicebridge` processes charged to it."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime, _charged[0]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, None]:
    """Each phase's CPU, carried by its report to the controller (pytest-xdist sends a report's
    `user_properties` along)."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    started = item.stash.get(_STARTED, None)
    if started is not None:
        spent = [now - before for now, before in zip(_spent(), started, strict=True)]
        report.user_properties.append((_PROPERTY, spent))


_STARTED = pytest.StashKey[tuple[float, float, float]]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[_STARTED] = _spent()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    item.stash[_STARTED] = _spent()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    item.stash[_STARTED] = _spent()


class CpuReport:
    """The controller's (or a lone process's) account of each test's CPU."""

    def __init__(self, ceiling: float, costliest: int) -> None:
        self.ceiling, self.costliest = ceiling, costliest
        self.seconds: defaultdict[str, float] = defaultdict(float)
        # Every test together, by phase and by where: "setup own", "call children"...
        self.split: defaultdict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, value in report.user_properties:
            if name == _PROPERTY and isinstance(value, list | tuple) and len(value) == len(_WHERE):
                self.seconds[report.nodeid] += sum(float(cpu) for cpu in value)
                for where, cpu in zip(_WHERE, value, strict=True):
                    self.split[f"{report.when} {where}"] += float(cpu)

    def over(self) -> list[tuple[str, float]]:
        if not self.ceiling:
            return []
        return [(node, cpu) for node, cpu in self._costliest() if cpu > self.ceiling]

    def _costliest(self) -> list[tuple[str, float]]:
        return sorted(self.seconds.items(), key=lambda item: item[1], reverse=True)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.over() and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.costliest and self.seconds:
            total = sum(self.seconds.values())
            terminalreporter.write_sep(
                "=", f"costliest {self.costliest} by CPU (every test: {total / 60:.1f} CPU-minutes)"
            )
            for node, cpu in self._costliest()[: self.costliest]:
                terminalreporter.write_line(f"{cpu:7.2f}s cpu  {node}")
            terminalreporter.write_line(
                "every test, in CPU-minutes: "
                + ", ".join(
                    f"{where} {cpu / 60:.2f}"
                    for where, cpu in sorted(self.split.items())
                    if cpu >= 0.6
                )
                + " (own: the tests' processes; started: the ffmpeg and other processes they"
                " waited for; voicebridge: the commands they ran)"
            )
        for node, cpu in self.over():
            terminalreporter.write_line(
                f"CPU CEILING: {node} took {cpu:.1f} s of CPU, more than the {self.ceiling:g} s "
                "any test may (tests/cpu_report.py): make it cheaper, or split what it holds",
                red=True,
            )


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # a worker measures; the controller adds up and reports
    ceiling = config.getoption("cpu_ceiling")
    if ceiling is None:
        ceiling = float(config.getini("cpu_ceiling"))
    config.pluginmanager.register(CpuReport(ceiling, config.getoption("cpu_costliest")), "cpu")
