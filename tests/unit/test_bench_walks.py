"""Benchmark 21's count (bench/walks.py): the project's files a walk passes, and its moves from
one file to another, counted per stream with other code skipped."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from bench.walks import ROOT, Walk


def _frame(path: str, name: str = "f") -> SimpleNamespace:
    return SimpleNamespace(f_code=SimpleNamespace(co_filename=str(ROOT / path), co_name=name))


def test_a_move_is_two_consecutive_project_events_in_different_files() -> None:
    walk = Walk(everything=True)
    walk.open = True
    for path, event in [("core/a.py", "call"), ("tests/x.py", "call"), ("core/a.py", "return"),
                        ("bots/b.py", "call"), ("bots/b.py", "c_call"), ("bots/b.py", "return"),
                        ("core/a.py", "call")]:  # fmt: skip
        walk.hook(_frame(path), event, None)

    assert walk.found() == {
        "files": {"core/a.py": 3, "bots/b.py": 2},
        "moves": 2,  # a to b, b to a; the test file and the C call skipped
        "streams": 1,
    }


async def test_two_tasks_alternating_add_no_moves() -> None:
    walk = Walk(everything=True)
    walk.open = True

    async def one(path: str) -> None:
        for _ in range(3):
            walk.hook(_frame(path), "call", None)
            await asyncio.sleep(0)

    await asyncio.gather(one("core/a.py"), one("bots/b.py"))

    assert walk.found()["moves"] == 0
    assert walk.found()["streams"] == 2


def test_a_note_walk_counts_only_once_python_telegram_bot_hands_the_update_on() -> None:
    walk = Walk(everything=False)
    walk.open = True

    async def task() -> dict[str, object]:
        walk.hook(_frame("core/before.py"), "call", None)
        ptb = SimpleNamespace(
            f_code=SimpleNamespace(
                co_filename="/lib/telegram/ext/_application.py",
                co_name="__process_update_wrapper",
            )
        )
        walk.hook(ptb, "call", None)
        walk.hook(_frame("bots/handler.py"), "call", None)
        return walk.found()

    assert asyncio.run(task())["files"] == {"bots/handler.py": 1}
