"""The tree of errors drawn in `core.domain.errors`' docstring is the classes' own: each class
drawn under the one it derives from, and every error class of the package drawn (by its line,
or named beside its parent's line, as "(AskQuotaShort, AskOverQuota: likewise)" names two)."""

from __future__ import annotations

import re

from core.domain import errors

_NAMED = re.compile(r"\b([A-Z][a-z]\w*[A-Z]\w*)\b")


def drawn() -> tuple[dict[str, str], set[str]]:
    """Each class drawn on a line of its own, with the class drawn above it; and every class
    name the tree mentions at all."""
    tree = (errors.__doc__ or "").split("    VoicebridgeError\n", 1)[1]
    parents: dict[str, str] = {}
    above = ["VoicebridgeError"]
    for line in tree.splitlines():
        branch = re.match(r"^    (?P<bars>(?:│   |    )*)[├└]── (?P<name>[A-Z]\w+)\b", line)
        if branch is None:
            continue
        depth = len(branch["bars"]) // 4 + 1
        above[depth:] = [branch["name"]]
        parents[branch["name"]] = above[depth - 1]
    return parents, set(_NAMED.findall(tree)) | set(parents)


def error_classes() -> dict[str, type]:
    found: dict[str, type] = {}
    todo: list[type] = [errors.VoicebridgeError]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("core.domain.errors"):
                found[sub.__name__] = sub
                todo.append(sub)
    return found


def test_each_class_is_drawn_under_the_class_it_derives_from() -> None:
    parents, _ = drawn()
    classes = error_classes()
    wrong = {
        name: (above, classes[name].__base__.__name__)
        for name, above in parents.items()
        if name in classes and classes[name].__base__.__name__ != above
    }
    assert wrong == {}, "(drawn under, derives from)"
    assert set(parents) <= set(classes), "a class drawn that the package does not have"


def test_every_error_class_is_in_the_tree() -> None:
    _, named = drawn()
    assert set(error_classes()) - named == set()
