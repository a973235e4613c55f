"""Every helper of the tests is defined once: a function, fixture or class at the top of a module
under `tests/` has a name no other module there defines. A helper two test modules need lives in
one of the shared modules (`tests/waiting.py`, `tests/audio_factory.py`, a conftest's fixtures,
...) and both import it; two different things get two names. Nor is a helper copied under
another name: no two helpers in different modules have the same body."""

from __future__ import annotations

import ast
import functools
from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]

# Names more than one module defines on purpose, with the modules that may, and why.
PER_MODULE = {
    # Hooks pytest finds by their names: each of our pytest plugins implements its own.
    "pytest_addoption": {"cpu_report.py", "long_first.py", "shares.py", "time_limit.py"},
    "pytest_configure": {"bytecode.py", "cpu_report.py", "long_first.py", "time_limit.py"},
    "pytest_collection_modifyitems": {"long_first.py", "shares.py"},
    # The entry point of a script run on its own (`python -m tests.breaks`, a reducer).
    "main": {"breaks/planting.py", "standins/descriptions/reduce_discord_openapi.py"},
    # Fixtures overridden where a module's tests need the stand-in otherwise, so that the
    # fixtures built on it (the bot, the server) get that one: the command-line tests' MiMo
    # answers every request with a summary's words, and one module's Discord has not granted
    # the Members intent.
    "mimo": {"integration/conftest.py", "integration/cli/conftest.py"},
    "discord_api": {
        "integration/conftest.py",
        "integration/test_discord_without_members_intent.py",
    },
}


@functools.cache  # parsed once a process, for both checks
def parsed_modules() -> dict[str, ast.Module]:
    """Each module under `tests/`, by its path relative to `tests/`, parsed."""
    return {
        path.relative_to(TESTS).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
        for path in TESTS.rglob("*.py")
    }


def definitions() -> dict[str, set[str]]:
    """Each name defined at the top of a test module (tests and test classes aside), with the
    modules, relative to `tests/`, that define it."""
    found: dict[str, set[str]] = defaultdict(set)
    for module, tree in parsed_modules().items():
        for node in tree.body:
            helper = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            if helper and not node.name.startswith(("test_", "Test")):
                found[node.name].add(module)
    return found


def test_no_helper_is_defined_in_two_test_modules() -> None:
    twice = {
        name: sorted(modules)
        for name, modules in definitions().items()
        if len(modules) > 1 and not modules <= PER_MODULE.get(name, set())
    }
    assert twice == {}, "import the one helper, or name the two things apart"


# A body this small (a line of a few names) may well be written twice on its own.
_SMALLEST_COMPARED = 8  # nodes of its syntax tree


def bodies() -> dict[str, set[str]]:
    """Each helper function's body (its docstring aside) with its parameters, as a syntax tree
    dumped without names of its own, with the `module:name` places that define it."""
    found: dict[str, set[str]] = defaultdict(set)
    for module, tree in parsed_modules().items():
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if node.name.startswith(("test_", "pytest_")):  # tests, and hooks found by name
                continue
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            tree = ast.Module(body=body, type_ignores=[])
            if sum(1 for _ in ast.walk(tree)) >= _SMALLEST_COMPARED:
                found[ast.dump(node.args) + ast.dump(tree)].add(f"{module}:{node.name}")
    return found


def test_no_helper_is_a_copy_of_another_under_a_new_name() -> None:
    copies = sorted(sorted(places) for places in bodies().values() if len(places) > 1)
    assert copies == [], "import the one helper instead of writing it again"


def test_each_name_kept_per_module_is_still_defined_where_it_says() -> None:
    found = definitions()
    assert {name: found[name] for name in PER_MODULE} == PER_MODULE
