"""The promises page (docs/contributing/promises.md) and the breaks (tests/breaks) name tests
that exist: a test renamed, moved or replaced without them fails here, not the day someone
relies on the list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.breaks.planting import Break, all_breaks

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "contributing" / "promises.md"
NODE = re.compile(r"(tests/[\w/]+\.py)::(test_\w+)")


def missing(node_ids: list[str]) -> list[str]:
    """Those of `node_ids` (a parametrized test's too) whose file does not define the test."""
    gone = []
    for node in node_ids:
        found = NODE.fullmatch(node.split("[", 1)[0])
        if found is None or not defines(ROOT / found[1], found[2]):
            gone.append(node)
    return gone


def defines(path: Path, test: str) -> bool:
    return (
        path.is_file()
        and re.search(rf"^\s*(async )?def {test}\(", path.read_text(), re.M) is not None
    )


def test_every_test_the_promises_page_names_exists() -> None:
    named = [f"{path}::{test}" for path, test in NODE.findall(PAGE.read_text())]

    assert len(named) > 50
    assert missing(named) == []


def test_every_break_names_guards_that_exist_and_changes_the_code() -> None:
    breaks = all_breaks()

    assert breaks
    for each in breaks:
        assert missing(list(each.guards)) == [], each.name
        assert re.search(r"^\+\+\+ b/(core|bots)/", each.diff, re.M), each.name


@pytest.mark.parametrize("each", all_breaks(), ids=lambda each: each.name)
def test_each_break_is_named_on_the_promises_page_by_its_guards(each: Break) -> None:
    page = PAGE.read_text()

    assert [guard for guard in each.guards if guard.split("[", 1)[0] not in page] == []
