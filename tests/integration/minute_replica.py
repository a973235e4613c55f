"""A replica of the bot, as far as MiMo's minute goes, in a process of its own for a test to kill:
the real MiMo client, its minute shared through PostgreSQL (`DatabaseLedger`), sending `count`
live chat requests at once to the MiMo stand-in and waiting for their answers.

    python -m tests.integration.minute_replica DATABASE_URL MIMO_URL API_KEY COUNT REQUESTS

`REQUESTS`: the chat model's requests a minute, in a minute of `MINUTE_SECONDS`, as the test's
other replicas count it. Killed with SIGKILL, it leaves what a dead replica leaves: its uses of
the minute, and its queue saying what waits in it.
"""

from __future__ import annotations

import asyncio
import sys

import httpx

from core.domain.mimo.account_minute_rules import AccountLimits, ModelMinute, Urgency, asking
from core.infra.mimo import MimoClient
from core.infra.mimo.minute_pacing import AccountMinute
from core.infra.storage.database_engines import create_minute_engine
from core.infra.storage.mimo_minute.shared_ledger_in_database import DatabaseLedger

MINUTE_SECONDS = 2.0
FRESH_SECONDS = 1.0  # what a queue says waits counts this long: a dead one's soon stops
ANNOUNCE_SECONDS = 0.2  # ...and a live one says it again this often
INSTANCE = "doomed"


def limits_of(
    requests: int, tokens: int = 10_000_000, seconds: float = MINUTE_SECONDS
) -> AccountLimits:
    """The account's minute the test's replicas share: `requests` requests and `tokens` tokens
    of the chat model a minute (and 10,000 tokens of speech recognition, as MiMo's)."""
    asr = ModelMinute(requests, 10_000, seconds)
    return AccountLimits(asr=asr, others=ModelMinute(requests, tokens, seconds))


async def send_and_wait(
    url: str, mimo_url: str, key: str, count: int, requests: int, seconds: float
) -> None:
    engine = create_minute_engine(url)
    assert engine is not None, "replicas share PostgreSQL"
    ledger = DatabaseLedger(engine, instance=INSTANCE, fresh=FRESH_SECONDS)
    minute = AccountMinute(
        limits=limits_of(requests, seconds=seconds),
        ledger=ledger,
        announce_seconds=ANNOUNCE_SECONDS,
    )
    async with httpx.AsyncClient() as http:
        client = MimoClient(http=http, api_key=key, base_url=mimo_url, minute=minute)
        with asking(Urgency.LIVE, chat=INSTANCE):
            await asyncio.gather(*(client.chat(f"{INSTANCE} {n}") for n in range(count)))


if __name__ == "__main__":
    url, mimo_url, key, count, requests = sys.argv[1:6]
    # Its own minute may be longer than the others' (a 7th argument): what it waits for then
    # stays waiting however slow the machine is, until it is killed.
    seconds = float(sys.argv[6]) if len(sys.argv) > 6 else MINUTE_SECONDS
    asyncio.run(send_and_wait(url, mimo_url, key, int(count), int(requests), seconds))
