"""The version: `voicebridge --version` says the installed package's and the commit that runs
(`bots.version`), and CHANGELOG.md has a section for the version (Keep a Changelog), so a
release never goes out with its changes unwritten."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from bots import version as running
from bots.cli import main

ROOT = Path(__file__).resolve().parents[2]
GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="no git program to make a repository with")


def git(folder: Path, *args: str) -> str:
    """git in `folder`, as nobody in particular (no configuration of this machine's)."""
    assert GIT is not None
    env = {"PATH": os.environ["PATH"], "HOME": str(folder), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.org",
           "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.org"}  # fmt: skip
    done = subprocess.run([GIT, *args], cwd=folder, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="not run from a git checkout")
@needs_git
def test_version_says_the_release_and_the_commit_that_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Between releases the version stays the last release's (0.2.0 for 250 commits): the
    commit tells what runs."""
    commit = git(ROOT, "rev-parse", "HEAD")

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"voicebridge {version('voicebridge')}+g{commit[:8]}\n"


@needs_git
def test_the_commit_is_read_from_the_checkout_as_git_keeps_it(tmp_path: Path) -> None:
    """A branch's loose ref, the same packed, a detached HEAD (a release switched to), and a
    worktree (its HEAD its own, its refs the repository's); none before the first commit."""
    repository = tmp_path / "voicebridge"
    repository.mkdir()
    git(repository, "init", "--quiet", "--initial-branch=main")
    unborn = running.commit_of(repository)
    git(repository, "commit", "--quiet", "--allow-empty", "-m", "Release 0.2.0")
    first = git(repository, "rev-parse", "HEAD")
    git(repository, "commit", "--quiet", "--allow-empty", "-m", "After it")
    second = git(repository, "rev-parse", "HEAD")
    on_a_branch = running.commit_of(repository)
    git(repository, "pack-refs", "--all")
    packed = running.commit_of(repository)
    git(repository, "switch", "--quiet", "--detach", first)
    detached = running.commit_of(repository)
    git(repository, "worktree", "add", "--quiet", "-b", "other", str(tmp_path / "other"), second)
    in_a_worktree = running.commit_of(tmp_path / "other")

    assert unborn is None
    assert (on_a_branch, packed, detached, in_a_worktree) == (second, second, first, second)
    assert running.commit_of(tmp_path) is None  # no checkout


def test_an_installation_without_a_checkout_says_the_commit_its_build_wrote(
    tmp_path: Path,
) -> None:
    """The container image: its build sees the checkout (or is told the commit) and writes it
    beside the installed package, which has no .git of its own."""
    installed = {"checkout": tmp_path / "site-packages", "recorded": tmp_path / "commit"}
    commit = "1a9670af" + "0" * 32

    nothing = running.running_version(**installed)
    written = running.record(tmp_path / "no-checkout", commit, into=installed["recorded"])
    said = running.running_version(**installed)
    refused = running.record(tmp_path / "no-checkout", "not a commit", into=installed["recorded"])

    assert nothing == version("voicebridge")
    assert written == commit
    assert said == f"{version('voicebridge')}+g1a9670af"
    assert refused is None and not (tmp_path / "commit").exists()


def test_the_changelog_has_a_section_for_the_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    dated = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)
    assert version("voicebridge") in dated
    assert changelog.index("## [Unreleased]") < changelog.index(f"## [{version('voicebridge')}]")


def test_the_upgrading_page_says_what_the_version_asks_of_an_operator() -> None:
    """The release checklist (docs/contributing/releasing.md) turns the page's unreleased
    section into the version's: an upgrade to it never comes without its steps."""
    page = (ROOT / "docs" / "operations" / "upgrading.md").read_text()
    sections = re.findall(r"^### (.+)$", page, re.M)
    assert sections[0] == "The next release (unreleased)"
    assert version("voicebridge") in sections


def test_the_project_says_where_it_lives() -> None:
    """`pip show voicebridge` and the package's page name its home, docs, changelog and issues
    (one address, assumed: pyproject.toml says so)."""
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert set(urls) == {"Homepage", "Documentation", "Changelog", "Issues"}
    home = urls["Homepage"]
    assert home.startswith("https://")
    assert all(url.startswith(home) for url in urls.values())
