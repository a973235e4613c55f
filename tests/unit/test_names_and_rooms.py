"""One name, one thing, and rooms a reader can see whole: no class name is defined twice across
`core/` and `bots/`, so a name read in a traceback, a log line or a docstring leads to one place
(two things that would share a name get two: `docs/contributing/glossary.md`); no module's file
name is used twice either, so a word typed into a file finder opens one file, and a concept
spanning the layers says in each file which part it is (`summary_windows`, `summary_wording`,
`chat_log_in_database`: `docs/contributing/layout.md`); no module is longer than 400 lines; and
the two adapters are laid out alike, by capability, each with a handful of modules at its top."""

from __future__ import annotations

import ast
import functools
import importlib
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "contributing" / "glossary.md"
RETIRED = "## Retired names"  # the glossary's last section: names none may define again
LONGEST_MODULE = 400  # lines
MOST_AT_AN_ADAPTERS_TOP = 12  # modules, its packages aside
# What both adapters do alike, each in a package of this name.
SHARED_CAPABILITIES = {
    "answers",
    "application",
    "claims_and_redo",
    "commands",
    "memory",
    "recordings",
    "settings",
    "summaries",
    "voices",
}
ENTRY_POINTS = {"__init__.py", "__main__.py"}  # named by Python, not by us


@functools.cache  # read and parsed once a process, for every test here
def modules() -> dict[str, tuple[str, ast.Module]]:
    """Each module under `core/` and `bots/`, by its path from the root: its text and its tree."""
    found = {}
    for top in ("core", "bots"):
        for path in sorted((ROOT / top).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            found[path.relative_to(ROOT).as_posix()] = (text, ast.parse(text))
    return found


def classes() -> dict[str, list[str]]:
    """Each class defined under `core/` or `bots/` (nested ones and private ones too), with the
    modules that define one by that name."""
    found: dict[str, list[str]] = defaultdict(list)
    for module, (_, tree) in modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                found[node.name].append(module)
    return found


def test_no_class_name_is_defined_twice() -> None:
    twice = {name: modules for name, modules in classes().items() if len(modules) > 1}
    assert twice == {}, "name the two things apart"


def test_no_module_file_name_is_used_twice() -> None:
    by_name: dict[str, list[str]] = defaultdict(list)
    for module in modules():
        if (name := module.rsplit("/", 1)[-1]) not in ENTRY_POINTS:
            by_name[name].append(module)
    twice = {name: paths for name, paths in by_name.items() if len(paths) > 1}
    assert twice == {}, "name each file for its part of the concept (docs/contributing/layout.md)"
    assert len(by_name) > 300  # every module is seen


def test_the_check_sees_the_classes_of_both_trees() -> None:
    found = classes()
    assert "VoicebridgeBot" in found  # bots/discord
    assert "ListenedCall" in found  # core/app


def test_no_module_is_longer_than_a_reader_can_see_whole() -> None:
    long = {
        module: lines
        for module, (text, _) in modules().items()
        if (lines := len(text.splitlines())) > LONGEST_MODULE
    }
    assert long == {}, "split it by what it holds"


@pytest.mark.parametrize("adapter", ["telegram", "discord"])
def test_an_adapter_is_laid_out_by_capability(adapter: str) -> None:
    top = ROOT / "bots" / adapter
    modules = [path.name for path in top.glob("*.py") if path.name != "__init__.py"]
    packages = {path.parent.name for path in top.glob("*/__init__.py")}
    assert len(modules) <= MOST_AT_AN_ADAPTERS_TOP, sorted(modules)
    assert packages >= SHARED_CAPABILITIES


def defined_names() -> set[str]:
    """Every class, function and module-level name defined under `core/` and `bots/`."""
    found: set[str] = set()
    for _, tree in modules().values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                found.add(node.name)
            elif isinstance(node, ast.Assign):
                found.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return found


def resolves(dotted: str) -> bool:
    """Whether `dotted` (a module, then attributes) names something that exists."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        return all((found := getattr(found, part, None)) is not None for part in parts[split:])
    return False


def test_the_glossary_names_what_the_code_holds() -> None:
    """Each place the glossary gives a word (a dotted path, or a class or function by its
    name) is in the code: a word whose class was renamed or moved sends nobody astray."""
    names = defined_names()
    places = re.findall(r"`([^`]+)`", GLOSSARY.read_text(encoding="utf-8").split(RETIRED)[0])
    dotted = [place for place in places if place.startswith(("core.", "bots."))]
    bare = [place for place in places if re.fullmatch(r"[A-Z]\w+(\.\w+)?", place)]
    assert [place for place in dotted if not resolves(place)] == []
    assert [place for place in bare if place.split(".")[0] not in names] == []
    assert len(dotted) > 20 and len(bare) > 10  # the glossary is read, not skipped


def retired() -> list[str]:
    """The glossary's retired names (first column of its last section): a bare name, a
    `Class.attribute`, or a module's path."""
    section = GLOSSARY.read_text(encoding="utf-8").split(RETIRED)[1]
    return re.findall(r"^\| `([^`]+)` \|", section, flags=re.MULTILINE)


def identifiers(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Every name `tree` defines or passes by name (classes, functions, parameters, keywords,
    variables, attributes assigned), and each `Class.attribute` its classes define."""
    names: set[str] = set()
    members: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.arg) or (isinstance(node, ast.keyword) and node.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        if isinstance(node, ast.ClassDef):
            members.update(f"{node.name}.{name}" for name in identifiers_in(node))
    return names, members


def identifiers_in(cls: ast.ClassDef) -> set[str]:
    """The attributes a class defines: its methods, its fields, what its methods assign to self."""
    found: set[str] = set()
    for node in ast.walk(cls):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            found.add(node.attr)
    return found


@functools.cache
def named() -> tuple[set[str], set[str]]:
    """`identifiers` of every module under `core/` and `bots/`, together."""
    names: set[str] = set()
    members: set[str] = set()
    for _, tree in modules().values():
        defined, in_classes = identifiers(tree)
        names |= defined
        members |= in_classes
    return names, members


def test_no_retired_name_comes_back() -> None:
    """A name retired for holding a word in another meaning (`Withdrawn`, `ConsentHeard`,
    `CallState.heard`...) is defined nowhere under `core/` or `bots/` again, nor a module at a
    retired path: the glossary's last section lists them, with what holds each meaning now."""
    names, members = named()
    paths = [name for name in retired() if "/" in name]
    dotted = [name for name in retired() if "." in name and name not in paths]
    bare = [name for name in retired() if name not in paths and name not in dotted]
    assert [name for name in bare if name in names] == []
    assert [name for name in dotted if name in members] == []
    assert [path for path in paths if path in modules()] == []
    assert len(bare) > 5 and len(dotted) > 2 and len(paths) > 3  # the section is read


def test_the_retired_check_sees_what_is_defined() -> None:
    names, members = named()
    assert {"NoLongerWanted", "taken_back", "audio_seconds"} <= names  # class, param, keyword
    assert {"CallState.taking_voices", "ChannelReader.taken_back"} <= members
