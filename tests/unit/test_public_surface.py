"""Each module under `core/` and `bots/` says what it offers in its `__all__`: the names other
modules import from it, and its entry points (a command, a builder) though nothing imports them
yet. The rest of its names are its own, whether or not they start with `_`.

Held here: every such module has an `__all__` (a module that defines no name at its top, a
package's docstring or the `__main__` script, needs none), and every name it lists is there;
every `from core... import name` or `from bots... import name` in `core/`, `bots/`, `bench/` and
`tests/` names either a submodule or a name the module lists; and no name that starts with `_`
is imported from another module in `core/`, `bots/` or `bench/`. The tests may reach a module's
`_` names (a private helper tested on its own, a function a test replaces): what starts with
`_` says by its name that it is not offered, so the tests' use of it does not make it so.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Iterator

from tests.unit.test_helpers_defined_once import parsed_modules
from tests.unit.test_names_and_rooms import ROOT, modules

# Modules that do not say what they offer yet, with why.
WITHOUT_ALL: dict[str, str] = {}


def dotted(path: str) -> str:
    """The module a file under the root holds: `core/app/__init__.py` is `core.app`."""
    parts = path.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def listed_in_all(tree: ast.Module) -> list[str] | None:
    """The names a module's `__all__` lists (None: it has no `__all__`)."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            assert isinstance(node.value, ast.List | ast.Tuple), "a list of names, as written"
            return [ast.literal_eval(item) for item in node.value.elts]
    return None


def top_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """The names a module defines at its top (inside an `if` or a `try` there too), and the
    names it imports there."""
    defined: set[str] = set()
    imported: set[str] = set()
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            imported.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.If | ast.Try):
            pending.extend(node.body + node.orelse)
            pending.extend(s for h in getattr(node, "handlers", []) for s in h.body)
    return defined - {"__all__"}, imported


@functools.cache  # parsed once a process, for every check here
def surfaces() -> dict[str, list[str] | None]:
    """Each module under `core/` and `bots/`, by its dotted name, with its `__all__`."""
    return {dotted(path): listed_in_all(tree) for path, (_, tree) in modules().items()}


@functools.cache
def bench_modules() -> dict[str, ast.Module]:
    """Each module under `bench/`, by its path from the root, parsed."""
    return {
        path.relative_to(ROOT).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / "bench").rglob("*.py"))
    }


def imports_from_the_project(
    trees: Iterable[tuple[str, ast.Module]],
) -> Iterator[tuple[str, str, str]]:
    """Each `from X import name` anywhere in the trees (a function's late import too) where X
    is a module of `core/` or `bots/` and `name` is not a submodule of it, as (`place:line`,
    X, name)."""
    known = surfaces()
    for place, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in known:
                for alias in node.names:
                    if f"{node.module}.{alias.name}" not in known:
                        yield f"{place}:{node.lineno}", node.module, alias.name


def not_offered(imports: Iterable[tuple[str, str, str]]) -> list[str]:
    """The imports of names their module does not list (modules without `__all__` aside)."""
    known = surfaces()
    return [
        f"{place}: from {module} import {name}"
        for place, module, name in imports
        if (listed := known[module]) is not None and name not in listed
    ]


def product_trees() -> list[tuple[str, ast.Module]]:
    """The modules of `core/`, `bots/` and `bench/`, parsed, by their paths from the root."""
    trees = [(path, tree) for path, (_, tree) in modules().items()]
    return trees + list(bench_modules().items())


def test_each_module_says_what_it_offers() -> None:
    silent = [
        path
        for path, (_, tree) in modules().items()
        if listed_in_all(tree) is None and top_names(tree)[0] and path not in WITHOUT_ALL
    ]
    assert silent == [], "list what the module offers in its __all__"


def test_each_module_left_without_all_is_still_there_and_without_one() -> None:
    found = modules()
    assert {path: listed_in_all(found[path][1]) for path in WITHOUT_ALL} == dict.fromkeys(
        WITHOUT_ALL
    )


def test_every_name_a_module_offers_is_there() -> None:
    missing = {}
    for path, (_, tree) in modules().items():
        defined, imported = top_names(tree)
        if absent := set(listed_in_all(tree) or ()) - defined - imported:
            missing[path] = sorted(absent)
    assert missing == {}


def test_a_module_offers_what_it_defines_and_only_a_package_passes_names_on() -> None:
    """A name is offered where it is defined, so that each has one place to be imported from
    (`core.app.recordings.piece_transcriber.NoLongerWanted`, never through `transcription`); only a
    package's `__init__` gathers its modules' names."""
    passed_on = {}
    for path, (_, tree) in modules().items():
        defined, _ = top_names(tree)
        if not path.endswith("__init__.py") and (
            others := set(listed_in_all(tree) or ()) - defined
        ):
            passed_on[path] = sorted(others)
    assert passed_on == {}


def test_what_the_product_imports_from_a_module_it_offers() -> None:
    assert not_offered(imports_from_the_project(product_trees())) == []


def test_what_the_tests_import_from_a_module_it_offers_or_marks_private() -> None:
    trees = [(f"tests/{path}", tree) for path, tree in parsed_modules().items()]
    public = [found for found in imports_from_the_project(trees) if not found[2].startswith("_")]
    assert not_offered(public) == []


def test_no_private_name_is_imported_from_another_module_of_the_product() -> None:
    private = [
        f"{place}: from {module} import {name}"
        for place, module, name in imports_from_the_project(product_trees())
        if name.startswith("_") and not name.startswith("__")
    ]
    assert private == [], "a name others need is offered: drop its `_` and list it"


def test_the_checks_see_a_name_left_out_and_a_name_not_there() -> None:
    """A slip each check is for: a module imports a name its neighbour does not list, or a
    module lists a name it neither defines nor imports."""
    known = surfaces()
    module, listed = next((m, names) for m, names in known.items() if names)
    slip = ast.parse(f"def late():\n    from {module} import not_{listed[0]}\n")
    assert not_offered(imports_from_the_project([("slip.py", slip)])) == [
        f"slip.py:2: from {module} import not_{listed[0]}"
    ]
    tree = ast.parse('from a import b\n__all__ = ["b", "c", "d"]\nc = 1\n')
    defined, imported = top_names(tree)
    assert set(listed_in_all(tree) or ()) - defined - imported == {"d"}
    assert len(known) > 350 and sum(len(names or ()) for names in known.values()) > 1500
