"""Claims on incoming work, with in-memory storage: answered once; work cut off is redone by
whoever takes its lapsed lease over, or (where it cannot be) its chat told once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from core.app.rules.work_claims import Claims, Tell, answered
from core.domain.rules.claim_values import Claim
from tests.fakes import ClaimKey, FakeClaimRow, FakeWorkUnitOfWork

VOICE_NOTE = Claim("telegram", "42", "7")
COMMAND = Claim("discord", "900", "901", "command", requester="55")


@pytest.fixture
def claims() -> dict[ClaimKey, FakeClaimRow]:
    return {}


class SteppedClock:
    """Time that moves only when the test moves it."""

    def __init__(self) -> None:
        self.at = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    async def sleep(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)
        await asyncio.sleep(0)  # let the other tasks run, as a real sleep would

    def advance(self, delta: timedelta) -> None:
        self.at += delta


@pytest.fixture
def clock() -> SteppedClock:
    return SteppedClock()


def claims_of(
    claims: dict[ClaimKey, FakeClaimRow], clock: SteppedClock, instance: str = "bot-a"
) -> Claims:
    return Claims(
        uow=lambda: FakeWorkUnitOfWork(claims),
        instance=instance,
        clock=clock,
        retention=timedelta(days=7),
    )


async def test_a_second_delivery_is_not_handled(
    claims: dict[ClaimKey, FakeClaimRow], clock: SteppedClock
) -> None:
    work = claims_of(claims, clock)
    handled = []
    for _ in range(2):
        async with work.handling(VOICE_NOTE) as first:
            if first:
                handled.append(VOICE_NOTE)

    assert handled == [VOICE_NOTE]
    assert await work.state(VOICE_NOTE) == "done"


@pytest.mark.parametrize("storage", ["working", "down"])
async def test_what_was_received_is_claimed_once_and_its_work_let_through(
    claims: dict[ClaimKey, FakeClaimRow], clock: SteppedClock, storage: str
) -> None:
    """Received, the work is let through; a second delivery is dropped where the first one's
    claim is stored. With the storage down, nothing tells a second delivery from the first:
    it is let through too, unclaimed, as a database hiccup must not cost the user the answer."""
    work = claims_of(claims, clock) if storage == "working" else claims_down(clock)
    assert await work.receive(VOICE_NOTE, "the update") is True
    second = await work.receive(VOICE_NOTE, "the update")  # delivered twice...
    async with work.handling(VOICE_NOTE, "the update") as first:
        assert first  # the work of what this process received
    if storage == "down":
        assert second is True  # ...and never dropped for a claim that could not be stored
        assert claims == {}
        return
    assert second is False  # ...and dropped
    assert await work.state(VOICE_NOTE) == "done"
    assert await claims_of(claims, clock, "bot-b").receive(VOICE_NOTE) is False


async def test_a_replica_does_not_take_what_another_claimed(
    claims: dict[ClaimKey, FakeClaimRow], clock: SteppedClock
) -> None:
    assert await claims_of(claims, clock, "bot-a").claim(VOICE_NOTE) is True
    assert await claims_of(claims, clock, "bot-b").claim(VOICE_NOTE) is False


async def test_work_that_failed_with_an_answer_is_done(
    claims: dict[ClaimKey, FakeClaimRow], clock: SteppedClock
) -> None:
    work = claims_of(claims, clock)
    with pytest.raises(RuntimeError):
        async with work.handling(VOICE_NOTE):
            raise RuntimeError("the adapter answered this one")

    assert await work.state(VOICE_NOTE) == "done"
    assert await claims_of(claims, clock).sweep("telegram", _never_redo, _never) == 0


async def cut_off(work: Claims, claim: Claim, payload: str | None = None) -> None:
    """`claim` is handled until the process dies: its lease is left to lapse."""
    started = asyncio.Event()

    async def transcribe() -> None:
        async with work.handling(claim, payload) as first:
            assert first
            started.set()
            await asyncio.Event().wait()  # MiMo never answers: the process dies first

    task = asyncio.create_task(transcribe())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await work.state(claim) == "started"


async def test_work_cut_off_is_redone_at_once_by_the_next_start_of_its_instance(
    claims: dict[ClaimKey, FakeClaimRow], clock: SteppedClock
) -> None:
    await cut_off(claims_of(claims, clock), VOICE_NOTE, "the update")
    restarted = claims_of(claims, clock)
    redone: list[tuple[Claim, str]] = []

    async def redo(claim: Claim, payload: str) -> None:
        redone.append((claim, payload))

    assert await restarted.sweep("telegram", redo, _never) == 1
    assert await restarted.sweep("telegram", redo, _never) == 0  # its lease is fresh now
    assert redone == [(VOICE_NOTE, "the update")]
    async with restarted.handling(VOICE_NOTE) as first:  # the redone work claims it again
        assert first
    assert await restarted.state(VOICE_NOTE) == "done"


async def test_another_instance_takes_over_only_once_the_lease_has_lapsed(
    claims: dict[ClaimKey, FakeClaimRow], clock: SteppedClock
) -> None:
    await cut_off(claims_of(claims, clock, "bot-a"), VOICE_NOTE, "the update")
    other = claims_of(claims, clock, "bot-b")
    redone: list[Claim] = []

    async def redo(claim: Claim, payload: str) -> None:
        redone.append(claim)

    clock.advance(timedelta(seconds=29))
    assert await other.sweep("telegram", redo, _never) == 0  # bot-a may still be working
    clock.advance(timedelta(seconds=2))
    assert await other.sweep("telegram", redo, _never) == 1
    assert redone == [VOICE_NOTE]


async def test_a_lease_renewed_while_the_work_runs_is_never_taken(
    claims: dict[ClaimKey, FakeClaimRow], clock: SteppedClock
) -> None:
    working = claims_of(claims, clock, "bot-a")
    await working.claim(VOICE_NOTE, "the update")
    async with working.leases_renewed({}, pause=clock.sleep):
        for _ in range(10):  # the manual clock moves 10 s at each of its sleeps
            await asyncio.sleep(0)
    assert clock.at > datetime(2026, 11, 21, 9, 1, tzinfo=UTC)  # a minute and more went by
    assert await claims_of(claims, clock, "bot-b").sweep("telegram", _never_redo, _never) == 0


async def test_work_that_cannot_be_redone_is_told_once(
    claims: dict[ClaimKey, FakeClaimRow], clock: SteppedClock
) -> None:
    await cut_off(claims_of(claims, clock), VOICE_NOTE)  # nothing stored to redo it from
    told: list[Claim] = []
    restarted = claims_of(claims, clock)
    assert await restarted.sweep("telegram", _never_redo, _into(told)) == 1
    assert await restarted.sweep("telegram", _never_redo, _into(told)) == 0
    assert told == [VOICE_NOTE]
    assert await restarted.state(VOICE_NOTE) == "failed"


async def test_work_that_killed_two_processes_or_is_an_hour_old_is_told_not_redone(
    claims: dict[ClaimKey, FakeClaimRow], clock: SteppedClock
) -> None:
    old = Claim("telegram", "42", "8")
    await cut_off(claims_of(claims, clock), old, "an old update")
    clock.advance(timedelta(hours=1, seconds=1))
    await cut_off(claims_of(claims, clock), VOICE_NOTE, "the update")
    redone: list[Claim] = []

    async def redo_and_die(claim: Claim, payload: str) -> None:
        redone.append(claim)  # and the process dies again

    told: list[Claim] = []
    for _ in range(3):  # each start takes over what the one before it died on
        await claims_of(claims, clock).sweep("telegram", redo_and_die, _into(told))
    assert redone == [VOICE_NOTE, VOICE_NOTE]
    assert told == [old, VOICE_NOTE]


async def test_only_this_platforms_lapsed_claims_are_swept(
    claims: dict[ClaimKey, FakeClaimRow], clock: SteppedClock
) -> None:
    mine = claims_of(claims, clock, "bot-a")
    await mine.claim(VOICE_NOTE)
    await mine.claim(COMMAND)
    await claims_of(claims, clock, "bot-b").claim(Claim("telegram", "42", "8"))

    told: list[Claim] = []
    await claims_of(claims, clock, "bot-a").sweep("telegram", _never_redo, _into(told))

    assert told == [VOICE_NOTE]  # not bot-b's (its lease runs), not Discord's
    assert await mine.state(COMMAND) == "started"
    told.clear()
    await claims_of(claims, clock, "bot-a").sweep("discord", _never_redo, _into(told))
    assert told == [COMMAND]


async def test_a_chat_that_cannot_be_told_does_not_stop_the_others(
    claims: dict[ClaimKey, FakeClaimRow], clock: SteppedClock
) -> None:
    work = claims_of(claims, clock)
    gone, still_here = Claim("telegram", "1", "1"), Claim("telegram", "2", "1")
    await work.claim(gone)
    clock.advance(timedelta(seconds=1))
    await work.claim(still_here)
    told: list[Claim] = []

    async def tell(claim: Claim) -> None:
        if claim == gone:
            raise RuntimeError("bot was blocked by the user")
        told.append(claim)

    assert await claims_of(claims, clock).sweep("telegram", _never_redo, tell) == 2
    assert told == [still_here]
    assert await work.state(gone) == "failed"  # not retried at every start


def claims_down(clock: SteppedClock) -> Claims:
    """Claims whose storage cannot be reached."""

    def broken() -> FakeWorkUnitOfWork:
        raise ConnectionError("database is down")

    return Claims(uow=broken, instance="bot-a", clock=clock, retention=timedelta(days=1))


async def test_without_storage_the_work_still_runs(clock: SteppedClock) -> None:
    async with claims_down(clock).handling(VOICE_NOTE) as first:
        assert first


async def test_claims_older_than_the_retention_are_deleted(
    claims: dict[ClaimKey, FakeClaimRow], clock: SteppedClock
) -> None:
    work = claims_of(claims, clock)
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


async def _never_redo(claim: Claim, payload: str) -> None:
    raise AssertionError(f"nothing should be redone, got {claim}")


async def test_a_dead_processs_work_is_taken_over_as_its_lease_lapses(
    claims: dict[ClaimKey, FakeClaimRow], clock: SteppedClock
) -> None:
    """A replica that keeps its own leases looks for lapsed ones every lease, and also at the
    moment another process's lease runs out: a dead replica's work waits the lease, not up to
    twice as long."""
    await cut_off(claims_of(claims, clock, "bot-a"), VOICE_NOTE, "the update")
    lapses = clock.at + timedelta(seconds=30)
    # The survivor starts halfway through bot-a's lease: its rounds come every 10 s, the
    # first at 25 s, the second shortened to land on the lapse at 30 s, and its regular sweep
    # (every third round) at the earliest one short pause (a tenth of a round, 1 s) later: a
    # takeover within half a second of the lapse is the sweep at the lapse, nothing else.
    clock.advance(timedelta(seconds=15))
    survivor = claims_of(claims, clock, "bot-b")
    taken: list[datetime] = []

    async def redo(claim: Claim, payload: str) -> None:
        taken.append(clock.now())

    async with survivor.leases_renewed({"telegram": (redo, _never)}, pause=clock.sleep):
        while not taken and clock.at < lapses + timedelta(minutes=2):
            await asyncio.sleep(0)
    [at] = taken
    assert lapses < at < lapses + timedelta(seconds=0.5)


async def test_work_is_marked_done_the_moment_its_answer_went_out_with_that_answer(
    claims: dict[ClaimKey, FakeClaimRow], clock: SteppedClock
) -> None:
    """`answered` inside the handling marks the claim there and then, noting the message that
    answered; what the handling does afterwards no longer holds the mark back."""
    work = claims_of(claims, clock)
    async with work.handling(VOICE_NOTE, "the update") as first:
        assert first
        await answered("301")
        marked = await work.state(VOICE_NOTE)
        clock.advance(timedelta(minutes=5))  # the rest of the handling, however long
        assert await claims_of(claims, clock, "bot-b").sweep("telegram", _never_redo, _never) == 0

    assert marked == "done"
    assert claims[("telegram", "42", "7")].payload == "answered by 301"


async def test_a_mark_that_failed_as_the_answer_went_is_made_as_the_handling_ends(
    claims: dict[ClaimKey, FakeClaimRow], clock: SteppedClock
) -> None:
    """The marks' own connection broken: the claim stays held, and the end of the handling
    marks it through the work's connections."""

    def broken() -> FakeWorkUnitOfWork:
        raise ConnectionError("the marks' connection broke")

    work = Claims(
        uow=lambda: FakeWorkUnitOfWork(claims), mark_uow=broken, instance="bot-a",
        clock=clock,
        retention=timedelta(days=7),
    )  # fmt: skip
    async with work.handling(VOICE_NOTE, "the update"):
        await answered("301")
        assert await work.state(VOICE_NOTE) == "started"

    assert await work.state(VOICE_NOTE) == "done"


async def test_answered_outside_a_claims_handling_does_nothing(
    claims: dict[ClaimKey, FakeClaimRow], clock: SteppedClock
) -> None:
    await answered("301")  # unclaimed work: nothing to mark
    work = claims_of(claims, clock)
    async with work.handling(VOICE_NOTE):
        pass
    await answered("302")  # its handling is over: nothing of it is marked again
    assert claims[("telegram", "42", "7")].payload is None
