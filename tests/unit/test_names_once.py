"""One name, one thing: no class name is defined twice across `core/` and `bots/`, so a name
read in a traceback, a log line or a docstring leads to one place. Two things that would share
a name get two (see `docs/contributing/glossary.md`)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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
