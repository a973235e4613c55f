"""CHANGELOG.md keeps its form as several hands edit it at once: every entry a whole list item,
none twice, each under one of Keep a Changelog's headings. A sentence pasted between two
entries (a fragment left by a merge) is a paragraph of no entry: read on the site or the code
host, it hangs under the entry before it with half a sentence."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHANGELOG = ROOT / "CHANGELOG.md"
KINDS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def orphans(text: str) -> list[str]:
    """The lines that are neither a heading, an entry (`- ` and its lines indented under it,
    with no blank line between), nor a section's opening paragraph (unindented, after its
    heading and before its first entry)."""
    found = []
    previous = "heading"  # what the line before was: heading, blank, entry, intro
    entries_yet = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#"):
            previous, entries_yet = "heading", False
        elif not line.strip():
            previous = "blank" if previous != "heading" else "heading"
        elif line.startswith("- "):
            previous, entries_yet = "entry", True
        elif line.startswith("  ") and previous == "entry":
            pass
        elif not line.startswith(" ") and not entries_yet and previous in ("heading", "intro"):
            previous = "intro"
        else:
            found.append(f"{number}: {line}")
    return found


def changelog_entries(text: str) -> list[str]:
    return re.findall(r"^- .*(?:\n  .*)*", text, re.M)


def test_every_paragraph_is_a_whole_entry() -> None:
    assert orphans(CHANGELOG.read_text()) == []


def test_no_link_is_relative() -> None:
    """The file is read at the top of the repository and as a page of the site
    (docs/changelog.md includes it): a relative link works in one of them only, and the site's
    strict build fails on it. A page is named as `docs/...` in code, not linked."""
    assert re.findall(r"\]\((?!https?://)[^)]*\)", CHANGELOG.read_text()) == []


def test_no_entry_is_there_twice() -> None:
    twice = [
        entry for entry, n in Counter(changelog_entries(CHANGELOG.read_text())).items() if n > 1
    ]
    assert twice == []


def test_every_entry_is_under_a_kind_of_change() -> None:
    text = CHANGELOG.read_text()
    kinds = re.findall(r"^### (.+)$", text, re.M)
    assert set(kinds) <= KINDS
    releases = re.split(r"^## ", text, flags=re.M)[1:]
    for release in releases:
        heading, _, body = release.partition("\n")
        before_kinds = body.split("\n### ", 1)[0]
        assert changelog_entries(before_kinds) == [], (
            f"{heading}: entries before its first ### heading"
        )


def test_the_check_finds_a_fragment_between_two_entries() -> None:
    """What the stray fragment of 27 November looked like: half a sentence, indented, after a
    blank line between two entries."""
    broken = (
        "## [Unreleased]\n\n### Added\n\n- One entry,\n  on two lines.\n\n"
        "  once. Half a sentence.\n- Another entry.\n"
    )
    assert orphans(broken) == ["8:   once. Half a sentence."]
    assert orphans(broken.replace("\n\n  once. Half a sentence.", "")) == []
