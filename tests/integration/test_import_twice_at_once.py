"""Two imports of one chat's past at once (`voicebridge import telegram` started again in another
terminal while the first still runs, or two replicas' imports): each voice message must be sent
to MiMo, and charged to the chat's quota, once. Run one after the other, the second sends
nothing (what is kept whole is skipped); run side by side, neither sees what the other is
hearing. Both runtimes are the real ones `voicebridge` builds, on one database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from core.app.memory.imports import ImportProgress
from core.bootstrap import bootstrap
from tests.audio_factory import make_audio
from tests.integration.test_import_walls import past, settings
from tests.standins.mimo import FakeMimo


async def test_two_imports_of_one_chat_at_once_hear_each_message_once(
    mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    note = make_audio(tmp_path, fmt="ogg", seconds=3)
    second_done = asyncio.Event()

    async with (
        bootstrap(settings(mimo, database_url)) as one,
        bootstrap(settings(mimo, database_url)) as two,
    ):
        with mimo.held_each() as held:  # MiMo sits on what it hears until both are at it

            async def after_the_second_is_at_mimo() -> None:  # both planned; one hearing it
                await until(lambda: bool(held) or second_done.is_set())

            async def let_mimo_answer() -> None:  # once both ask it, or the first never does
                await until(lambda: len(held) >= 2 or second_done.is_set(), timeout=3.0)
                while True:  # then every request, as it comes, until both imports are done
                    for request in held:
                        request.let_go()
                    await asyncio.sleep(0.01)

            first = await one.imports.plan(past(note, before={"1": after_the_second_is_at_mimo}))
            again = await two.imports.plan(past(note))

            async def the_second() -> ImportProgress:
                try:
                    return await two.imports.run(again)
                finally:
                    second_done.set()

            answering = asyncio.create_task(let_mimo_answer())
            done = await asyncio.gather(one.imports.run(first), the_second())
            answering.cancel()

    assert len(mimo.requests) == 2  # Ann's and Bob's, once each
    # Each heard by one import, and found heard by the other: neither says it imported less.
    assert sorted(done[0].transcribed + done[1].transcribed) == ["1", "2"]
    assert done[0].elsewhere + done[1].elsewhere == 2
    assert all(len(d.transcribed) + d.elsewhere == 2 and d.done == 2 for d in done)


async def until(done: Callable[[], bool], *, timeout: float = 15.0) -> None:
    """Wait until `done()` holds, or `timeout` seconds, whichever comes first: an
    implementation that makes the second wait never asks MiMo twice, and its answer must come
    all the same."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not done() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
