"""One process's minute (`MemoryLedger`) and what a model's queue tells its ledger
(`AccountMinute`): a 429's pause and half minute, what waits, what the minute holds now. The
replicas' minute, in PostgreSQL, is tests/integration/test_account_minute_replicas.py."""

from __future__ import annotations

import asyncio

from core.domain.mimo.account_minute_rules import (
    NOTHING_WAITS,
    AccountLimits,
    ModelMinute,
    Urgency,
    Waiting,
    asking,
)
from core.infra.mimo.minute_ledger import MemoryLedger
from core.infra.mimo.minute_pacing import SLOWED_SECONDS, AccountMinute
from tests.waiting import until

MODEL = "mimo-v2.5"


class Hands:
    """A clock moved by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class ToldLedger(MemoryLedger):
    """The process's own minute, noting what its queues tell it."""

    def __init__(self) -> None:
        super().__init__()
        self.announced: list[Waiting] = []
        self.slowdowns: list[tuple[str, float, float]] = []
        self.told = asyncio.Event()

    async def announce(self, model: str, waiting: Waiting) -> None:
        self.announced.append(waiting)
        self.told.set()

    async def slowed(self, model: str, pause: float, slow: float) -> None:
        await super().slowed(model, pause, slow)
        self.slowdowns.append((model, pause, slow))
        self.told.set()


async def test_a_429_pauses_the_model_then_halves_its_minute_for_a_while() -> None:
    clock = Hands()
    ledger = MemoryLedger(clock)
    minute = ModelMinute(4, 1_000_000, 60.0, transit=0.0)

    await ledger.slowed(MODEL, 5.0, 60.0)
    assert await ledger.take(MODEL, minute, Urgency.LIVE, 1) is None  # paused
    clock.now += 5.0
    taken = [await ledger.take(MODEL, minute, Urgency.LIVE, 1) for _ in range(3)]
    assert taken[:2] != [None, None] and taken[2] is None  # half of four
    clock.now += 60.0  # the first two left the minute, and the half minute is over
    assert [await ledger.take(MODEL, minute, Urgency.LIVE, 1) for _ in range(5)][-1] is None
    assert (await ledger.seen(MODEL, minute)).requests == 4


async def test_a_use_counts_past_the_minute_while_its_request_is_on_its_way() -> None:
    clock = Hands()
    ledger = MemoryLedger(clock)
    minute = ModelMinute(1, 1_000_000, 60.0, transit=0.5)

    assert await ledger.take(MODEL, minute, Urgency.LIVE, 1) is not None
    clock.now += 60.0
    assert await ledger.take(MODEL, minute, Urgency.LIVE, 1) is None  # MiMo may count it still
    clock.now += 0.5
    assert await ledger.take(MODEL, minute, Urgency.LIVE, 1) is not None


async def test_a_queue_says_what_waits_once_it_waits_and_says_so_when_it_empties() -> None:
    ledger = ToldLedger()
    limits = AccountLimits(others=ModelMinute(1, 1_000_000, 0.3, transit=0.0))
    minute = AccountMinute(limits=limits, ledger=ledger, announce_seconds=60)

    with asking(Urgency.LIVE, chat="call"):
        await minute.use(MODEL, 1)  # alone: it goes at once, and nothing is said
        assert ledger.announced == []
        await asyncio.gather(*(minute.use(MODEL, 1) for _ in range(2)))

    assert [(w.live, w.person, w.background) for w in ledger.announced] == [(2, 0, 0), (0, 0, 0)]
    assert ledger.announced[-1] == NOTHING_WAITS


async def test_a_429_is_told_to_the_ledger_at_once_even_with_nothing_waiting() -> None:
    ledger, clock = ToldLedger(), Hands()  # the clock stands still however busy the machine
    minute = AccountMinute(ledger=ledger, clock=clock)

    minute.slowed(MODEL, 2.0)
    await asyncio.wait_for(ledger.told.wait(), timeout=10)

    [(model, pause, slow)] = ledger.slowdowns  # what is left of them as it is told
    assert (model, pause, slow) == (MODEL, 2.0, SLOWED_SECONDS)
    [now] = await minute.report()
    assert (now.model, now.refused_today, now.requests) == (MODEL, 1, 0)
    assert now.slowed_for == SLOWED_SECONDS + 2.0


async def test_the_minute_now_says_what_it_holds_and_what_waits() -> None:
    limits = AccountLimits(others=ModelMinute(1, 1_000_000, 60.0))
    minute = AccountMinute(limits=limits)

    with asking(Urgency.BACKGROUND, chat="import"):
        await minute.use(MODEL, 40)
        waiting = asyncio.create_task(minute.use(MODEL, 40))
        await until(lambda: minute.waiting()[Urgency.BACKGROUND] == 1, "the second waiting")
    [now] = await minute.report()
    waiting.cancel()

    assert (now.requests, now.tokens, now.minute) == (1, 40, limits.others)
    assert (now.waiting.live, now.waiting.person, now.waiting.background) == (0, 0, 1)
    assert now.refused_today == 0 and now.slowed_for == 0


async def test_a_use_counts_a_minute_from_mimos_answer_however_long_its_way() -> None:
    """MiMo counts a request from when it reaches it: a request slow on its way counts a minute
    from its answer, and one answered at once leaves the minute without the use's margin."""
    clock = Hands()
    ledger = MemoryLedger(clock)
    minute = ModelMinute(1, 1_000_000, 60.0, transit=0.5)

    slow = await ledger.take(MODEL, minute, Urgency.LIVE, 1)
    assert slow is not None
    clock.now += 2.0  # its way to MiMo and back took two seconds
    await ledger.answered(slow, 7)
    clock.now += 59.0  # a minute and a second from the use, 59 s from MiMo's answer
    assert await ledger.take(MODEL, minute, Urgency.LIVE, 1) is None
    assert (await ledger.seen(MODEL, minute)).tokens == 7  # as MiMo counted it
    clock.now += 1.0
    quick = await ledger.take(MODEL, minute, Urgency.LIVE, 1)
    assert quick is not None
    await ledger.answered(quick, None)  # answered at once
    clock.now += 60.0
    assert await ledger.take(MODEL, minute, Urgency.LIVE, 1) is not None


async def test_an_answer_later_than_the_minute_counts_its_use_again_from_then() -> None:
    """A long upload: its use left the minute while it was on its way, and MiMo counts it
    from its arrival, so its answer counts it again for a minute."""
    clock = Hands()
    ledger = MemoryLedger(clock)
    minute = ModelMinute(1, 1_000_000, 60.0, transit=0.5)

    slow = await ledger.take(MODEL, minute, Urgency.PERSON, 1)
    assert slow is not None
    clock.now += 90.0
    assert (await ledger.seen(MODEL, minute)).requests == 0  # not counted on its way so long
    await ledger.answered(slow, None)
    assert (await ledger.seen(MODEL, minute)).requests == 1
    assert ledger.held[MODEL] == (clock.now, await ledger.seen(MODEL, minute))
    clock.now += 60.0
    assert await ledger.take(MODEL, minute, Urgency.PERSON, 1) is not None
