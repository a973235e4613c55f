"""Shared test set-up: database fixtures for SQLite and (with TEST_DATABASE_URL) PostgreSQL, and
logging put back as it was after a test that configured it as `voicebridge` does, and Hypothesis
without deadlines."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator

import pytest
from hypothesis import settings

pytest_plugins = [
    "tests.bytecode",
    "tests.db_fixtures",
    "tests.time_limit",
    "tests.shares",
    "tests.long_first",
    "tests.interleavings",
    "tests.cpu_report",
    "pytester",
]

# No deadline per example: a property test checks what the code does, never how fast; six
# workers on two cores make any example's time a matter of luck (speed lives in bench/).
settings.register_profile("voicebridge", deadline=None)
settings.load_profile("voicebridge")


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Logging as it was before the test, whatever the test (or `configure_logging`) changed:
    the root logger's handlers and level, every named logger's level, and `logging.disable`."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logger.level for name, logger in _named_loggers()}
    disabled = root.manager.disable  # `logging.disable`: a quiet command (-q) sets it
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.disable(disabled)
    for name, logger in _named_loggers():
        logger.setLevel(levels.get(name, logging.NOTSET))


def _named_loggers() -> list[tuple[str, logging.Logger]]:
    return [
        (name, logger)
        for name, logger in list(logging.root.manager.loggerDict.items())
        if isinstance(logger, logging.Logger)
    ]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The skipped tests counted by reason, a line each: without TEST_DATABASE_URL two hundred
    tests skip for the same one, which a line per test would bury the rest of the summary in."""
    reasons = Counter(
        str(report.longrepr[2]).removeprefix("Skipped: ")
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple)
    )
    if reasons:
        terminalreporter.write_sep("=", "skipped, by reason")
    for reason, count in reasons.most_common():
        terminalreporter.write_line(f"SKIPPED [{count}] {reason}")
