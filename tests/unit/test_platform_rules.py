"""The platforms' rules page (docs/contributing/platform-rules.md) gives every rule of Telegram,
Discord and MiMo its tests, or says why it cannot be tested here, and each test it names exists
(found in its file's syntax tree, a method of a test class too). A test moved or renamed without
the page fails here, not the day someone relies on it. And one rule the code holds by what it
never does: a media group cannot be ephemeral, and the bot sends none."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "contributing" / "platform-rules.md"
SECTIONS = ("Discord", "Telegram", "MiMo")
TEST_ID = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)(?:\[[\w.-]+\])?`")
TESTED = re.compile(rf"tests: {TEST_ID.pattern}(, {TEST_ID.pattern})*( \(.+\))?")
UNTESTABLE = re.compile(r"not testable here: .{20,}")


def rules() -> dict[str, list[tuple[str, str, str]]]:
    """Each section's rules: (rule, source, what holds it), in the page's order."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for block in PAGE.read_text().split("\n## ")[1:]:
        title, _, body = block.partition("\n")
        items = [line[2:] for line in body.splitlines() if line.startswith("- ")]
        found[title.strip()] = [tuple(item.split(" — ", 2)) for item in items]  # type: ignore[misc]
    return found


@cache
def defined_in(path: Path) -> frozenset[str]:
    """The test functions `path` defines, at its top level or in its test classes."""
    if not path.is_file():
        return frozenset()
    tree = ast.parse(path.read_text())
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    )


def test_each_platform_has_its_rules_each_with_a_source_and_tests_or_a_reason() -> None:
    found = rules()

    assert tuple(found) == SECTIONS
    assert [len(found[name]) for name in SECTIONS] >= [25, 25, 12]
    wrong = []
    for section, items in found.items():
        for item in items:
            if len(item) != 3 or not item[1].startswith("source: "):
                wrong.append(f"{section}: {' — '.join(item)[:80]}: no ' — source: ... — '")
                continue
            held = item[2]
            if TESTED.fullmatch(held) is None and UNTESTABLE.fullmatch(held) is None:
                wrong.append(f"{section}: {item[0][:60]}: neither tests nor a reason")
    assert wrong == []


def test_every_test_the_page_names_exists() -> None:
    named = TEST_ID.findall(PAGE.read_text())

    assert len(named) > 150
    assert [f"{path}::{test}" for path, test in named if test not in defined_in(ROOT / path)] == []


def test_the_bot_sends_no_media_group_so_none_ephemerally() -> None:
    """Telegram cannot send a media group ephemerally, and sendMediaGroup has no ephemeral
    parameter: the real server would drop it and post the album for the whole group. The bot sends
    files one by one (bots/telegram/answers/ephemeral_api.py: send_text, send_document,
    send_voice), so no private answer can become a public album."""
    calls = []
    for path in sorted((ROOT / "bots").rglob("*.py")):
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            named = (
                node.attr if isinstance(node, ast.Attribute)
                else node.value if isinstance(node, ast.Constant) else None
            )  # fmt: skip
            if isinstance(named, str) and named.lower().replace("_", "") == "sendmediagroup":
                calls.append(f"{path.relative_to(ROOT)}:{node.lineno}")

    assert calls == []
