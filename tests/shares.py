"""`pytest --share=K/N`: only the K-th of N shares of the suite, each test in exactly one share
whatever the order, the worker count or the seed (a stable hash of its id picks the share).

CI runs the whole suite on the interpreter the machine calls python3 and shares of it on the
others (`.ci/run` says why), so that together they run every test on every Python it claims
within its time budget."""

from __future__ import annotations

import zlib

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--share",
        metavar="K/N",
        help="run only the K-th of N shares of the tests (1 <= K <= N), picked by a hash of "
        "each test's id",
    )


def share_of(nodeid: str, shares: int) -> int:
    """Which of `shares` shares (1 to `shares`) a test is in."""
    return zlib.crc32(nodeid.encode()) % shares + 1


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    share = config.getoption("share")
    if share is None:
        return
    try:
        k, n = (int(part) for part in share.split("/"))
    except ValueError:
        raise pytest.UsageError(f"--share takes K/N, as in 1/2, not {share!r}") from None
    if not 1 <= k <= n:
        raise pytest.UsageError(f"--share {share}: K must be between 1 and N")
    kept, others = [], []
    for item in items:
        (kept if share_of(item.nodeid, n) == k else others).append(item)
    config.hook.pytest_deselected(items=others)
    items[:] = kept
