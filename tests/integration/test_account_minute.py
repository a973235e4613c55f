"""The account's minute over the wire: the real MiMo client against the stand-in, which holds the
minute as MiMo does (429 with Retry-After past it). Paced, more work than a minute holds is all
answered and MiMo refuses none of it; unpaced, the same work meets MiMo's 429s."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from core.domain.errors import MimoRateLimited
from core.domain.mimo.account_minute_rules import AccountLimits, ModelMinute, Urgency, asking
from core.infra.mimo import MimoClient, RetryPolicy
from core.infra.mimo.minute_pacing import AccountMinute
from tests.audio_factory import wav_bytes
from tests.standins.mimo import FakeMimo
from tests.waiting import until

NO_RETRIES = RetryPolicy(initial_wait=0.01, max_wait=0.01, jitter=0.0)
SECOND = wav_bytes(tone_seconds=1.0, sample_rate=16_000)


def client_on(
    mimo: FakeMimo, http: httpx.AsyncClient, minute: ModelMinute, *, paced: bool = True
) -> MimoClient:
    limits = AccountLimits(asr=minute, others=minute, paced=paced)
    return MimoClient(
        http=http, api_key=mimo.api_key, base_url=mimo.base_url, retry_policy=NO_RETRIES,
        max_retries=0, minute=AccountMinute(limits=limits),
    )  # fmt: skip


async def heard_all(client: MimoClient, notes: int) -> list[str | BaseException]:
    """`notes` one-second notes from as many chats at once, each queued in its chat's place."""

    async def one(chat: int) -> str:
        with asking(Urgency.PERSON, chat):
            return (await client.transcribe(SECOND, mime="audio/wav")).text

    return await asyncio.gather(*(one(chat) for chat in range(notes)), return_exceptions=True)


@pytest.mark.parametrize(
    ("requests", "tokens"),
    [(4, 100_000), (100, 140)],  # held by its requests, then by its tokens (about 35 a note)
    ids=["requests", "tokens"],
)
async def test_more_than_a_minute_of_work_is_all_answered_and_mimo_refuses_none(
    mimo: FakeMimo, http: httpx.AsyncClient, requests: int, tokens: int
) -> None:
    mimo.minute.asr, mimo.minute.seconds = (requests, tokens), 1.0
    client = client_on(mimo, http, ModelMinute(requests, tokens, 1.0))
    heard = await heard_all(client, notes=10)
    assert heard == ["heard 1.0 seconds"] * 10
    assert mimo.minute.refused == 0
    assert len(mimo.minute.counted) == 10  # nothing sent twice


async def test_unpaced_the_same_work_meets_mimos_429s(
    mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    mimo.minute.asr, mimo.minute.seconds = (4, 100_000), 1.0
    client = client_on(mimo, http, ModelMinute(4, 100_000, 1.0), paced=False)
    heard = await heard_all(client, notes=10)
    refused = [h for h in heard if isinstance(h, MimoRateLimited)]
    assert len(refused) == 6 and mimo.minute.refused == 6


async def test_a_429_from_elsewhere_on_the_account_slows_the_whole_queue(
    mimo: FakeMimo, http: httpx.AsyncClient
) -> None:
    """Another program on the same key fills the minute: the one request that meets the 429
    waits out its Retry-After with every other request of the model, then all are answered."""
    mimo.minute.asr, mimo.minute.seconds = (3, 100_000), 2.0
    mimo.other_keys.add("sk-another-program")
    headers = {"api-key": "sk-another-program"}
    body = {"model": "mimo-v2.5-asr", "messages": [{"role": "user", "content": [
        {"type": "input_audio", "input_audio": {"data": "data:audio/wav;base64,"}}]}]}  # fmt: skip
    for _ in range(3):  # the other program's requests count in the same minute
        await http.post(f"{mimo.base_url}/chat/completions", json=body, headers=headers)
    client = MimoClient(
        http=http, api_key=mimo.api_key, base_url=mimo.base_url, retry_policy=NO_RETRIES,
        max_retries=3, minute=AccountMinute(limits=AccountLimits(asr=ModelMinute(3, 100_000, 2.0))),
    )  # fmt: skip
    first = asyncio.ensure_future(heard_all(client, notes=1))
    await until(lambda: mimo.minute.refused == 1, "the first request refused")
    heard = [*await heard_all(client, notes=2), *await first]
    assert heard == ["heard 1.0 seconds"] * 3
    assert mimo.minute.refused == 1  # the queue waited: the requests after it met no 429
    assert client.minute.refusals == 1
