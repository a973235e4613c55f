"""The suite's bytecode made once, before the workers start, instead of once in each of them.

Each xdist worker imports every test module, rewriting its asserts and compiling it, the
modules of the pytest plugins (Hypothesis, anyio, xdist...), which pytest rewrites as well, and
every module of the project: on a fresh clone, or where PYTHONDONTWRITEBYTECODE is set (as on the
CI machines), that is ten seconds of CPU a worker that nothing keeps, six times over. Here the
controller writes it all down first: the project's modules compiled as Python compiles them, and
the test modules and the plugins' rewritten and compiled as pytest does (its cache of rewritten
modules, read by the workers as by any later run). Written even where PYTHONDONTWRITEBYTECODE
is set: the files go where Python and pytest put them (`__pycache__`, ignored by git; the
plugins' in the virtual environment), and each is checked against its source before it is used.

This leans on pytest's own rewriting functions, which are not a public interface: where they
have changed, nothing is written ahead and the workers rewrite their modules themselves, as
before.
"""

from __future__ import annotations

import compileall
import contextlib
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("bots", "core", "migrations")
_REWRITTEN = re.compile(r"(^|/)(test_[^/]*|conftest)\.py$")
_CONFIG: list[pytest.Config] = []  # the run's, for the processes forked to rewrite


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or not config.getoption("numprocesses", None):
        return  # a worker, or a run in one process: the imports write what they may
    for package in PROJECT:
        compileall.compile_dir(ROOT / package, quiet=2)
    compileall.compile_dir(ROOT / "tests", quiet=2, rx=_REWRITTEN)  # stand-ins, helpers
    failures = (ImportError, AttributeError, TypeError, KeyError, OSError, BrokenProcessPool)
    with contextlib.suppress(*failures):
        stale = _stale(config)
        if not stale:
            return
        # About thirty milliseconds a module and two hundred modules: on every core at once,
        # each a process forked from this one, which holds the configuration pytest needs.
        _CONFIG.append(config)
        try:
            fork = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(os.cpu_count() or 1, mp_context=fork) as processes:
                list(processes.map(_rewrite, stale, chunksize=8))
        finally:
            _CONFIG.clear()


def _stale(config: pytest.Config) -> list[Path]:
    """The modules pytest rewrites whose rewritten bytecode is missing or older than they."""
    from _pytest.assertion.rewrite import _read_pyc, assertstate_key

    state = config.stash[assertstate_key]
    ours = [
        source
        for source in sorted((ROOT / "tests").rglob("*.py"))
        if _REWRITTEN.search(source.as_posix()) or source.stem in _PLUGINS
    ]
    # The plugins installed beside pytest (Hypothesis, anyio, xdist and the rest, about a
    # hundred modules) are rewritten too, as they are imported: here, by now, once for all.
    rewritten = state.hook._rewritten_names.values() if state.hook else ()
    theirs = [Path(path) for path in rewritten if path not in ours]
    return [source for source in ours + theirs if _read_pyc(source, _pyc_of(source)) is None]


def _pyc_of(source: Path) -> Path:
    """Where pytest keeps `source` rewritten and compiled."""
    from _pytest.assertion.rewrite import PYC_TAIL, get_cache_dir

    return get_cache_dir(source) / (source.name[:-3] + PYC_TAIL)


def _rewrite(source: Path) -> None:
    """`source` rewritten and compiled as pytest does, written where pytest looks for it."""
    from _pytest.assertion.rewrite import _rewrite_test, _write_pyc, assertstate_key

    [config] = _CONFIG
    pyc = _pyc_of(source)
    pyc.parent.mkdir(exist_ok=True)
    source_hash, code = _rewrite_test(source, config)
    _write_pyc(config.stash[assertstate_key], code, source_hash, pyc)


# The suite's own plugins (tests/conftest.py's pytest_plugins), which pytest rewrites too.
_PLUGINS = ("db_fixtures", "time_limit", "shares", "long_first", "bytecode")
