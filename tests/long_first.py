"""The longest tests early in each worker's share, so that none of them starts near the end.

pytest-xdist's work stealing gives each worker one contiguous share of the (randomly ordered)
tests and lets a worker with nothing left take the second half of another's queue. A test that
takes half a minute (a call of many turns, a bot killed and started again) and happens to sit
near the end of its share then runs alone while the other workers wait: about fifteen seconds
of a four-minute run. Here the tests named in `tests/long_tests.txt` are dealt out over the
first halves of the shares, in the order pytest-randomly gave them; every other test keeps its
place, so a module's tests stay together (and its module fixtures are made once). A test that
is not in the file runs where it falls, as before: the file only ever makes a run quicker.

`pytest --write-long-tests` writes the file again from the run it ends: the slowest
`LONG_TESTS` tests, whatever the machine's speed. Run it when the slowest tests have changed.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

LONG_TESTS_FILE = Path(__file__).with_name("long_tests.txt")
LONG_TESTS = 200  # the slowest in a run with PostgreSQL: those of more than about two seconds
HEADER = "# The slowest tests of a whole run, written by `pytest --write-long-tests`.\n"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--write-long-tests",
        action="store_true",
        help=f"write {LONG_TESTS_FILE.name}, the {LONG_TESTS} slowest tests of this run, which "
        "each worker then starts early",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    if workers < 2 or not LONG_TESTS_FILE.exists():
        return
    lines = LONG_TESTS_FILE.read_text().splitlines()
    named = {line for line in lines if line and not line.startswith("#")}
    long = [item for item in items if item.nodeid in named]
    others = [item for item in items if item.nodeid not in named]
    items[:] = [item for share in range(workers) for item in _share(others, long, share, workers)]


def _share(
    others: list[pytest.Item], long: list[pytest.Item], share: int, workers: int
) -> list[pytest.Item]:
    """The `share`-th of `workers` contiguous shares of `others`, with every `workers`-th long
    test spread evenly over its first half."""
    mine = others[len(others) * share // workers : len(others) * (share + 1) // workers]
    dealt = long[share::workers]
    step = len(mine) / 2 / max(len(dealt), 1)
    for index in reversed(range(len(dealt))):
        mine.insert(int(index * step), dealt[index])
    return mine


class _Timer:
    """The controller's account of each test's time (setup, call and teardown)."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[report.nodeid] += report.duration

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if exitstatus != pytest.ExitCode.OK:
            return  # a partial or failed run says little of the whole suite's times
        slowest = sorted(self.seconds, key=self.seconds.__getitem__, reverse=True)[:LONG_TESTS]
        LONG_TESTS_FILE.write_text(HEADER + "".join(f"{nodeid}\n" for nodeid in sorted(slowest)))


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("write_long_tests") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_Timer(), "long-tests-timer")
