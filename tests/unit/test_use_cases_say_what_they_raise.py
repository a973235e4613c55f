"""A use case's public methods say what they raise: where a method's own body raises a class of
`core.domain.errors` (`raise errors.NotAllowed()`), its docstring names that class, so an
adapter's author learns from the method what to turn into a reply. The use cases are the classes
of `core/app` the composition root hands the bots: the fields of `UseCases`, `Runtime` and the
`VoiceServices` a runtime builds. What the helpers and collaborators a method calls raise is
named where it matters (the limiter's refusals), by hand: this test reads only the method's own
`raise` statements, those that name an error class (`raise error` of a variable is not read).
"""

from __future__ import annotations

import ast
import dataclasses
import re
import sys
from collections.abc import Iterator

from core.bootstrap import Runtime, UseCases, VoiceServices
from core.domain import errors
from tests.unit.test_names_and_rooms import modules


def use_case_classes() -> dict[str, type]:
    """The classes of `core/app` among the fields of the use cases' holders, by name."""
    found = {}
    for holder in (UseCases, Runtime, VoiceServices):
        names = vars(sys.modules[holder.__module__])  # the annotations are strings
        for field in dataclasses.fields(holder):
            kind = names.get(field.type) if isinstance(field.type, str) else field.type
            if isinstance(kind, type) and kind.__module__.startswith("core.app."):
                found[kind.__name__] = kind
    return found


def class_tree(kind: type) -> ast.ClassDef:
    """The syntax tree of `kind`'s class statement, from the parse of its module."""
    _, tree = modules()[kind.__module__.replace(".", "/") + ".py"]
    return next(
        node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == kind.__name__
    )


def direct_raises(method: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The classes of `core.domain.errors` a method's own statements raise by name."""
    raised = set()
    for node in ast.walk(method):
        if isinstance(node, ast.Raise) and node.exc is not None:
            made = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            name = made.attr if isinstance(made, ast.Attribute) else getattr(made, "id", "")
            if name in errors.__all__:
                raised.add(name)
    return raised


def unnamed_raises(kind: ast.ClassDef) -> Iterator[str]:
    """Each error a public method of the class raises that its docstring does not name, as
    `Class.method: Error`."""
    for method in kind.body:
        if isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
            if method.name.startswith("_"):
                continue
            said = ast.get_docstring(method) or ""
            for error in sorted(direct_raises(method)):
                if not re.search(rf"\b{error}\b", said):
                    yield f"{kind.name}.{method.name}: {error}"


def test_each_use_case_method_names_what_it_raises() -> None:
    unnamed = [
        found for kind in use_case_classes().values() for found in unnamed_raises(class_tree(kind))
    ]
    assert unnamed == [], "name it in the method's docstring: Raises `errors.X` when ..."


def test_the_check_reads_the_use_cases_and_their_raises() -> None:
    found = use_case_classes()
    assert {"Transcription", "VoiceStudio", "Listening", "ChannelReader"} <= set(found)
    raised = {
        method.name: direct_raises(method)
        for method in class_tree(found["VoiceStudio"]).body
        if isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    assert raised["share"] == {"NotYourVoice", "VoiceNotVerified"}


def test_the_check_sees_a_docstring_that_leaves_an_error_out() -> None:
    written = ast.parse(
        "class Studio:\n"
        "    async def share(self):\n"
        '        """Share it. Raises `errors.NotYourVoice` unless it is theirs."""\n'
        "        if self.verified:\n"
        "            raise errors.VoiceNotVerified(value=1)\n"
        "        raise NotYourVoice()\n"
        "    def _helper(self):\n"
        "        raise errors.NotAllowed()\n"
    )
    kind = written.body[0]
    assert isinstance(kind, ast.ClassDef)
    assert list(unnamed_raises(kind)) == ["Studio.share: VoiceNotVerified"]
