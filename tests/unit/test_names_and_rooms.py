"""One name, one thing, and rooms a reader can see whole: no class name is defined twice across
`core/` and `bots/`, so a name read in a traceback, a log line or a docstring leads to one place
(two things that would share a name get two: `docs/contributing/glossary.md`); no module is
longer than 400 lines; and the two adapters are laid out alike, by capability, each with a
handful of modules at its top."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LONGEST_MODULE = 400  # lines
MOST_AT_AN_ADAPTERS_TOP = 12  # modules, its packages aside
# What both adapters do alike, each in a package of this name.
SHARED_CAPABILITIES = {"application", "answers", "recordings", "voices"}


def classes() -> dict[str, list[str]]:
    """Each class defined under `core/` or `bots/` (nested ones and private ones too), with the
    modules that define one by that name."""
    found: dict[str, list[str]] = defaultdict(list)
    for top in ("core", "bots"):
        for path in sorted((ROOT / top).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef):
                    found[node.name].append(path.relative_to(ROOT).as_posix())
    return found


def test_no_class_name_is_defined_twice() -> None:
    twice = {name: modules for name, modules in classes().items() if len(modules) > 1}
    assert twice == {}, "name the two things apart"


def test_the_check_sees_the_classes_of_both_trees() -> None:
    found = classes()
    assert "VoicebridgeBot" in found  # bots/discord
    assert "ListenedCall" in found  # core/app


def test_no_module_is_longer_than_a_reader_can_see_whole() -> None:
    long = {
        path.relative_to(ROOT).as_posix(): lines
        for top in ("core", "bots")
        for path in (ROOT / top).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST_MODULE
    }
    assert long == {}, "split it by what it holds"


@pytest.mark.parametrize("adapter", ["telegram", "discord"])
def test_an_adapter_is_laid_out_by_capability(adapter: str) -> None:
    top = ROOT / "bots" / adapter
    modules = [path.name for path in top.glob("*.py") if path.name != "__init__.py"]
    packages = {path.parent.name for path in top.glob("*/__init__.py")}
    assert len(modules) <= MOST_AT_AN_ADAPTERS_TOP, sorted(modules)
    assert packages >= SHARED_CAPABILITIES
