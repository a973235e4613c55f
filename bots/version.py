"""Which voicebridge runs: the version `pyproject.toml` gives, and the commit the code comes from
where that is known, as PEP 440 writes a local version: `0.2.0+g1a9670af` (eight hex digits of
the commit). Between two releases the version stays the last release's, so the commit is what
tells one checkout from another (a release's own commit is named too: `git log --grep='^Release
'` lists them).

Where the code runs from a git checkout (an editable install, as the quick start's and the
systemd unit's), the commit is read from the checkout's own files as the code runs: `.git/HEAD`
and the ref it names, loose or packed, in a worktree too; no git program is needed. Where it was
installed elsewhere (the container image), the build wrote the commit beside this module
(`python -m bots.version --record CHECKOUT [COMMIT]`: the commit given, else the checkout's);
where neither says, the version alone is said.

    python -m bots.version                          the version, as --version says it
    python -m bots.version --record CHECKOUT [COMMIT]   write the commit for an installation
"""

from __future__ import annotations

import re
import sys
from importlib.metadata import version
from pathlib import Path

__all__ = ["commit_of", "main", "record", "running_version"]

PACKAGE = "voicebridge"
CHECKOUT = Path(__file__).resolve().parents[1]  # a checkout's root, or site-packages
RECORDED = Path(__file__).with_name("commit")  # written by an installation's build
_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # SHA-1, or SHA-256


def running_version(*, checkout: Path = CHECKOUT, recorded: Path = RECORDED) -> str:
    """`0.2.0+g1a9670af` where the commit is known (the `checkout` this code runs from, else
    what the build `recorded`), else `0.2.0`."""
    commit = commit_of(checkout) or recorded_commit(recorded)
    released = version(PACKAGE)
    return f"{released}+g{commit[:8]}" if commit else released


def recorded_commit(recorded: Path = RECORDED) -> str | None:
    """The commit an installation's build wrote beside this module, if it wrote one."""
    try:
        commit = recorded.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return commit if _COMMIT.fullmatch(commit) else None


def commit_of(checkout: Path) -> str | None:
    """The commit `checkout` has out (its HEAD), read from git's files; None where it is no
    git checkout, where its branch has no commit yet, or where git keeps its refs in a form
    read here not (reftable)."""
    try:
        folder = _git_folder(checkout)
        if folder is None:
            return None
        common = folder
        if (folder / "commondir").is_file():  # a worktree: the refs are the repository's
            common = (folder / (folder / "commondir").read_text().strip()).resolve()
        head = (folder / "HEAD").read_text().strip()
        for _ in range(5):  # a symbolic ref may name another
            if not head.startswith("ref:"):
                return head if _COMMIT.fullmatch(head) else None
            found = _ref(head.removeprefix("ref:").strip(), folder, common)
            if found is None:
                return None
            head = found
    except (OSError, UnicodeDecodeError):
        return None
    return None


def _git_folder(checkout: Path) -> Path | None:
    """`.git`, or the folder a `.git` file names (`gitdir: PATH`: a worktree, a submodule)."""
    dotgit = checkout / ".git"
    if dotgit.is_dir():
        return dotgit
    if not dotgit.is_file():
        return None
    line = dotgit.read_text().strip()
    if not line.startswith("gitdir:"):
        return None
    return (checkout / line.removeprefix("gitdir:").strip()).resolve()


def _ref(name: str, folder: Path, common: Path) -> str | None:
    """What the ref `name` holds: its own file (a worktree's first, then the repository's),
    else its line in the repository's packed-refs."""
    for place in (folder, common):
        path = place / name
        if path.is_file():
            return path.read_text().strip()
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text().splitlines():
            commit, _, ref = line.partition(" ")
            if ref.strip() == name and not line.startswith(("#", "^")):
                return commit
    return None


def record(checkout: Path, given: str = "", *, into: Path = RECORDED) -> str | None:
    """Write the commit beside this module (`into`), for an installation that has no checkout:
    `given` (a build argument) where it is one, else `checkout`'s. Returns what was written."""
    commit = given.strip().lower() or commit_of(checkout)
    if commit is None or not _COMMIT.fullmatch(commit):
        into.unlink(missing_ok=True)
        return None
    into.write_text(f"{commit}\n", encoding="ascii")
    return commit


def main(args: list[str]) -> int:
    if args[:1] == ["--record"] and len(args) in (2, 3):
        given = args[2] if len(args) == 3 else ""
        if given.strip() and not _COMMIT.fullmatch(given.strip().lower()):
            print(f"{given!r} is not a commit's full hash", file=sys.stderr)
            return 2
        written = record(Path(args[1]), given)
        print(f"{PACKAGE} {running_version()}" + ("" if written else " (no commit known)"))
        return 0
    if args:
        print(__doc__.rsplit("\n\n", 1)[1], file=sys.stderr)
        return 0 if args[0] in ("-h", "--help") else 2
    print(running_version())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
