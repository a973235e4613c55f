"""Who waits in the account's minute hears of it (`core.infra.mimo.minute_pacing.AccountMinute`):
how many go first while a request waits, every request of one listener together, None once none
waits; what a request holds is set aside while it waits; each use's wait and each 429 are counted.
The minute is a short one on the real clock: a request waits for the use before it to leave."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from core.domain.mimo.account_minute_rules import (
    AccountLimits,
    ModelMinute,
    Urgency,
    asking,
    setting_aside,
)
from core.infra.mimo.minute_pacing import AccountMinute
from tests.waiting import until

ASR = "mimo-v2.5-asr"
MINUTE = 0.6  # seconds: one request in it, the next once it passed


def one_a_minute() -> AccountMinute:
    return AccountMinute(limits=AccountLimits(asr=ModelMinute(1, 1_000_000, MINUTE)))


class Told:
    """What a listener heard, in order."""

    def __init__(self) -> None:
        self.told: list[int | None] = []

    def __call__(self, ahead: int | None) -> None:
        self.told.append(ahead)


async def test_a_request_that_waits_hears_it_goes_next_then_that_it_went() -> None:
    minute = one_a_minute()
    await minute.use(ASR, 10)  # the minute is full
    heard = Told()
    with asking(Urgency.PERSON, "chat 1", waiting=heard):
        await minute.use(ASR, 10)

    assert heard.told == [0, None]  # next in the queue, waiting for room; then gone


async def test_a_request_that_goes_at_once_is_told_nothing() -> None:
    heard = Told()
    with asking(Urgency.PERSON, "chat 1", waiting=heard):
        await one_a_minute().use(ASR, 10)

    assert heard.told == []


async def test_a_listeners_requests_are_told_together_until_the_last_goes() -> None:
    minute = one_a_minute()
    await minute.use(ASR, 10)
    heard = Told()
    with asking(Urgency.PERSON, "chat 1", waiting=heard):
        pieces = [asyncio.create_task(minute.use(ASR, 10)) for _ in range(3)]
        await until(lambda: heard.told[-1:] == [0], "the first piece next in the queue")
        await asyncio.gather(*pieces)

    # The first waiting piece's place, never a later one's: 0, and None once the third went.
    assert heard.told[0] == 0 and heard.told[-1] is None
    assert None not in heard.told[:-1]


async def test_a_person_hears_of_the_live_requests_that_go_before_it() -> None:
    minute = one_a_minute()
    await minute.use(ASR, 10)
    heard = Told()
    with asking(Urgency.PERSON, "chat 1", waiting=heard):
        note = asyncio.create_task(minute.use(ASR, 10))
        await until(lambda: heard.told == [0], "the note waiting")
    with asking(Urgency.LIVE, "server"):
        captions = [asyncio.create_task(minute.use(ASR, 10)) for _ in range(2)]
        await until(lambda: heard.told[-1:] == [2], "two captions ahead of the note")
        await asyncio.gather(*captions)
    await note

    assert heard.told[-1] is None and not note.exception()


async def test_what_a_request_holds_is_set_aside_while_it_waits_and_taken_back_as_it_goes() -> None:
    minute = one_a_minute()
    steps: list[str] = []

    @contextlib.asynccontextmanager
    async def slot() -> AsyncIterator[None]:
        steps.append("set aside")
        yield
        steps.append("taken back")

    with asking(Urgency.BACKGROUND, "import"), setting_aside(slot):
        await minute.use(ASR, 10)  # the minute has room: nothing set aside
        assert steps == []
        await minute.use(ASR, 10)
    assert steps == ["set aside", "taken back"]


class Watched:
    def __init__(self) -> None:
        self.waits: list[tuple[Urgency, float]] = []
        self.refusals: list[str] = []

    def use_waited(self, urgency: Urgency, seconds: float) -> None:
        self.waits.append((urgency, seconds))

    def refused(self, model: str) -> None:
        self.refusals.append(model)


async def test_each_uses_wait_and_each_429_are_counted_and_the_minute_is_looked_at() -> None:
    counted = Watched()
    minute = one_a_minute()
    minute.watch = counted
    with asking(Urgency.LIVE, "server"):
        await minute.use(ASR, 40)
        await minute.use(ASR, 30)
    minute.slowed(ASR, None)
    await minute.look()

    assert [urgency for urgency, _ in counted.waits] == [Urgency.LIVE, Urgency.LIVE]
    assert counted.waits[0][1] < MINUTE / 2 <= counted.waits[1][1]  # the second waited
    assert counted.refusals == [ASR]
    assert minute.models() == [ASR]
    assert minute.seen_now[ASR].requests == 1 and minute.seen_now[ASR].tokens == 30


async def test_a_chat_served_a_moment_ago_lets_a_chat_that_came_later_go_first() -> None:
    minute = one_a_minute()
    order: list[str] = []

    async def request(chat: str) -> None:
        with asking(Urgency.PERSON, chat):
            await minute.use(ASR, 10)
        order.append(chat)

    await request("ann")  # her burst's first note took the minute's use
    anns = [asyncio.create_task(request("ann")) for _ in range(2)]
    await until(lambda: minute.waiting()[Urgency.PERSON] == 2, "her next notes in the queue")
    bobs = asyncio.create_task(request("bob"))
    await asyncio.gather(*anns, bobs)

    assert order == ["ann", "bob", "ann", "ann"]
