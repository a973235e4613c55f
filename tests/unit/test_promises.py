"""The promises page (docs/contributing/promises.md) and the breaks (tests/breaks) name tests
that exist: a test renamed, moved or replaced without them fails here, not the day someone
relies on the list. The page's table of every promise on every way in leaves no way out of a
promise and no cell empty, and names each promise's home in code that exists."""

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
        # The code: the core, the adapters, or the image the bot runs in.
        assert re.search(r"^\+\+\+ b/((core|bots)/|Containerfile$)", each.diff, re.M), each.name


@pytest.mark.parametrize("each", all_breaks(), ids=lambda each: each.name)
def test_each_break_is_named_on_the_promises_page_by_its_guards(each: Break) -> None:
    page = PAGE.read_text()

    assert [guard for guard in each.guards if guard.split("[", 1)[0] not in page] == []


# --- The table: each promise on each way in ------------------------------------------------

TABLE = "## Every promise on every way in"
WAYS = (
    "Telegram voice note",
    "Discord voice message",
    "Telegram Business",
    "Inline mode",
    "Guest Mode",
    "Discord user install",
    "Listened call",
    "Call taken up after a restart",
    "Interpreter",
    "Channel reading",
    "Reading taken up after a restart",
    "import telegram",
    "/remember",
    "Command line",
)
CELL = re.compile(r"^- \*\*(?P<way>[^*]+)\*\*:(?P<cell>.*)$")
TEST_ID = r"`tests/[\w/]+\.py::test_\w+(\[[\w-]+\])?`"
NODE_IDS = re.compile(rf"{TEST_ID}(, {TEST_ID})*")  # then, perhaps, a note in brackets
SOURCE = re.compile(r"`((?:core|bots)/[\w/]+\.py)`")


def table() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Each promise of the table: the prose above its list (its home), and each way in with its
    cell, in the order the page gives them."""
    page = PAGE.read_text()
    assert TABLE in page
    section = page.split(TABLE, 1)[1].split("\n## ", 1)[0]
    promises = {}
    for block in section.split("\n### ")[1:]:
        title, _, body = block.partition("\n")
        lines = body.splitlines()
        cells = [(m["way"], m["cell"].strip()) for m in map(CELL.match, lines) if m]
        prose = "\n".join(line for line in lines if not CELL.match(line))
        promises[title.strip()] = (prose, cells)
    return promises


def test_the_table_names_each_promise_on_each_way_in_once() -> None:
    promises = table()

    assert len(promises) >= 8
    for title, (_, cells) in promises.items():
        assert tuple(way for way, _ in cells) == WAYS, title


def test_no_cell_of_the_table_is_empty() -> None:
    """A cell names the tests that fail when that way skips the promise, or says why the
    promise does not apply there, or what no test checks yet (`open:`). An open cell is allowed:
    it is a gap the page owns up to, and making it fail the suite would only push it off the
    page; each is in the report of the change that wrote it, to be closed by a test."""
    wrong = []
    for title, (_, cells) in table().items():
        for way, cell in cells:
            tested = NODE_IDS.match(cell) is not None
            reason = re.fullmatch(r"(does not apply|open): (?P<why>.{10,})", cell)
            if not tested and reason is None:
                wrong.append(f"{title} / {way}: {cell!r}")
            if reason is not None and "tests/" in cell:
                wrong.append(f"{title} / {way}: a test named in a cell marked {reason[1]}")
    assert wrong == []


def test_each_test_of_the_table_exists_with_its_case() -> None:
    named = []
    for _, cells in table().values():
        named += [node for _, cell in cells for node in re.findall(r"`(tests/[^`]+)`", cell)]
    cases = [node for node in named if "[" in node]

    assert named
    assert missing(named) == []
    assert [node for node in cases if not names_the_case(node)] == []


def names_the_case(node: str) -> bool:
    """Whether the file of a parametrized `node` id holds its case's id, as a quoted string."""
    path, case = node.split("::", 1)[0], node.split("[", 1)[1].rstrip("]")
    return f'"{case}"' in (ROOT / path).read_text()


def test_each_promise_of_the_table_names_its_home_in_code_that_exists() -> None:
    for title, (prose, _) in table().items():
        homes = SOURCE.findall(prose)

        assert "Home:" in prose, title
        assert homes, title
        assert [home for home in homes if not (ROOT / home).is_file()] == [], title
