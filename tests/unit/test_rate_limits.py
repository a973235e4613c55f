"""The bot's budget of Discord requests (`bots.discord.rate_limits`): replies wait their turn, a
courtesy ("typing…") goes only while a turn is spare, and interactions never wait. Measured on
asyncio's own clock, so a slow machine cannot change the answer."""

from __future__ import annotations

import asyncio

import pytest

from bots.discord.rate_limits import NoTurnSpare, RequestPace

REPLY = "/channels/1/messages"
TYPING = "/channels/1/typing"


async def test_a_courtesy_goes_while_the_budget_is_spare() -> None:
    pace = RequestPace(per_second=10, burst=2)
    await pace.turn(TYPING)
    await pace.turn(REPLY)


async def test_with_the_budget_used_up_a_courtesy_is_dropped_and_a_reply_waits_its_turn() -> None:
    pace = RequestPace(per_second=10, burst=2)
    for _ in range(2):
        await pace.turn(REPLY)
    with pytest.raises(NoTurnSpare):
        await pace.turn(TYPING)
    reply = asyncio.create_task(pace.turn(REPLY))
    await asyncio.sleep(0)
    assert not reply.done()  # a reply is never dropped: it waits for the next turn
    await asyncio.wait_for(reply, timeout=5)


async def test_interactions_and_webhooks_never_wait() -> None:
    pace = RequestPace(per_second=10, burst=1)
    await pace.turn(REPLY)
    for path in ("/interactions/1/token/callback", "/webhooks/1/token/messages/@original"):
        going = asyncio.create_task(pace.turn(path))
        await asyncio.sleep(0)
        assert going.done()
