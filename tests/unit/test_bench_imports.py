"""The benchmarks start: `python -m bench --help` runs, every module under bench/ imports, and
none imports a test module (`tests/**/test_*.py`) or a conftest.py, whose helpers the tests may
rename at any time: what the benchmarks share with the tests is in tests/scenarios (and the
stand-ins in tests/standins). Whether each benchmark still runs through is CI's quick run
(`python -m bench --quick`, after the tests in .ci/run): minutes of CPU, not the suite's. The
full run's plan holds every benchmark."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from bench.__main__ import CORE, ONLY, parser, plan

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"


def _test_modules_imported(path: Path) -> list[str]:
    """The test modules and conftests `path` imports, anywhere in it (a function's late import
    too), as `line: module`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from tests.integration import test_x` names the module in its names
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "tests" and any(
                part.startswith("test_") or part == "conftest" for part in parts
            ):
                found.append(f"{node.lineno}: {name}")
                break
    return found


def test_no_benchmark_imports_a_test_module_or_a_conftest() -> None:
    found = {
        str(path.relative_to(ROOT)): imported
        for path in sorted(BENCH.rglob("*.py"))
        if (imported := _test_modules_imported(path))
    }
    assert not found, (
        f"bench/ imports test modules or conftests (move what it needs to tests/scenarios): {found}"
    )


def test_the_check_finds_a_test_module_imported_in_any_form(tmp_path: Path) -> None:
    written = tmp_path / "bench_like.py"
    written.write_text(
        "import tests.integration.test_x\n"
        "from tests.integration.conftest import free_listens\n"
        "from tests.integration import test_y\n"
        "def late():\n"
        "    from tests.unit.test_z import helper\n"
        "from tests.scenarios.ports import free_listens as public\n"
        "from tests.standins.mimo import FakeMimo\n"
    )
    assert _test_modules_imported(written) == [
        "1: tests.integration.test_x",
        "2: tests.integration.conftest",
        "3: tests.integration.test_y",
        "5: tests.unit.test_z",
    ]


def test_python_m_bench_starts_and_every_benchmark_module_imports() -> None:
    helped = subprocess.run(
        [sys.executable, "-m", "bench", "--help"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert helped.returncode == 0, helped.stderr[-3000:]
    assert "--quick" in helped.stdout
    modules = sorted(f"bench.{p.stem}" for p in BENCH.glob("*.py") if p.stem != "__main__")
    imported = subprocess.run(
        [sys.executable, "-c", "import importlib, sys\n"
         "for name in sys.argv[1:]: importlib.import_module(name)", *modules],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr[-3000:]


def test_the_full_run_runs_every_benchmark_once_and_the_conversions_first() -> None:
    """`python -m bench` (and its quick form, the same plan) runs every choice of `--only`, so a
    benchmark added to ONLY cannot be left out of the full run and its section go stale."""
    steps = list(plan(parser().parse_args([])))
    assert steps[0] == CORE
    assert sorted(steps[1:]) == sorted(f"--only {name}" for name in ONLY)
    assert len(set(steps)) == len(steps)


def test_an_ffmpeg_named_to_the_full_run_gets_its_own_conversion_too() -> None:
    steps = list(plan(parser().parse_args(["--ffmpeg", "/opt/ffmpeg51/bin/ffmpeg"])))
    assert steps[0] == CORE
    assert set(steps) == {
        CORE,
        *(f"--only {name}" for name in ONLY),
        "--only conversion, FFMPEG_BINARY=/opt/ffmpeg51/bin/ffmpeg",
    }


def test_the_mimo_stand_in_of_the_benchmarks_says_its_usage_when_asked() -> None:
    """`python -m bench.mimo_server` is a command the benchmarks' docs show: `--help` prints
    its usage, and a wrong argument is one line, neither a traceback."""
    asked = [[sys.executable, "-m", "bench.mimo_server", *args] for args in (["--help"], ["soon"])]
    helped, wrong = (
        subprocess.run(
            argv, cwd=ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
        )
        for argv in asked
    )

    assert (helped.returncode, helped.stderr) == (0, "")
    assert helped.stdout.startswith(
        "usage: python -m bench.mimo_server [-h] [--recognise] [--published]"
    )
    assert "DELAY" in helped.stdout and "Traceback" not in helped.stdout
    assert wrong.returncode == 2
    assert "Traceback" not in wrong.stderr
    assert wrong.stderr.splitlines()[-1] == (
        "python -m bench.mimo_server: error: argument DELAY: invalid float value: 'soon'"
    )
