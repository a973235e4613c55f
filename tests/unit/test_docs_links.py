"""Every relative link in README.md, CHANGELOG.md and the documentation leads somewhere: the file
exists and, for a `#anchor`, so does the heading it names.

README.md and CHANGELOG.md are read on the code host, which makes heading anchors GitHub's way.
The pages of docs/ are read on the site, where MkDocs makes them (Python-Markdown's toc), and on
the code host too, where the README sends people: their anchors must work both ways (but for
the configuration reference's, which only the site's build generates). Links to other sites are
not followed: the tests never reach the network. `mkdocs build --strict` (in `.ci/run`) checks
the site's links again.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = [
    ROOT / "README.md",
    ROOT / "CHANGELOG.md",
    *sorted(p for p in DOCS.rglob("*.md") if "hooks" not in p.relative_to(DOCS).parts),
]
FENCE = re.compile(r"^ *(```|~~~).*?^ *\1 *$", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
LINK = re.compile(r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^()\s<>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
INLINE_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def _generated_reference() -> str:
    """The configuration page as the site shows it: the marker replaced by every setting."""
    spec = importlib.util.spec_from_file_location(
        "settings_reference", DOCS / "hooks" / "settings_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    page = (DOCS / module.PAGE).read_text()
    return str(page.replace(module.MARKER, module.reference_markdown()))


GENERATED = DOCS / "reference" / "configuration.md"


def markdown_of(page: Path, *, built: bool = True) -> str:
    """The page's Markdown; `built`: as the site's build makes it (the reference generated)."""
    return _generated_reference() if built and page == GENERATED else page.read_text()


def prose(markdown: str) -> str:
    """The text with code blocks and code spans blanked out: a link there is an example."""
    return CODE_SPAN.sub("", FENCE.sub("", markdown))


def heading_text(heading: str) -> str:
    """A heading as it reads once rendered: links become their text, code marks go."""
    return INLINE_LINK.sub(r"\1", heading).replace("`", "").replace("**", "").strip()


def mkdocs_slug(text: str) -> str:
    """Python-Markdown's toc slugify, which MkDocs uses."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def github_slug(text: str) -> str:
    """GitHub's heading anchors: lower case, punctuation dropped, each space a hyphen."""
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(page: Path, slug: Callable[[str], str], separator: str, *, built: bool) -> set[str]:
    """Every heading anchor of a page; a repeated one is numbered as its renderer numbers it."""
    found: set[str] = set()
    for heading in HEADING.findall(FENCE.sub("", markdown_of(page, built=built))):
        anchor = base = slug(heading_text(heading))
        number = 0
        while anchor in found:
            number += 1
            anchor = f"{base}{separator}{number}"
        found.add(anchor)
    return found


def on_the_site(page: Path) -> bool:
    return DOCS in page.parents


def targets(page: Path) -> list[str]:
    return [
        target
        for target in LINK.findall(prose(markdown_of(page)))
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target)  # https:, mailto: ...
    ]


def broken(page: Path, target: str) -> str | None:
    path, _, anchor = target.partition("#")
    linked = (page.parent / path).resolve() if path else page
    if not linked.exists():
        return f"{target}: no such file"
    if on_the_site(page) and not on_the_site(linked):
        return f"{target}: outside docs/, so not on the site"
    if not anchor:
        return None
    if linked.suffix != ".md":
        return f"{target}: an anchor in a file that is not a page"
    on_github = anchor in anchors(linked, github_slug, "-", built=False)
    if not on_the_site(page):
        return None if on_github else f"{target}: no heading #{anchor} on the code host"
    if anchor not in anchors(linked, mkdocs_slug, "_", built=True):
        return f"{target}: no heading #{anchor} on the site"
    if not on_github and linked != GENERATED:
        return f"{target}: no heading #{anchor} on the code host"
    return None


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_link_of_the_page_resolves(page: Path) -> None:
    assert [problem for t in targets(page) if (problem := broken(page, t))] == []


def test_the_readme_links_into_every_page_of_the_docs() -> None:
    linked = {(ROOT / t.partition("#")[0]).resolve() for t in targets(ROOT / "README.md")}
    pages = {p.resolve() for p in PAGES if on_the_site(p) and p.name != "changelog.md"}
    assert pages - linked == set()


@pytest.mark.parametrize(
    "page", ["index.md", "getting-started/telegram.md", "getting-started/discord.md"]
)
def test_a_newcomer_finds_the_container_from_where_they_start(page: str) -> None:
    """The docs' front page and the getting-started pages a newcomer follows lead to the
    container page, as the README's quick start does."""
    here = DOCS / page
    container = [t for t in targets(here) if t.endswith("operations/running.md#in-a-container")]
    assert container
    assert [problem for t in container if (problem := broken(here, t))] == []


def test_a_broken_link_or_anchor_is_found() -> None:
    """The checker itself: a missing file, a missing heading, and a link in code ignored."""
    page = DOCS / "index.md"
    assert broken(page, "nowhere.md") == "nowhere.md: no such file"
    assert broken(page, "using/voices.md#no-such-heading") is not None
    assert broken(page, "using/voices.md#long-texts") is None
    assert targets(page) and "x.md" not in LINK.findall(prose("`[a](x.md)`\n"))


def test_the_readme_fits_in_three_screens() -> None:
    assert len((ROOT / "README.md").read_text().splitlines()) <= 250
