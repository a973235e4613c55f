"""`python -m tests.breaks [NAME ...] [--all] [--list]`: plant each break in a copy of HEAD and
see whether its guards catch it.

A break is one file here, `NAME.patch`: its first line says what breaks, the next few which
promise, a paragraph starting `Guards:` lists the tests that must fail with it (pytest node ids,
one a line), then the diff against HEAD as `git diff` writes it (`git apply` skips the text
before it). Adding a break is adding such a file.

    1. HEAD is copied (`git archive`: what is committed, not the working tree) into a temporary
       folder that Python imports from (`PYTHONPATH`, so the processes the tests start import it
       too). There, unbroken, every guard must pass: a guard that fails anyway says nothing.
    2. For each break, a fresh copy gets its patch (`git apply`; one that no longer applies is
       "stale": write it again against the code as it is now), and its guards run there, in
       one process (`--all`: the whole suite instead, as the README's command runs it).
    3. "caught": the run failed; "MISSED": it passed with the break in place.

The exit status is 1 when a break is missed or stale, or its run could not tell (pytest found
no such test, say). The environment reaches the tests as it is: TEST_DATABASE_URL runs the
guards on PostgreSQL too, TEST_PORT_BASE keeps their servers off another run's ports.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
_DIFF = re.compile(r"^(diff --git |--- )", re.MULTILINE)
_SUMMARY = re.compile(r"^(FAILED|ERROR) (\S+)", re.MULTILINE)
_SHOWN = 6  # failed tests named per break


@dataclass(frozen=True)
class Break:
    name: str
    title: str
    guards: tuple[str, ...]
    diff: str


@dataclass(frozen=True)
class BreakOutcome:
    verdict: str  # "caught", "MISSED", "STALE" or "UNCLEAR"
    detail: str

    @property
    def ok(self) -> bool:
        return self.verdict == "caught"


def read_break(path: Path) -> Break:
    text = path.read_text(encoding="utf-8")
    start = _DIFF.search(text)
    if start is None:
        raise SystemExit(f"{path.name}: no diff in it")
    header = text[: start.start()].splitlines()
    lines = iter(header)
    for line in lines:
        if line.strip().lower() == "guards:":
            break
    guards = []
    for line in lines:
        if not line.strip():
            break
        guards.append(line.strip())
    if not guards:
        raise SystemExit(f"{path.name}: no 'Guards:' paragraph naming its tests")
    return Break(path.stem, header[0].strip(), tuple(guards), text[start.start() :])


def all_breaks() -> list[Break]:
    return [read_break(path) for path in sorted(HERE.glob("*.patch"))]


def head_archive() -> bytes:
    done = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, capture_output=True, check=True
    )
    return done.stdout


def unpacked(archive: bytes, folder: Path) -> Path:
    """HEAD's files in `folder`, a new one."""
    folder.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):  # 3.11.4 on: nothing may land outside `folder`
            tar.extractall(folder, filter="data")
        else:
            tar.extractall(folder)
    return folder


def copy_environment(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(copy), env.get("PYTHONPATH")]))
    # `git apply` in the copy never looks for a repository above it.
    env["GIT_CEILING_DIRECTORIES"] = str(copy.parent)
    return env


def check_imports_from(copy: Path) -> None:
    """The copy, not the checkout the package was installed from, is what the tests import."""
    done = subprocess.run(
        [sys.executable, "-c", "import core, bots, tests; print(core.__file__)"],
        cwd=copy, env=copy_environment(copy), capture_output=True, text=True, check=True,
    )  # fmt: skip
    if not Path(done.stdout.strip()).resolve().is_relative_to(copy.resolve()):
        raise SystemExit(f"the copy's tests would import {done.stdout.strip()}, not the copy")


def pytest(copy: Path, tests: Sequence[str], *, whole: bool) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfE"]
    command += [] if whole else ["-n0", *tests]
    return subprocess.run(
        command, cwd=copy, env=copy_environment(copy), capture_output=True, text=True, check=False
    )


def failed_tests(run: subprocess.CompletedProcess[str]) -> list[str]:
    return [name for _, name in _SUMMARY.findall(run.stdout)]


def baseline(archive: bytes, breaks: Sequence[Break], folder: Path) -> None:
    """Every guard passes on HEAD unbroken, and exists."""
    copy = unpacked(archive, folder / "HEAD")
    check_imports_from(copy)
    guards = list(dict.fromkeys(guard for each in breaks for guard in each.guards))
    run = pytest(copy, guards, whole=False)
    shutil.rmtree(copy)
    if run.returncode != 0:
        print(run.stdout[-4000:], run.stderr[-2000:], sep="\n")
        raise SystemExit("the guards do not pass on HEAD without any break: see above")


def planted(archive: bytes, each: Break, folder: Path, *, whole: bool) -> BreakOutcome:
    copy = unpacked(archive, folder / each.name)
    try:
        applied = subprocess.run(
            ["git", "apply", "-"], input=each.diff, cwd=copy, env=copy_environment(copy),
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if applied.returncode != 0:
            return BreakOutcome("STALE", f"the patch no longer applies: {applied.stderr.strip()}")
        run = pytest(copy, each.guards, whole=whole)
    finally:
        shutil.rmtree(copy)
    failed = failed_tests(run)
    named = "; ".join(failed[:_SHOWN])
    if len(failed) > _SHOWN:
        named += f"; and {len(failed) - _SHOWN} more"
    if run.returncode == 0:
        return BreakOutcome("MISSED", "its tests passed with the break in place")
    if run.returncode in (1, 2) and failed:  # tests failed, or a module failed to load
        return BreakOutcome("caught", f"{len(failed)} failed: {named}")
    return BreakOutcome("UNCLEAR", f"pytest ended with {run.returncode}:\n{run.stdout[-2000:]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.breaks",
        description="Plant each break (tests/breaks/*.patch) in a copy of HEAD and run its "
        "guards: each must make them fail.",
    )
    parser.add_argument("names", nargs="*", help="the breaks to plant (default: all of them)")
    parser.add_argument("--all", action="store_true", help="run the whole suite for each break")
    parser.add_argument("--list", action="store_true", help="list the breaks and their guards")
    args = parser.parse_args(argv)
    breaks = all_breaks()
    if args.names:
        unknown = set(args.names) - {each.name for each in breaks}
        if unknown:
            parser.error(f"no such break: {', '.join(sorted(unknown))}")
        breaks = [each for each in breaks if each.name in args.names]
    if args.list:
        for each in breaks:
            print(f"{each.name}: {each.title}", *(f"    {g}" for g in each.guards), sep="\n")
        return 0
    archive = head_archive()
    with tempfile.TemporaryDirectory(prefix="voicebridge-breaks-") as folder:
        baseline(archive, breaks, Path(folder))
        print(f"{len(breaks)} breaks, planted one at a time in a copy of HEAD:", flush=True)
        outcomes = []
        for each in breaks:
            outcome = planted(archive, each, Path(folder), whole=args.all)
            outcomes.append(outcome)
            print(f"{outcome.verdict:8}{each.name}: {each.title}\n        {outcome.detail}",
                  flush=True)  # fmt: skip
    caught = sum(outcome.ok for outcome in outcomes)
    print(f"{caught} of {len(outcomes)} caught")
    return 0 if caught == len(outcomes) else 1
