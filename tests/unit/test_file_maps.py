"""Each package's `__init__.py` opens with a file map, one line per module: a map that misses a
module, or names one that is gone, sends the next reader the wrong way."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRY = re.compile(r"^\s*(?P<name>[\w.]+\.py|\w+/)\s{2,}\S", re.MULTILINE)
PACKAGES = sorted(
    init.parent
    for top in ("core", "bots")
    for init in (ROOT / top).rglob("__init__.py")
    if "__pycache__" not in init.parts
)


def mapped(package: Path) -> set[str]:
    docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text())) or ""
    return {match["name"] for match in ENTRY.finditer(docstring)}


def present(package: Path) -> set[str]:
    modules = {p.name for p in package.glob("*.py") if p.name not in {"__init__.py", "__main__.py"}}
    folders = {f"{p.name}/" for p in package.iterdir() if (p / "__init__.py").exists()}
    return modules | folders


MAPPED = [p for p in PACKAGES if mapped(p)]


def test_the_packages_with_the_most_modules_have_a_map() -> None:
    busy = {p.relative_to(ROOT).as_posix() for p in PACKAGES if len(present(p)) >= 8}
    assert busy <= {p.relative_to(ROOT).as_posix() for p in MAPPED}


@pytest.mark.parametrize("package", MAPPED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_map_names_every_module_of_its_package_and_no_other(package: Path) -> None:
    assert mapped(package) == present(package)
