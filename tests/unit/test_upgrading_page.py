"""The upgrading page (docs/operations/upgrading.md) names every migration since the last
release, so an operator knows before `db upgrade` what it will cost them (a file rebuilt, a
table locked, an extension to create).

The last release is the newest dated section of CHANGELOG.md (`## [0.2.0] - 2026-11-26`, what
`voicebridge --version` says between releases). Its section of the upgrading page names its
newest migration ("Its newest migration is 0025"), the marker this test reads: the release
checklist (docs/contributing/releasing.md) has it written as the unreleased section becomes the
release's. The migrations since are those between that one and the head, walked as Alembic
walks them; each must be named in the page's section for the next release. Where the clone
has its history, the release's own commit is read too, so the marker cannot drift from what
was released.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from core.infra.storage import alembic_config

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "operations" / "upgrading.md"
NEXT = "The next release (unreleased)"


def sections() -> dict[str, str]:
    """The page's sections under "What each release asks of you", by their heading."""
    text = PAGE.read_text().split("## What each release asks of you", 1)[1]
    parts = re.split(r"^### (.+)$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def last_release() -> str:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    return re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)[0]


def released_head() -> str:
    """The newest migration of the last release, as its section of the page names it."""
    release = last_release()
    said = re.search(r"newest migration is\s+(\w+)", sections()[release])
    assert said, f"the upgrading page's section {release} names no newest migration"
    return said[1]


def migrations_since(head: str) -> list[str]:
    """The revisions after `head`, oldest first."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    since = []
    for revision in script.walk_revisions(base=head, head="heads"):
        if revision.revision != head:
            since.append(revision.revision)
    return since[::-1]


def test_the_page_names_every_migration_since_the_last_release() -> None:
    head = released_head()
    since = migrations_since(head)
    upcoming = sections()[NEXT]
    missing = [rev for rev in since if not re.search(rf"\b{rev}\b", upcoming)]
    assert missing == [], (
        f"migrations since {last_release()} (after {head}) that the upgrading page's "
        f"section {NEXT!r} does not name, with what each costs: {missing}"
    )


def test_the_marker_is_a_migration_of_the_chain() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_revision(released_head()) is not None


def test_the_marker_is_the_released_commits_newest_migration() -> None:
    git = shutil.which("git")
    release = last_release()
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("no git history here to read the release's commit from")
    commits = subprocess.run(
        [git, "log", "--format=%H %s", "--grep=^Release ", "--", "pyproject.toml"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    found = [c.split()[0] for c in commits if re.match(rf"\w+ Release {re.escape(release)}\b", c)]
    if not found:
        pytest.skip(f"the history here does not reach the commit of {release} (a shallow clone)")
    listed = subprocess.run(
        [git, "ls-tree", "--name-only", found[-1], "migrations/versions/"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    numbered = [m[1] for name in listed if (m := re.match(r"(\d+)_", Path(name).name))]
    assert max(numbered) == released_head()


def test_the_copy_of_the_settings_the_page_keeps_is_ignored_by_git() -> None:
    """Step 1 keeps a copy of .env in the checkout: a `git add -A` must not commit the keys it
    holds. The template, .env.example, stays in the repository."""
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("no git checkout here to ask")
    copies = re.findall(r"`cp -p \.env (\S+)`", PAGE.read_text())

    def ignored(name: str) -> bool:
        asked = subprocess.run([git, "check-ignore", "--quiet", "--no-index", name], cwd=ROOT)
        return asked.returncode == 0

    assert copies == [".env.before-upgrade"]
    assert [name for name in [*copies, ".env", ".env.bak"] if not ignored(name)] == []
    assert not ignored(".env.example")
