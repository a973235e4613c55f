"""MiMo's minute shared by replicas of one key through PostgreSQL (`DatabaseLedger`): the real
MiMo client of each replica, each on an engine of its own, against one account of the MiMo
stand-in, which holds the minute as MiMo does (past it, 429 with Retry-After). The minute is
two seconds long here, its limits a handful of requests: every ratio of MiMo's kept."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from core.app.listening.piece_stretching import Stretching
from core.domain.errors import MimoRateLimited
from core.domain.mimo.account_minute_rules import AccountLimits, Urgency, asking
from core.infra.mimo import MimoClient
from core.infra.mimo.minute_pacing import AccountMinute
from core.infra.storage import upgrade
from core.infra.storage.database_engines import create_minute_engine
from core.infra.storage.mimo_minute.shared_ledger_in_database import DatabaseLedger
from tests.audio_factory import make_audio
from tests.integration.chatlog_db import query
from tests.integration.minute_replica import (
    ANNOUNCE_SECONDS,
    FRESH_SECONDS,
    INSTANCE,
    MINUTE_SECONDS,
    limits_of,
)
from tests.standins.mimo import FakeMimo

REQUESTS = 6  # a minute, of each model, every replica together
TOKENS = 4_000  # ...and of the chat model's tokens, where a test needs them few
ASR = "mimo-v2.5-asr"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
async def shared_url(postgres_database_url: str) -> str:
    await upgrade(postgres_database_url)
    return postgres_database_url


@pytest.fixture
async def account() -> AsyncIterator[FakeMimo]:
    """One MiMo account whose minute holds REQUESTS requests of each model in two seconds."""
    async with FakeMimo() as mimo:
        mimo.minute.seconds = MINUTE_SECONDS
        mimo.minute.asr = (REQUESTS, 10_000)
        mimo.minute.others = (REQUESTS, 10_000_000)
        yield mimo


@asynccontextmanager
async def sharing(
    url: str | None, mimo: FakeMimo, *names: str, retries: int = 3, tokens: int = 10_000_000
) -> AsyncIterator[list[MimoClient]]:
    """A MiMo client per replica named, each with its minute in the database at `url` through
    an engine of its own (None: not paced at all, each sending at once)."""
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(httpx.AsyncClient())
        clients = []
        for name in names:
            minute = await _minute(stack, url, name, tokens)
            clients.append(MimoClient(http=http, api_key=mimo.api_key, base_url=mimo.base_url,
                                      max_retries=retries, minute=minute))  # fmt: skip
        yield clients


async def _minute(stack: AsyncExitStack, url: str | None, name: str, tokens: int) -> AccountMinute:
    if url is None:
        return AccountMinute(limits=AccountLimits(paced=False))
    engine = create_minute_engine(url)
    assert engine is not None
    stack.push_async_callback(engine.dispose)
    ledger = DatabaseLedger(engine, instance=name, fresh=FRESH_SECONDS)
    return AccountMinute(
        limits=limits_of(REQUESTS, tokens), ledger=ledger, announce_seconds=ANNOUNCE_SECONDS
    )


async def _ledger(stack: AsyncExitStack, url: str, name: str) -> DatabaseLedger:
    """A replica's minute in the database at `url`, on an engine of its own."""
    engine = create_minute_engine(url)
    assert engine is not None
    stack.push_async_callback(engine.dispose)
    return DatabaseLedger(engine, instance=name, fresh=FRESH_SECONDS)


async def until_queue(url: str, instance: str, holds: Callable[[Any], bool], what: str) -> None:
    """Wait until the row of the queue `instance` wrote in the minute's table holds (live,
    person, background, paused_until)."""
    sql = "SELECT live, person, background, paused_until FROM minute_lines WHERE instance = :i"
    deadline = asyncio.get_running_loop().time() + 30
    while not any(holds(row) for row in await query(url, sql, i=instance)):
        assert asyncio.get_running_loop().time() < deadline, f"{what} never said"
        await asyncio.sleep(0.02)


def sent_as(
    urgency: Urgency, chat: str, client: MimoClient, count: int, max_tokens: int | None = None
) -> list[asyncio.Task[Any]]:
    """`count` chat requests of `chat`'s, each in a task of its own, in `urgency`'s queue."""
    with asking(urgency, chat=chat):
        return [
            asyncio.create_task(client.chat(f"{chat} {n}", max_tokens=max_tokens))
            for n in range(count)
        ]


def prompts_heard(mimo: FakeMimo, chat: str) -> int:
    """The requests of `chat`'s (`sent_as`) that reached MiMo, 429s included."""
    return sum(
        1
        for body in mimo.requests
        for message in body.get("messages", [])
        if str(message.get("content", "")).startswith(f"{chat} ")
    )


# -- one minute for every replica ----------------------------------------------------------------


@pytest.mark.postgres
async def test_three_replicas_sending_more_than_the_minute_holds_all_hear_and_meet_no_429(
    shared_url: str, account: FakeMimo, tmp_path: Path
) -> None:
    note = make_audio(tmp_path, fmt="wav", seconds=1).read_bytes()
    async with sharing(shared_url, account, "one", "two", "three") as clients:
        heard = await asyncio.gather(
            *(client.transcribe(note, mime="audio/wav") for client in clients for _ in range(5))
        )

    assert [t.text for t in heard] == [heard[0].text] * 15 and heard[0].text
    assert len(account.calls("mimo-v2.5-asr")) == 15  # two and a half minutes' worth, none twice
    assert account.minute.refused == 0


async def test_the_same_work_unpaced_meets_429s(account: FakeMimo, tmp_path: Path) -> None:
    """What the test above would meet without the shared minute: it can fail."""
    note = make_audio(tmp_path, fmt="wav", seconds=1).read_bytes()
    async with sharing(None, account, "one", "two", "three", retries=0) as clients:
        heard = await asyncio.gather(
            *(client.transcribe(note, mime="audio/wav") for client in clients for _ in range(5)),
            return_exceptions=True,
        )

    assert account.minute.refused > 0
    assert sum(isinstance(h, MimoRateLimited) for h in heard) == account.minute.refused


# -- the most urgent first, whichever replica holds it ------------------------------------------


@pytest.mark.postgres
async def test_a_replicas_background_work_waits_while_anothers_live_work_waits(
    shared_url: str, account: FakeMimo
) -> None:
    """The minute has tokens left for the import's small requests, not for the call's captions:
    the import's fit, and wait all the same until the captions have gone."""
    account.minute.others = (REQUESTS, TOKENS)
    async with sharing(shared_url, account, "filler", "importer", "caller", tokens=TOKENS) as (
        filler,
        importer,
        caller,
    ):
        with asking(Urgency.LIVE, chat="filler"):  # three quarters of the minute's tokens
            await filler.chat("filler " + "x" * 12_800)
        captions = sent_as(Urgency.LIVE, "call", caller, 2)  # about 1,000 tokens each
        await until_queue(shared_url, "caller", lambda r: r[0] == 2, "the call's waiting")
        imports = sent_as(Urgency.BACKGROUND, "import", importer, 3, max_tokens=5)
        await until_queue(shared_url, "importer", lambda r: r[2] == 3, "the import's waiting")
        await asyncio.wait_for(asyncio.gather(*imports, *captions), timeout=30)

    # In the order MiMo had them (the ledger's rows outlive the two-second minute only so long,
    # and a busy machine's later uses delete the first ones as they expire).
    said = [str(m.get("content", "")) for body in account.requests for m in body["messages"]]
    assert [words.split()[0] for words in said if words.startswith(("call ", "import "))] == [
        "call"
    ] * 2 + ["import"] * 3
    assert account.minute.refused == 0


@pytest.mark.postgres
async def test_one_replicas_calls_lengthen_the_pieces_of_anothers(
    shared_url: str, account: FakeMimo, tmp_path: Path
) -> None:
    """Calls spread over replicas are lengthened for all of them: each live use carries its
    seconds of speech into the minute they share, and each replica's `Stretching` reads them
    there, not only its own calls' speech."""
    note = make_audio(tmp_path, fmt="wav", seconds=2).read_bytes()
    async with sharing(shared_url, account, "busy", "quiet") as (busy, quiet):
        stretching = Stretching(quiet.minute.limits.asr, shared=lambda: quiet.minute.held(ASR))
        with asking(Urgency.LIVE, chat="busy call"):
            await asyncio.gather(*(busy.transcribe(note, mime="audio/wav") for _ in range(3)))
        assert stretching.step() == 0  # nothing said yet in the quiet replica's calls
        with asking(Urgency.LIVE, chat="quiet call"):
            await quiet.transcribe(note, mime="audio/wav")  # its queue looks at the minute
        shared = quiet.minute.held(ASR)
        assert shared is not None and shared.live_speech >= 6.0
        # Six seconds of speech in the (two-second) minute: its six requests would not hold it
        # in the soonest pieces, under a second each.
        assert stretching.step() > 0
    assert account.minute.refused == 0


@pytest.mark.postgres
async def test_a_use_answered_after_it_left_the_minute_counts_again_from_its_answer(
    shared_url: str,
) -> None:
    """A long upload: its use left the shared minute while it was on its way, and MiMo counts
    it from its arrival, so its answer counts it again, in every replica's minute."""
    minute = limits_of(REQUESTS).others
    async with AsyncExitStack() as stack:
        ledger = await _ledger(stack, shared_url, "uploader")
        use = await ledger.take("mimo-v2.6-flash", minute, Urgency.PERSON, 10)
        assert use is not None
        engine = create_minute_engine(shared_url)
        assert engine is not None
        stack.push_async_callback(engine.dispose)
        async with engine.begin() as connection:  # its way has lasted a minute and a half
            await connection.execute(
                text("UPDATE minute_turns SET taken_at = taken_at - interval '90 seconds'")
            )
        assert (await ledger.seen("mimo-v2.6-flash", minute)).requests == 0
        await ledger.answered(use, 12)
        seen = await ledger.seen("mimo-v2.6-flash", minute)
        assert (seen.requests, seen.tokens) == (1, 12)


# -- a replica that dies ------------------------------------------------------------------------


@pytest.mark.postgres
async def test_a_replica_killed_while_its_live_work_waits_holds_the_others_no_longer_than_a_minute(
    shared_url: str, account: FakeMimo
) -> None:
    doomed = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.integration.minute_replica", shared_url, account.base_url,
        account.api_key, str(REQUESTS + 2), str(REQUESTS), "30", cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    try:
        # It took the whole minute, and two more of its live requests wait, said in its queue.
        await until_queue(shared_url, INSTANCE, lambda r: r[0] == 2, "the doomed replica's waiting")
        async with sharing(shared_url, account, "importer") as (importer,):
            imports = sent_as(Urgency.BACKGROUND, "import", importer, 3)
            await until_queue(shared_url, "importer", lambda r: r[2] == 3, "the import's waiting")
            doomed.kill()
            await doomed.wait()
            killed = asyncio.get_running_loop().time()
            await asyncio.wait_for(asyncio.gather(*imports), timeout=30)
            waited = asyncio.get_running_loop().time() - killed
    finally:
        if doomed.returncode is None:
            doomed.kill()
            await doomed.wait()

    # Its uses left the minute as MiMo's count of them did, and what it said waits stopped
    # counting once stale: the import went on within the minute (and a little for the load).
    counted = limits_of(REQUESTS).others.counted_seconds
    assert waited < counted + FRESH_SECONDS + 5.0
    said = await query(shared_url, "SELECT live FROM minute_lines WHERE instance = :i", i=INSTANCE)
    # Nobody took back what it said waits (two, or one where a use was given it on a loaded
    # machine before it was killed): it went stale, and held the import no longer.
    assert len(said) == 1 and said[0][0] > 0
    # Its waiting ones died with it: MiMo heard only those given their use.
    assert prompts_heard(account, INSTANCE) == REQUESTS + 2 - said[0][0]
    assert prompts_heard(account, "import") == 3
    assert account.minute.refused == 0


# -- a 429 slows every replica ------------------------------------------------------------------


@pytest.mark.postgres
async def test_a_429_met_by_one_replica_pauses_the_others(
    shared_url: str, account: FakeMimo
) -> None:
    account.other_keys = {"sk-another-program"}
    async with httpx.AsyncClient() as http:  # another program of the account, unpaced
        other = MimoClient(http=http, api_key="sk-another-program", base_url=account.base_url,
                           minute=AccountMinute(limits=AccountLimits(paced=False)))  # fmt: skip
        await asyncio.gather(*(other.chat(f"other {n}") for n in range(REQUESTS)))
    async with sharing(shared_url, account, "first", "second") as (first, second):
        met = sent_as(Urgency.PERSON, "first", first, 1)
        await until_queue(shared_url, "first", lambda r: r[3] is not None, "the first one's 429")
        after = sent_as(Urgency.PERSON, "second", second, 1)
        await asyncio.wait_for(asyncio.gather(*met, *after), timeout=30)

    assert account.minute.refused == 1  # the first replica's first try alone: the second waited
    assert prompts_heard(account, "second") == 1


@pytest.mark.postgres
async def test_after_a_429_every_replica_takes_half_the_minute_for_a_while(shared_url: str) -> None:
    minute = limits_of(REQUESTS).others
    async with AsyncExitStack() as stack:
        met = await _ledger(stack, shared_url, "met")
        other = await _ledger(stack, shared_url, "other")
        await met.slowed("mimo-v2.5", 0.0, 60.0)
        taken = [await other.take("mimo-v2.5", minute, Urgency.LIVE, 1) for _ in range(REQUESTS)]

    assert [use is not None for use in taken] == [True] * 3 + [False] * 3
