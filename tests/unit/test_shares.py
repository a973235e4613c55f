"""`--share=K/N` (tests/shares.py): CI's shares of the suite on the other Pythons run every test
exactly once between them, whatever order pytest-randomly puts the tests in."""

from __future__ import annotations

import pytest


@pytest.fixture
def shares_suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        test_many="""
        import pytest

        @pytest.mark.parametrize("n", range(40))
        def test_one(n):
            pass

        def test_other():
            pass
        """
    )
    return pytester


def ran(shares_suite: pytest.Pytester, *args: str) -> set[str]:
    result = shares_suite.runpytest("-p", "tests.shares", "-v", *args)
    return {line.split(" ")[0] for line in result.outlines if " PASSED" in line}


def test_the_shares_run_every_test_once_in_any_order(shares_suite: pytest.Pytester) -> None:
    everything = ran(shares_suite)
    shares = [ran(shares_suite, f"--share={k}/3", f"--randomly-seed={k}") for k in (1, 2, 3)]

    assert len(everything) == 41
    assert set().union(*shares) == everything
    assert sum(len(share) for share in shares) == 41
    assert all(shares)
    assert ran(shares_suite, "--share=2/3", "--randomly-seed=99") == shares[1]


def test_a_share_that_does_not_exist_is_refused(shares_suite: pytest.Pytester) -> None:
    result = shares_suite.runpytest("-p", "tests.shares", "--share=3/2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--share 3/2: K must be between 1 and N*"])
