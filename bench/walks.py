"""Benchmark 21: the walks of issue 105, how many of the project's files a voice note and an
imported message pass, and how often they move from one file to another, with the standard
library's profiler (`sys.setprofile`, and `threading.setprofile` for threads started meanwhile).

    note     one 3 s voice note in a private chat, sent to the Telegram bot (`run_bots`, real
             python-telegram-bot, ffmpeg and SQLite) against the loopback stand-ins of the Bot API
             and MiMo the integration tests use (tests/standins): from python-telegram-bot's
             task for the update (`Application.__process_update_wrapper`, which hands it to our
             update processor and handler) to the moment the Bot API's stand-in has the
             transcript in the chat ("heard 3.0 seconds"). Counted: that task and whatever it
             starts (tasks, callbacks, `asyncio.to_thread` work), by a context variable set in
             the task's context as it starts, which everything it starts inherits; the bot's
             other tasks (polling, beats, the stand-ins) are left out.
    import   `voicebridge import telegram EXPORT --yes` (`bots.cli.main`, in this process) of a
             Telegram Desktop export holding one voice message of 1.8 s, from the command's
             start to its end, MiMo's stand-in in a process of its own. The whole command, not
             `Importer.run` alone: issue 105 counts what the command builds to plan and to run,
             and everything of the command is the import's. Counted: every thread and task of
             the process in that window, the beats the command's runtime starts included.

Each walk is taken after a first one like it (another chat, another database), so that what a
process does once (imports, caches) is not in it, and each on a database already migrated.

Measured: **files**, the project's source files (under core/ and bots/, not tests/, third-party
libraries or the standard library) in which a Python function of the walk runs (a call, or a
coroutine resumed); **moves**, in each stream of the walk (a task; a function handed to a
thread; a thread's own code; the main thread outside tasks), the events of project code in the
order they come (each `call` and `return` the profiler reports for a function defined in a
project file, other code skipped), a move where two consecutive ones are in different files;
summed over the streams, so that two tasks alternating add no moves. The files are the same in
every run; the moves varied by up to 16 in ours: the chain of coroutines awaiting ffmpeg's piece
is suspended and resumed once more when ffmpeg is slower (a resumption is a `call` in each file).

    python -m bench --only walks     three runs in fresh processes, section 21 of RESULTS.md
    python -m bench.walks            one run; prints the files of each walk, then a JSON line
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import core
from bench import mimo_stand_in, sized
from bench.sections import loads, reflow, replace_section

HEADING = "## 21. Walks: the files a voice note and an imported message pass"
ROOT = Path(core.__file__).resolve().parent.parent
PROJECT = (str(ROOT / "core") + os.sep, str(ROOT / "bots") + os.sep)
RUNS = sized(3, 1)
USER, WARM_USER = 1001, 2002
NOTE_SECONDS, WAIT = 3, 60.0  # the note's seconds; the longest wait for a transcript
BASELINE = Path(__file__).parent / "walks_80d394b0.json"  # the same walks at 80d394b0
# python-telegram-bot's own task for one update: where the note's walk starts.
PTB_UPDATE = ("__process_update_wrapper", os.path.join("telegram", "ext", "_application.py"))

_IN_WALK: contextvars.ContextVar[bool] = contextvars.ContextVar("in_walk", default=False)
_work = threading.local()  # the stream of a function handed to a thread


class Walk:
    """The profiler's hook and what it saw: files by their events, moves by stream."""

    def __init__(self, *, everything: bool) -> None:
        self.everything = everything  # every thread's events, not only the walk's context's
        self.open = False
        self.files: Counter[str] = Counter()  # project file: its events, in first-seen order
        self.moves = 0
        self._last: dict[object, str] = {}
        self._known: dict[str, str | None] = {}

    def project_file(self, filename: str) -> str | None:
        found = self._known.get(filename)
        if found is None and filename not in self._known:
            found = os.path.relpath(filename, ROOT) if filename.startswith(PROJECT) else None
            self._known[filename] = found
        return found

    def hook(self, frame: Any, event: str, arg: Any) -> None:
        if (event != "call" and event != "return") or not self.open:
            return
        code = frame.f_code
        if not self.everything and not _IN_WALK.get():
            if (
                event == "call"
                and (code.co_name, code.co_filename[-len(PTB_UPDATE[1]) :]) == PTB_UPDATE
            ):
                _IN_WALK.set(True)  # in this task's context: what it starts inherits it
            return
        file = self.project_file(code.co_filename)
        if file is None:
            return
        stream = _stream()
        last = self._last.get(stream)
        if last is not None and last != file:
            self.moves += 1
        self._last[stream] = file
        self.files[file] += 1

    def found(self) -> dict[str, Any]:
        return {"files": dict(self.files), "moves": self.moves, "streams": len(self._last)}


def _stream() -> object:
    """The stream an event belongs to: the piece of thread work, the task, or the thread."""
    work = getattr(_work, "stream", None)
    if work is not None:
        return work
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no loop running in this thread
        task = None
    return task if task is not None else ("thread", threading.get_ident())


@contextmanager
def profiled(walk: Walk) -> Iterator[None]:
    """`walk.hook` as the profiler of this thread, of threads started meanwhile, and of each
    function an event loop hands to a thread (a stream of its own each)."""
    handing = asyncio.base_events.BaseEventLoop.run_in_executor

    def run_in_executor(loop: Any, executor: Any, func: Callable[..., Any], *args: Any) -> Any:
        if not (walk.everything or _IN_WALK.get()):
            return handing(loop, executor, func, *args)
        stream = object()

        def traced() -> Any:
            _work.stream = stream
            sys.setprofile(walk.hook)
            try:
                return func(*args)
            finally:
                sys.setprofile(None)
                _work.stream = None

        return handing(loop, executor, traced)

    asyncio.base_events.BaseEventLoop.run_in_executor = run_in_executor  # type: ignore[method-assign]
    if walk.everything:
        threading.setprofile(walk.hook)
    sys.setprofile(walk.hook)
    try:
        yield
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
        asyncio.base_events.BaseEventLoop.run_in_executor = handing  # type: ignore[method-assign]


async def note_walk(folder: Path) -> dict[str, Any]:
    """The walk of a voice note in a private chat, after a first note from someone else."""
    from bots.platform_runner import run_bots
    from core.config import Settings
    from tests.audio_factory import make_audio
    from tests.standins.mimo import FakeMimo
    from tests.standins.telegram_api import FakeBotApi

    data = make_audio(folder, fmt="ogg", seconds=NOTE_SECONDS).read_bytes()
    heard = f"heard {NOTE_SECONDS}.0 seconds"
    walk = Walk(everything=False)
    async with FakeBotApi() as bot_api, FakeMimo() as mimo:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            mimo_api_key=mimo.api_key, mimo_base_url=mimo.base_url,
            telegram_bot_token=bot_api.token, telegram_api_url=bot_api.root,
            database_url=f"sqlite+aiosqlite:///{folder / 'bot.db'}",
        )  # fmt: skip
        stop = asyncio.Event()
        polled = asyncio.create_task(bot_api.wait_for("getUpdates", count=1, timeout=WAIT))
        running = asyncio.create_task(run_bots(settings, stop))
        await asyncio.wait({running, polled}, return_when=asyncio.FIRST_COMPLETED)
        if running.done():
            running.result()  # it failed to start: say why

        def has_heard(chat: int) -> Callable[[], bool]:
            return lambda: any(heard in text for text in bot_api.texts(chat))

        async def one_note(user: int) -> None:
            bot_api.push(bot_api.voice_message(chat_id=user, user_id=user, data=data))
            await bot_api.wait_until(has_heard(user), timeout=WAIT, what="the transcript")

        try:
            await one_note(WARM_USER)
            signal = bot_api._signal_calls
            reached = has_heard(USER)

            def signalled() -> None:  # the stand-in has a call: the walk ends at the transcript
                if walk.open and reached():
                    walk.open = False
                signal()

            bot_api._signal_calls = signalled  # type: ignore[method-assign]
            with profiled(walk):
                walk.open = True
                await one_note(USER)
        finally:
            stop.set()
            await asyncio.wait_for(running, timeout=30)
    return walk.found()


def import_walk(folder: Path) -> dict[str, Any]:
    """The walk of `voicebridge import telegram EXPORT --yes`, one voice message, after a first
    import of another export into another database."""
    from bench.imports import export_of
    from bots.cli import main

    with mimo_stand_in(0.0) as (base_url, api_key), _in_folder(folder):  # no .env read but ours
        os.environ |= {"MIMO_API_KEY": api_key, "MIMO_BASE_URL": base_url, "LOG_LEVEL": "WARNING"}

        def command(name: str, *args: str) -> int:
            os.environ["DATABASE_URL"] = f"sqlite+aiosqlite:///{folder / name}.db"
            return main(list(args))

        for name in ("warm", "walked"):
            if command(name, "db", "upgrade") != 0:
                raise RuntimeError(f"voicebridge db upgrade failed ({name})")
        export = str(export_of(folder / "warm", 1))
        if command("warm", "import", "telegram", export, "--yes") != 0:
            raise RuntimeError("the first import failed")
        export = str(export_of(folder / "walked", 1))
        walk = Walk(everything=True)
        with profiled(walk):
            walk.open = True
            code = command("walked", "import", "telegram", export, "--yes")
            walk.open = False
        if code != 0:
            raise RuntimeError(f"the import ended with {code}")
    return walk.found()


@contextmanager
def _in_folder(folder: Path) -> Iterator[None]:
    """The current folder `folder` meanwhile: the command reads .env there, and it has none."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def measure() -> dict[str, Any]:
    """Both walks, in this process, each in a folder of its own."""
    if Path(__file__).resolve().parent.parent != ROOT:  # the files counted are this tree's
        raise SystemExit(f"core is imported from {ROOT}: run with PYTHONPATH at this checkout")
    with tempfile.TemporaryDirectory() as note_folder, tempfile.TemporaryDirectory() as other:
        note = asyncio.run(note_walk(Path(note_folder)))
        imported = import_walk(Path(other))
    return {"note": note, "import": imported}


def pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The runs' counts side by side, and the first run's files (the others' compared)."""
    from bench.report import commit_measured

    found: dict[str, Any] = {"commit": commit_measured()}
    for walk in ("note", "import"):
        files = [sorted(run[walk]["files"]) for run in runs]
        found[walk] = {
            "files": runs[0][walk]["files"],
            "file_counts": [len(run[walk]["files"]) for run in runs],
            "moves": [run[walk]["moves"] for run in runs],
            "same_files": all(one == files[0] for one in files),
        }
    return found


WALKS = {"note": "a voice note", "import": "an imported message"}


def section(found: dict[str, Any], machine: dict[str, Any]) -> str:
    """Section 21: the counts at the commit measured and at 80d394b0, the files gained and lost."""
    old = json.loads(BASELINE.read_text()) if BASELINE.exists() else None
    commit, runs = found["commit"], len(found["note"]["moves"])
    where = (
        f"{machine.get('date', '')}, {loads(machine.get('load_before'), found.get('load_after'))}"
    )
    parts = [HEADING, reflow(
        f"How many of the project's source files (under core/ and bots/) the two walks of issue "
        f"105 pass, and how often they move from one to another, taken with the standard "
        f"library's profiler (`python -m bench --only walks`, bench/walks.py, whose docstring "
        f"defines both; {runs} runs, each in a fresh process; {where}). A voice note: one 3 s "
        f"note in a private chat, from python-telegram-bot's task for the update to the "
        f"transcript in the chat, that task and what it starts counted. An imported message: "
        f"`voicebridge import telegram EXPORT --yes` of an export holding one voice message, the "
        f"whole command. Both against the loopback stand-ins of the Bot API and MiMo, after a "
        f"first walk like it in the same process. The 80d394b0 column is the same module run "
        f"in a checkout of that commit (bench/walks_80d394b0.json). The figures in issue 105 "
        f"came from a tool outside the project, whose definitions may differ: compare the two "
        f"columns here with each other, not with those."
    )]  # fmt: skip
    rows = [f"| walk | measure | {commit} | 80d394b0 |", "|---|---|---|---|"]
    for walk, name in WALKS.items():
        for measure, key in (("files", "file_counts"), ("moves", "moves")):
            then = _runs(old[walk][key]) if old else "not measured"
            rows.append(f"| {name} | {measure} | {_runs(found[walk][key])} | {then} |")
    parts.append("\n".join(rows))
    for walk, name in WALKS.items():
        files = sorted(found[walk]["files"])
        parts.append(reflow(f"The files {name} passes at {commit}: {_listed(files)}."))
        if not old:
            continue
        before = set(old[walk]["files"])
        gained, lost = sorted(set(files) - before), sorted(before - set(files))
        moved = {new: was for new, was in _moved().items() if new in gained and was in lost}
        parts.append(reflow(
            f"Passed by {name} at {commit} and not at 80d394b0, {len(gained)} ({len(moved)} of "
            f"them a file of the old walk moved or renamed, as git pairs them): "
            + _listed(gained, moved)
            + f". Passed at 80d394b0 and no longer, {len(lost)}: {_listed(lost)}."
        ))  # fmt: skip
        now, then = found[walk], old[walk]
        spread = max(max(one) - min(one) for one in (now["moves"], then["moves"]))
        parts.append(reflow(
            f"{name.capitalize()} at {commit}: {_more(now['file_counts'], then['file_counts'])} "
            f"files and {_more(now['moves'], then['moves'])} moves than at 80d394b0, in every "
            f"run; the same files in every run of each commit: "
            f"{'yes' if now['same_files'] and then['same_files'] else 'no'}; the moves varied "
            f"by up to {spread} between runs of one commit."
        ))  # fmt: skip
    return "\n\n".join(parts) + "\n"


def _more(now: list[int], then: list[int]) -> str:
    """More or fewer (every run above, or below, every run of the other), or about as many."""
    return "more" if min(now) > max(then) else "fewer" if max(now) < min(then) else "about as many"


def _moved() -> dict[str, str]:
    """The files under core/ and bots/ git finds moved or renamed since 80d394b0: new, old."""
    diff = subprocess.run(
        ["git", "diff", "--find-renames=30%", "--name-status", "80d394b0", "HEAD", "--",
         "core", "bots"], cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    rows = [line.split("\t") for line in diff.stdout.splitlines() if line.startswith("R")]
    return {row[2]: row[1] for row in rows}


def _runs(values: list[int]) -> str:
    return " ".join(str(value) for value in values)


def _listed(files: list[str], was: dict[str, str] | None = None) -> str:
    """Files in backquotes, each moved one followed by where it was."""
    was = was or {}
    named = [f"`{f}`" + (f" (was `{was[f]}`)" if f in was else "") for f in files]
    return ", ".join(named) or "none"


def with_section(results: str, text: str) -> str:
    return replace_section(results, HEADING, text)


def show(found: dict[str, Any]) -> None:
    """Each walk's counts, and its files in the order first seen, with their events."""
    print(f"{'walk':<10} {'files':>6} {'moves':>6} {'streams':>8}")
    for walk in ("note", "import"):
        one = found[walk]
        print(f"{walk:<10} {len(one['files']):>6} {one['moves']:>6} {one['streams']:>8}")
    for walk in ("note", "import"):
        print(f"\nthe files the {walk} walk passes (events):")
        for file, events in found[walk]["files"].items():
            print(f"  {file}  {events}")


if __name__ == "__main__":
    found = measure()
    show(found)
    print(json.dumps(found), flush=True)
    sys.exit(0)
