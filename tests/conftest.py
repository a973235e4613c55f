"""Shared test set-up: database fixtures for SQLite and (with TEST_DATABASE_URL) PostgreSQL, and
logging put back as it was after a test that configured it as `voicebridge` does."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

pytest_plugins = ["tests.db_fixtures"]


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Logging as it was before the test, whatever the test (or `configure_logging`) changed:
    the root logger's handlers and level, and every named logger's level."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logger.level for name, logger in _named_loggers()}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, logger in _named_loggers():
        logger.setLevel(levels.get(name, logging.NOTSET))


def _named_loggers() -> list[tuple[str, logging.Logger]]:
    return [
        (name, logger)
        for name, logger in list(logging.root.manager.loggerDict.items())
        if isinstance(logger, logging.Logger)
    ]
