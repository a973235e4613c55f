"""Chat actions come only from the budget replies leave spare: with Telegram's 20 messages a
minute per group and 30 a second to all chats (the stand-in enforces both), "typing…" never
takes a reply's place."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram.constants import ChatAction
from telegram.ext import ExtBot

from bots.telegram.application.flood_limits import ACTION_CEILING, BUSY_CEILING, SparingRateLimiter
from tests.standins.telegram_api import FakeBotApi

GROUP, USER = -100777, 4242


@pytest.fixture
async def paced_bot_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        server.add_chat(GROUP, "supergroup")
        server.add_chat(USER, "private")
        yield server


@pytest.fixture
async def ext_bot(paced_bot_api: FakeBotApi) -> AsyncIterator[ExtBot[None]]:
    limiter = SparingRateLimiter(max_retries=0)  # a 429 would fail the test, not be waited out
    async with ExtBot(
        paced_bot_api.token, base_url=paced_bot_api.base_url, rate_limiter=limiter
    ) as client:
        yield client


def actions(paced_bot_api: FakeBotApi, chat_id: int) -> int:
    return len(paced_bot_api.sent("sendChatAction", chat_id=chat_id))


async def test_typing_in_a_group_stops_while_its_replies_need_the_budget(
    paced_bot_api: FakeBotApi, ext_bot: ExtBot[None]
) -> None:
    await ext_bot.send_chat_action(GROUP, ChatAction.TYPING)  # a quiet group: shown
    for number in range(ACTION_CEILING - 1):
        await ext_bot.send_message(GROUP, f"reply {number}")
    for _ in range(10):  # a long job refreshing "typing…" while the group is busy
        await ext_bot.send_chat_action(GROUP, ChatAction.TYPING)
    for number in range(ACTION_CEILING - 1, 20 - 1):
        await ext_bot.send_message(GROUP, f"reply {number}")

    assert actions(paced_bot_api, GROUP) == 1
    assert len(paced_bot_api.texts(GROUP)) == 19  # every reply went, none refused, none waited out
    assert [c for c in paced_bot_api.sent(include_rejected=True) if not c.ok] == []


async def test_a_private_chat_shows_typing_whatever_the_groups_budget(
    paced_bot_api: FakeBotApi, ext_bot: ExtBot[None]
) -> None:
    for number in range(ACTION_CEILING + 2):
        await ext_bot.send_message(USER, f"reply {number}")
    await ext_bot.send_chat_action(USER, ChatAction.TYPING)

    assert actions(paced_bot_api, USER) == 1


async def test_typing_waits_out_a_second_in_which_the_bot_is_busy(
    paced_bot_api: FakeBotApi, seconds_now: list[float]
) -> None:
    # A burst: replies to many chats within one second. "typing…" in one more chat would take
    # a reply's place under the 30 a second: skipped; a second later, with the burst over, shown.
    limiter = SparingRateLimiter(max_retries=0, clock=lambda: seconds_now[0])
    chats = [5000 + n for n in range(BUSY_CEILING)]
    for chat in chats:
        paced_bot_api.add_chat(chat, "private")
    async with ExtBot(
        paced_bot_api.token, base_url=paced_bot_api.base_url, rate_limiter=limiter
    ) as bot:
        for chat in chats:
            await bot.send_message(chat, "a transcript")
        await bot.send_chat_action(USER, ChatAction.TYPING)
        seconds_now[0] += 1.0
        await bot.send_chat_action(USER, ChatAction.TYPING)

    assert actions(paced_bot_api, USER) == 1
    assert all(paced_bot_api.texts(chat) == ["a transcript"] for chat in chats)


@pytest.fixture
def seconds_now() -> list[float]:
    return [1000.0]
