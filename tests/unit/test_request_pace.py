"""The bot's budget of Discord requests (`bots.discord.global_request_limit`): replies wait for
room, a courtesy ("typing…") goes only while room is spare, and interactions never wait. Measured on
asyncio's own clock, so a slow machine cannot change the answer."""

from __future__ import annotations

import asyncio

import pytest

from bots.discord.global_request_limit import NoRoomSpare, RequestPace

REPLY = "/channels/1/messages"
TYPING = "/channels/1/typing"


async def test_a_courtesy_goes_while_the_budget_is_spare() -> None:
    pace = RequestPace(per_second=10, burst=2)
    await pace.wait_for_room(TYPING)
    await pace.wait_for_room(REPLY)


async def test_with_the_budget_used_up_a_courtesy_is_dropped_and_a_reply_waits_for_room() -> None:
    pace = RequestPace(per_second=10, burst=2)
    for _ in range(2):
        await pace.wait_for_room(REPLY)
    with pytest.raises(NoRoomSpare):
        await pace.wait_for_room(TYPING)
    reply = asyncio.create_task(pace.wait_for_room(REPLY))
    await asyncio.sleep(0)
    assert not reply.done()  # a reply is never dropped: it waits for room
    await asyncio.wait_for(reply, timeout=5)


async def test_interactions_and_webhooks_never_wait() -> None:
    pace = RequestPace(per_second=10, burst=1)
    await pace.wait_for_room(REPLY)
    for path in ("/interactions/1/token/callback", "/webhooks/1/token/messages/@original"):
        going = asyncio.create_task(pace.wait_for_room(path))
        await asyncio.sleep(0)
        assert going.done()
