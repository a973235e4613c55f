"""Claims on incoming work, with in-memory storage: answered once, interruptions told once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from core.app.claims import Tell, WorkLedger
from core.domain.claims import Claim
from tests.fakes import ClaimKey, FakeClaimRow, FakeWorkUnitOfWork

VOICE_NOTE = Claim("telegram", "42", "7")
COMMAND = Claim("discord", "900", "901", "command", requester="55")


@pytest.fixture
def claims() -> dict[ClaimKey, FakeClaimRow]:
    return {}


class ManualClock:
    """Time that moves only when the test moves it."""

    def __init__(self) -> None:
        self.at = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    async def sleep(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)

    def advance(self, delta: timedelta) -> None:
        self.at += delta


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def ledger(
    claims: dict[ClaimKey, FakeClaimRow], clock: ManualClock, instance: str = "bot-a"
) -> WorkLedger:
    return WorkLedger(
        uow=lambda: FakeWorkUnitOfWork(claims),
        instance=instance,
        clock=clock,
        retention=timedelta(days=7),
    )


async def test_a_second_delivery_is_not_handled(
    claims: dict[ClaimKey, FakeClaimRow], clock: ManualClock
) -> None:
    work = ledger(claims, clock)
    handled = []
    for _ in range(2):
        async with work.handling(VOICE_NOTE) as first:
            if first:
                handled.append(VOICE_NOTE)

    assert handled == [VOICE_NOTE]
    assert await work.state(VOICE_NOTE) == "done"


async def test_a_replica_does_not_take_what_another_claimed(
    claims: dict[ClaimKey, FakeClaimRow], clock: ManualClock
) -> None:
    assert await ledger(claims, clock, "bot-a").claim(VOICE_NOTE) is True
    assert await ledger(claims, clock, "bot-b").claim(VOICE_NOTE) is False


async def test_work_that_failed_with_an_answer_is_done(
    claims: dict[ClaimKey, FakeClaimRow], clock: ManualClock
) -> None:
    work = ledger(claims, clock)
    with pytest.raises(RuntimeError):
        async with work.handling(VOICE_NOTE):
            raise RuntimeError("the adapter answered this one")

    assert await work.state(VOICE_NOTE) == "done"
    assert await work.tell_interrupted("telegram", _never) == 0


async def test_work_cut_off_is_told_once_at_the_next_start(
    claims: dict[ClaimKey, FakeClaimRow], clock: ManualClock
) -> None:
    work = ledger(claims, clock)
    started = asyncio.Event()

    async def transcribe() -> None:
        async with work.handling(VOICE_NOTE) as first:
            assert first
            started.set()
            await asyncio.Event().wait()  # MiMo never answers: the process dies first

    task = asyncio.create_task(transcribe())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await work.state(VOICE_NOTE) == "started"

    told: list[Claim] = []
    restarted = ledger(claims, clock)
    assert await restarted.tell_interrupted("telegram", _into(told)) == 1
    assert await restarted.tell_interrupted("telegram", _into(told)) == 0
    assert told == [VOICE_NOTE]
    assert await restarted.state(VOICE_NOTE) == "failed"


async def test_only_this_instances_leftovers_on_this_platform_are_told(
    claims: dict[ClaimKey, FakeClaimRow], clock: ManualClock
) -> None:
    mine = ledger(claims, clock, "bot-a")
    await mine.claim(VOICE_NOTE)
    await mine.claim(COMMAND)
    await ledger(claims, clock, "bot-b").claim(Claim("telegram", "42", "8"))

    told: list[Claim] = []
    await mine.tell_interrupted("telegram", _into(told))

    assert told == [VOICE_NOTE]  # not bot-b's (it may still be working), not Discord's
    assert await mine.state(COMMAND) == "started"
    told.clear()
    await mine.tell_interrupted("discord", _into(told))
    assert told == [COMMAND]


async def test_a_chat_that_cannot_be_told_does_not_stop_the_others(
    claims: dict[ClaimKey, FakeClaimRow], clock: ManualClock
) -> None:
    work = ledger(claims, clock)
    gone, still_here = Claim("telegram", "1", "1"), Claim("telegram", "2", "1")
    await work.claim(gone)
    clock.advance(timedelta(seconds=1))
    await work.claim(still_here)
    told: list[Claim] = []

    async def tell(claim: Claim) -> None:
        if claim == gone:
            raise RuntimeError("bot was blocked by the user")
        told.append(claim)

    assert await work.tell_interrupted("telegram", tell) == 1
    assert told == [still_here]
    assert await work.state(gone) == "failed"  # not retried at every start


async def test_without_storage_the_work_still_runs(clock: ManualClock) -> None:
    def broken() -> FakeWorkUnitOfWork:
        raise ConnectionError("database is down")

    work = WorkLedger(uow=broken, instance="bot-a", clock=clock, retention=timedelta(days=1))
    async with work.handling(VOICE_NOTE) as first:
        assert first


async def test_claims_older_than_the_retention_are_deleted(
    claims: dict[ClaimKey, FakeClaimRow], clock: ManualClock
) -> None:
    work = ledger(claims, clock)
    old, recent = Claim("telegram", "1", "1"), Claim("telegram", "1", "2")
    await work.claim(old)
    clock.advance(timedelta(days=6))
    await work.claim(recent)
    clock.advance(timedelta(days=2))

    assert await work.purge_expired() == 1
    assert await work.state(old) is None
    assert await work.state(recent) == "started"


def _into(told: list[Claim]) -> Tell:
    async def tell(claim: Claim) -> None:
        told.append(claim)

    return tell


async def _never(claim: Claim) -> None:
    raise AssertionError(f"nothing should be told, got {claim}")
