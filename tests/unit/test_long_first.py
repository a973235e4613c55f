"""The slowest tests put early in each worker's share (tests/long_first.py): whatever the
counts, every test still runs exactly once, each long one in the first half of a share."""

from __future__ import annotations

from typing import Any

import pytest

from tests.long_first import _share

COUNTS = [(0, 3, 2), (7, 0, 6), (97, 13, 6), (2569, 116, 6), (5, 9, 4)]


@pytest.mark.parametrize(("others", "long", "workers"), COUNTS)
def test_every_test_runs_once_and_each_long_one_in_the_first_half_of_a_share(
    others: int, long: int, workers: int
) -> None:
    short_ones: list[Any] = [f"short {n}" for n in range(others)]
    long_ones: list[Any] = [f"long {n}" for n in range(long)]

    shares = [_share(short_ones, long_ones, share, workers) for share in range(workers)]

    everything = [test for share in shares for test in share]
    assert sorted(everything) == sorted(short_ones + long_ones)
    assert [t for t in everything if t.startswith("short")] == short_ones  # order kept
    for share in shares:
        shorts = [test for test in share if test.startswith("short")]
        for at, test in enumerate(share):
            if test.startswith("long"):
                before = sum(t.startswith("short") for t in share[:at])
                assert before <= len(shorts) / 2, (test, before, len(shorts))
