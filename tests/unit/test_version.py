"""The version: `voicebridge --version` says the installed package's, and CHANGELOG.md has a
section for it (Keep a Changelog), so a release never goes out with its changes unwritten."""

from __future__ import annotations

import re
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
