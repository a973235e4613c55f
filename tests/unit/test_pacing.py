"""The account's minute: who goes first, and what the minute lets through
(core.domain.mimo.account_minute_rules, core.infra.mimo.minute_pacing)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from core.domain.mimo.account_minute_rules import (
    ASR_MINUTE,
    AccountLimits,
    ModelMinute,
    NotWanted,
    Seen,
    Urgency,
    asking,
    room,
    still_wanted,
)
from core.domain.mimo.token_estimates import recognition_tokens
from core.infra.mimo.minute_pacing import AccountMinute

MINUTE = ModelMinute(requests=12, tokens=1_200)
ASR = "mimo-v2.5-asr"


def test_live_work_waits_for_nothing_but_the_minute() -> None:
    almost = Seen(requests=11, tokens=100, paced_requests=11, paced_tokens=100, live_requests=1)
    assert room(MINUTE, almost, Urgency.LIVE, tokens=50)
    assert not room(MINUTE, Seen(requests=12), Urgency.LIVE, tokens=1)
    assert not room(MINUTE, Seen(requests=1, tokens=1_190), Urgency.LIVE, tokens=50)


def test_other_work_is_spread_over_the_minute_and_leaves_a_live_call_its_part() -> None:
    # A sixth of the minute in any sixth of it: two requests of twelve.
    assert room(MINUTE, Seen(requests=1, paced_requests=1), Urgency.PERSON, tokens=1)
    assert not room(MINUTE, Seen(requests=2, paced_requests=2), Urgency.BACKGROUND, tokens=1)
    # With a call live, what it holds and a twentieth of the minute (one request of twelve)
    # more are the call's.
    assert room(MINUTE, Seen(requests=11), Urgency.PERSON, tokens=1)
    held_a_minute = Seen(requests=10, live_requests=1, live_age=60.0)
    assert room(MINUTE, held_a_minute, Urgency.PERSON, tokens=1)  # 9 + 1 + 1 + 1 of 12
    assert not room(MINUTE, replace(held_a_minute, requests=11), Urgency.PERSON, tokens=1)


def test_a_call_keeps_the_part_of_the_minute_it_uses_at_its_pace() -> None:
    """One request in the last sixth is six a minute, and two in the first twenty seconds of a
    call are six too: a call that has only just begun keeps the minute's room for the rest of
    its minute, rather than waiting for an import's uses to leave it."""
    begun = Seen(requests=3, live_requests=1, live_recent_requests=1, live_age=5.0)
    assert room(MINUTE, begun, Urgency.BACKGROUND, tokens=1)  # 2 + 1 + 6 + 1 of 12
    later = replace(begun, requests=6)
    assert not room(MINUTE, later, Urgency.BACKGROUND, tokens=1)  # 5 + 1 + 6 + 1 of 12
    assert room(MINUTE, later, Urgency.LIVE, tokens=1)
    quiet_lately = Seen(requests=7, live_requests=2, live_age=20.0)  # none in the last sixth
    assert not room(MINUTE, quiet_lately, Urgency.BACKGROUND, tokens=1)  # 5 + 1 + 6 + 1
    assert room(MINUTE, replace(quiet_lately, live_age=60.0), Urgency.BACKGROUND, tokens=1)
    # Its tokens likewise: 100 a sixth is 600 a minute, and 60 more.
    heavy = Seen(requests=2, tokens=700, live_requests=1, live_tokens=100,
                 live_recent_requests=1, live_recent_tokens=100, live_age=5.0)  # fmt: skip
    assert not room(MINUTE, heavy, Urgency.PERSON, tokens=1)
    assert room(MINUTE, replace(heavy, tokens=500), Urgency.PERSON, tokens=50)


def test_a_request_larger_than_the_minute_goes_alone() -> None:
    assert room(MINUTE, Seen(), Urgency.PERSON, tokens=5_000)
    assert not room(MINUTE, Seen(requests=1, tokens=10), Urgency.LIVE, tokens=5_000)


def test_a_recognition_request_counts_its_audio_prompt_and_words() -> None:
    # MiMo's example: 4 s of audio counted 25 audio tokens, 46 prompt tokens and 20 words.
    assert 66 <= recognition_tokens(4.0) <= 70


def limits(
    requests: int, tokens: int = 1_000_000, seconds: float = 0.6, transit: float = 0.5
) -> AccountLimits:
    minute = ModelMinute(requests, tokens, seconds, transit)
    return AccountLimits(asr=minute, others=minute)


async def uses_in_order(minute: AccountMinute, asked: list[tuple[Urgency, str]]) -> list[str]:
    """Who got their uses, in order, when all of `asked` wait at once behind a full minute."""
    went: list[str] = []
    filler = [await minute.use(ASR, 1) for _ in range(minute.limits.asr.requests)]
    assert len(filler) == minute.limits.asr.requests  # the minute is full: everyone waits

    async def one(urgency: Urgency, who: str) -> None:
        with asking(urgency, who.split("#")[0]):
            await minute.use(ASR, 1)
        went.append(who)

    async with asyncio.TaskGroup() as group:
        for urgency, who in asked:
            group.create_task(one(urgency, who))
            await asyncio.sleep(0)  # each joins the queue in the order given
    return went


async def test_live_work_goes_first_then_people_then_the_background() -> None:
    minute = AccountMinute(limits=limits(requests=1))
    went = await uses_in_order(
        minute,
        [
            (Urgency.BACKGROUND, "import#1"),
            (Urgency.PERSON, "note#1"),
            (Urgency.LIVE, "call#1"),
            (Urgency.BACKGROUND, "import#2"),
            (Urgency.LIVE, "call#2"),
        ],
    )
    assert went == ["call#1", "call#2", "note#1", "import#1", "import#2"]


async def test_the_chats_of_one_urgency_go_chat_by_chat() -> None:
    minute = AccountMinute(limits=limits(requests=1))
    burst = [(Urgency.PERSON, f"busy#{n}") for n in range(4)]
    went = await uses_in_order(minute, [*burst, (Urgency.PERSON, "quiet#1")])
    assert went.index("quiet#1") == 1  # one of the busy chat's notes, then the quiet chat's


async def test_a_chat_served_long_ago_waits_its_round_while_it_still_has_requests() -> None:
    """A burst of many chats lasts longer than the minute: a chat's second note waits for
    every chat's first, however long ago its own first went."""
    minute = AccountMinute(limits=limits(requests=1, seconds=0.1, transit=0.0))
    firsts = [(Urgency.PERSON, f"chat{n}#1") for n in range(2, 6)]
    went = await uses_in_order(
        minute, [(Urgency.PERSON, "chat1#1"), (Urgency.PERSON, "chat1#2"), *firsts]
    )
    assert went == ["chat1#1", *(who for _, who in firsts), "chat1#2"]


async def test_who_waits_hears_how_many_are_ahead_until_their_use_is_given() -> None:
    minute = AccountMinute(limits=limits(requests=1, seconds=0.4))
    await minute.use(ASR, 1)
    heard: list[int | None] = []
    waiting = [asyncio.create_task(_asked(minute, Urgency.PERSON, f"chat{n}")) for n in range(3)]
    await asyncio.sleep(0)
    with asking(Urgency.PERSON, "last", waiting=heard.append):
        await minute.use(ASR, 1)
    await asyncio.gather(*waiting)
    assert heard[0] == 3 and heard[-1] is None  # none of its requests waits any more
    counts = [ahead for ahead in heard if ahead is not None]
    assert counts == sorted(counts, reverse=True)


async def _asked(minute: AccountMinute, urgency: Urgency, chat: str) -> None:
    with asking(urgency, chat):
        await minute.use(ASR, 1)


async def test_tokens_said_by_mimo_replace_the_estimate() -> None:
    minute = AccountMinute(limits=limits(requests=100, tokens=100, seconds=30))
    use = await minute.use(ASR, 90)  # counted high before sending...
    await use.used(10)  # ...MiMo's answer said 10
    with asking(Urgency.LIVE):
        await asyncio.wait_for(minute.use(ASR, 80), timeout=5)  # room for it at once
    assert (await minute.seen(ASR)).tokens == 90


async def test_a_429_pauses_the_whole_queue_then_halves_its_minute() -> None:
    minute = AccountMinute(limits=limits(requests=4, seconds=30))
    minute.slowed(ASR, retry_after=0.3)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with asking(Urgency.LIVE):
        await minute.use(ASR, 1)
        assert loop.time() - started >= 0.25  # nobody went during MiMo's Retry-After
        await minute.use(ASR, 1)
        third = asyncio.ensure_future(minute.use(ASR, 1))
        done, _ = await asyncio.wait({third}, timeout=1.5)
    assert not done  # half of four: the third waits for the minute
    third.cancel()
    assert minute.refusals == 1


async def test_unpaced_requests_go_at_once() -> None:
    minute = AccountMinute(limits=AccountLimits(asr=ModelMinute(1, 1), paced=False))
    for _ in range(5):
        await asyncio.wait_for(minute.use(ASR, 10), timeout=1)


@pytest.mark.parametrize("urgency", list(Urgency))
async def test_a_request_given_up_while_waiting_leaves_the_queue(urgency: Urgency) -> None:
    minute = AccountMinute(limits=limits(requests=1, seconds=0.5))
    await minute.use(ASR, 1)
    with asking(urgency, "gone"):
        waiting = asyncio.ensure_future(minute.use(ASR, 1))
        await asyncio.sleep(0)
    assert minute.waiting()[urgency] == 1
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert minute.waiting()[urgency] == 0
    with asking(urgency, "next"):
        await asyncio.wait_for(minute.use(ASR, 1), timeout=5)  # the queue goes on


async def test_a_request_no_longer_wanted_when_its_use_is_given_is_not_sent() -> None:
    """A member's no while their piece waited for the minute: looked at again as the use
    comes, so MiMo never hears it (`still_wanted`)."""
    minute = AccountMinute(limits=limits(requests=1, seconds=0.5))
    await minute.use(ASR, 1)  # the minute is full: the next waits
    said_yes = True
    with asking(Urgency.LIVE, "call"), still_wanted(lambda: said_yes):
        waiting = asyncio.ensure_future(minute.use(ASR, 1))
        await asyncio.sleep(0)
        said_yes = False  # the no, while it waits
        with pytest.raises(NotWanted):
            await waiting


def test_calls_using_the_whole_minute_still_leave_a_voice_note_a_twentieth() -> None:
    busy = Seen(requests=90, live_requests=90, live_recent_requests=17, live_age=60.0)
    assert room(ASR_MINUTE, busy, Urgency.PERSON, tokens=1)  # 0 + 1 + 95 of 100
    assert not room(ASR_MINUTE, replace(busy, requests=95), Urgency.PERSON, tokens=1)
