"""What the project's own runs say of themselves: the benchmarks' last line counts what ran,
and names what was skipped rather than calling it run ("all 14 ran" with benchmark 10 skipped
for want of PostgreSQL); the full run's time is said the same way wherever it is said, as the
last run's header in bench/RESULTS.md measured it; and the site is built on the contributing
page as CI builds it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import bench.__main__
from bench.quick import Skipped, each

ROOT = Path(__file__).resolve().parents[2]


def _skip() -> None:
    raise Skipped("benchmark 10 runs on PostgreSQL alone: no TEST_DATABASE_URL")


def _fail() -> None:
    raise RuntimeError("broken")


def test_a_skipped_benchmark_is_named_and_not_counted_as_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    failed = each({"--only load": lambda: None, "--only replicas": _skip}, "quick")
    out = capsys.readouterr().out.splitlines()

    assert failed == []  # a skip fails nothing
    assert out[-2].startswith(
        "quick: --only replicas skipped (benchmark 10 runs on PostgreSQL alone: no "
        "TEST_DATABASE_URL) in "
    )
    assert re.fullmatch(
        r"quick: 1 of 2 ran in \d+ s, each section written; skipped: --only replicas", out[-1]
    )
    assert not any(" all " in line for line in out)


def test_a_run_with_a_failure_and_a_skip_names_both(capsys: pytest.CaptureFixture[str]) -> None:
    failed = each({"a": _fail, "b": _skip, "c": lambda: None}, "quick")
    err = capsys.readouterr().err.splitlines()

    assert failed == ["a"]
    assert re.fullmatch(r"quick: 1 of 3 failed in \d+ s: a; skipped: b", err[-1])


def test_every_benchmark_that_ran_is_counted_as_before(
    capsys: pytest.CaptureFixture[str],
) -> None:
    each({"a": lambda: None, "b": lambda: None}, "quick")

    assert re.fullmatch(r"quick: all 2 ran in \d+ s, each section written",
                        capsys.readouterr().out.splitlines()[-1])  # fmt: skip


def test_the_full_run_s_time_is_said_as_the_last_run_measured_it() -> None:
    header = (ROOT / "bench" / "RESULTS.md").read_text()
    minutes = int(re.search(r"the\s+whole run took (\d+) min", header)[1])  # type: ignore[index]
    said = "about an hour" if 45 <= minutes <= 75 else f"about {minutes} minutes"
    places = {
        "bench/__main__.py": bench.__main__.__doc__ or "",
        "docs/contributing/index.md": (ROOT / "docs/contributing/index.md").read_text(),
        "docs/performance.md": (ROOT / "docs/performance.md").read_text(),
    }
    for place, text in places.items():
        flat = " ".join(text.split())
        assert said in flat, place
        assert f"{minutes} min" in flat, place  # the measured time beside it
        assert not re.search(r"[Aa]bout \d+ minutes on a 2-core", flat), place


def test_the_contributing_page_builds_the_site_as_ci_does() -> None:
    """The Material theme's banner is silenced the same way on the page and in CI, and the
    page says what the banner says: a contributor neither meets nine unexplained lines nor a
    build quieter than CI's."""
    ci = (ROOT / ".ci" / "run").read_text()
    page = (ROOT / "docs" / "contributing" / "index.md").read_text()
    [built] = re.findall(r"^(NO_MKDOCS_2_WARNING=1 \.venv/bin/mkdocs build --strict)", ci, re.M)

    assert re.search(rf"^{re.escape(built)}\s", page, re.M)
    flat = " ".join(page.split())
    assert "Material for MkDocs reaches its end of life on 5 May 2027" in flat
