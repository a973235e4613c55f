"""What each test costs in CPU is printed at every run's end, its children's included, and a test
that takes more than the ceiling fails the run (tests/cpu_report.py): a costly test is seen the
day it arrives, however busy the machine that runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]

SPINNING = """
import subprocess
import sys
import time


def spin(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_spins_itself():
    spin(0.6)


def test_spins_in_a_child():
    subprocess.run([sys.executable, "-c", "import time\\nend = time.process_time() + 0.6\\n"
                    "while time.process_time() < end: pass"], check=True)


def test_rests():
    pass
"""


@pytest.fixture
def cpu_suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A scratch suite of two tests that spin for 0.6 s of CPU, one in its own process, one in a
    child, and one that does nothing, run by the plugin the real suite uses."""
    monkeypatch.setenv("PYTHONPATH", str(REPOSITORY))
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_spin=SPINNING)
    return pytester


def run_cpu_suite(cpu_suite: pytest.Pytester, *args: str) -> pytest.RunResult:
    return cpu_suite.runpytest_subprocess("-p", "tests.cpu_report", "-p", "no:randomly", *args)


@pytest.mark.parametrize("workers", ["0", "2"])
def test_each_tests_cpu_is_printed_costliest_first_its_childrens_counted(
    cpu_suite: pytest.Pytester, workers: str
) -> None:
    result = run_cpu_suite(cpu_suite, "-n", workers, "--cpu-ceiling=0")

    result.assert_outcomes(passed=3)
    assert result.ret == pytest.ExitCode.OK
    lines = result.stdout.str().split("costliest 20 by CPU", 1)[1].splitlines()[1:4]
    costliest = {line.split("::")[1] for line in lines[:2]}
    assert costliest == {"test_spins_itself", "test_spins_in_a_child"}  # the child's counts too
    for line in lines[:2]:
        assert 0.55 <= float(line.split("s cpu")[0]) < 2.0, line
    assert lines[2].endswith("::test_rests") and float(lines[2].split("s cpu")[0]) < 0.3


def test_a_test_over_the_ceiling_fails_the_run_and_is_named_with_its_cpu(
    cpu_suite: pytest.Pytester,
) -> None:
    result = run_cpu_suite(cpu_suite, "-n", "0", "--cpu-ceiling=0.4")

    result.assert_outcomes(passed=3)  # each test passed: the run fails for what they cost
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    over = [line for line in result.stdout.lines if line.startswith("CPU CEILING")]
    assert sorted(line.split("::")[1].split()[0] for line in over) == [
        "test_spins_in_a_child",
        "test_spins_itself",
    ]
    assert all("more than the 0.4 s any test may" in line for line in over)
