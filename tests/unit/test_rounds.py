"""Background loops stop between rounds: a round under way is finished, a pause is cut short."""

from __future__ import annotations

import asyncio

from core.app.running.rounds import in_rounds


async def test_a_stop_during_a_round_lets_that_round_finish() -> None:
    began, may_end = asyncio.Event(), asyncio.Event()
    finished: list[int] = []

    async def one_round() -> None:
        began.set()
        await may_end.wait()  # say, a transaction waiting on the database
        finished.append(1)

    async def forever() -> None:
        await asyncio.Event().wait()

    async def stop_in_the_middle() -> None:
        async with in_rounds(one_round, forever, name="test"):
            await began.wait()
        # the block has ended only once the round has

    stopping = asyncio.create_task(stop_in_the_middle())
    await began.wait()
    await asyncio.sleep(0)
    assert not stopping.done()  # waiting for the round, not cancelling it
    may_end.set()
    await stopping
    assert finished == [1]


async def test_a_stop_during_a_pause_ends_the_loop_at_once_and_starts_no_round() -> None:
    rounds: list[int] = []
    pausing = asyncio.Event()

    async def one_round() -> None:
        rounds.append(1)

    async def forever() -> None:
        pausing.set()
        await asyncio.Event().wait()

    async with in_rounds(one_round, forever, name="test", pause_first=True):
        await pausing.wait()
    assert rounds == []


async def test_rounds_follow_pauses_until_the_block_ends() -> None:
    rounds: list[int] = []
    enough = asyncio.Event()

    async def one_round() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 3:
            enough.set()

    async def pause() -> None:
        await asyncio.sleep(0)

    async with in_rounds(one_round, pause, name="test"):
        await enough.wait()
    assert rounds[:3] == [0, 1, 2]
