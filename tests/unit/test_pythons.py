"""The Pythons the project claims are the ones CI tests: pyproject.toml's classifiers, its
requires-python and the versions `.ci/run` sets up besides the machine's python3 (3.11)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


def test_the_classifiers_name_the_pythons_ci_runs() -> None:
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]
    claimed = {
        c.rsplit(" :: ", 1)[1]
        for c in project["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    }
    ci = (REPOSITORY / ".ci" / "run").read_text()
    [others] = re.findall(r"^OTHER_PYTHONS=\(([^)]*)\)$", ci, flags=re.MULTILINE)

    assert project["requires-python"] == ">=3.11"
    assert claimed == {"3.11", *others.split()}
    readme = (REPOSITORY / "README.md").read_text()
    assert "Python 3.11, 3.12 or 3.13" in readme
