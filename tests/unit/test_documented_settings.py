"""Every setting is documented where a user looks for it: the README's Configuration table and
`.env.example`. A setting added without either fails here, not in a user's deployment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.config import Settings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = sorted(name.upper() for name in Settings.model_fields)


def _readme_table_names() -> set[str]:
    return set(re.findall(r"^\| `([A-Z0-9_]+)` \|", (ROOT / "README.md").read_text(), re.M))


def _env_example_names() -> set[str]:
    return set(re.findall(r"^#? ?([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))


@pytest.mark.parametrize("name", SETTINGS)
def test_the_setting_is_in_the_readme_table(name: str) -> None:
    assert name in _readme_table_names()


@pytest.mark.parametrize("name", SETTINGS)
def test_the_setting_is_in_env_example(name: str) -> None:
    assert name in _env_example_names()


def test_nothing_documented_is_unknown_to_the_bot() -> None:
    assert _readme_table_names() - set(SETTINGS) == set()
    assert _env_example_names() - set(SETTINGS) == set()
