"""The version: `voicebridge --version` says the installed package's, and CHANGELOG.md has a
section for it (Keep a Changelog), so a release never goes out with its changes unwritten."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from bots.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"voicebridge {version('voicebridge')}\n"


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
