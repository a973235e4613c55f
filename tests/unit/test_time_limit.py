"""A test that hangs is stopped at its time limit and named, with where it waits
(tests/time_limit.py): the suite fails rather than hangs."""

from __future__ import annotations

from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A scratch suite with a one-second limit, run by the plugin the real suite uses."""
    monkeypatch.setenv("PYTHONPATH", str(REPOSITORY))
    pytester.makeini(
        """
        [pytest]
        asyncio_mode = auto
        asyncio_default_fixture_loop_scope = function
        timeout = 1
        timeout_grace = 2
        """
    )
    return pytester


def run_limited_suite(suite: pytest.Pytester, *args: str) -> pytest.RunResult:
    return suite.runpytest_subprocess("-p", "tests.time_limit", "-p", "no:randomly", *args)


def test_a_test_that_waits_forever_fails_at_its_limit_saying_what_it_awaits(
    suite: pytest.Pytester,
) -> None:
    suite.makepyfile(
        test_hangs="""
        import asyncio

        async def ask():
            reply = asyncio.Event()
            await reply.wait()

        async def test_waits_for_a_reply_that_never_comes():
            await ask()

        def test_after_it():
            pass
        """
    )
    result = run_limited_suite(suite, "-n", "0")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "*::test_waits_for_a_reply_that_never_comes ran over its time limit of 1 s",
            "*task(s) of the running event loop, each where it waits:",
            "*in test_waits_for_a_reply_that_never_comes",
            "*await ask()",
            "*in ask",  # each await down to the innermost: a task's own stack shows only the first
            "*await reply.wait()",
        ]
    )


def test_a_test_whose_teardown_hangs_too_ends_its_worker_and_the_run_goes_on(
    suite: pytest.Pytester,
) -> None:
    suite.makepyfile(
        test_stuck="""
        import asyncio
        import threading

        import pytest

        @pytest.fixture
        def stubborn():
            yield
            threading.Event().wait()  # nothing interrupts this teardown

        async def test_stuck(stubborn):
            await asyncio.Event().wait()

        def test_after_it():
            pass
        """
    )
    result = run_limited_suite(suite, "-n", "1")
    result.stdout.fnmatch_lines(["*worker 'gw0' crashed while running '*::test_stuck'*"])
    assert result.ret != 0
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed") == 1  # the replacement worker ran the rest
