"""Starting while a platform cannot be reached yet (the machine's network still coming up, the
platform's bad minute): the bot waits for it and then works; if it never comes, one line says
what to check."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bots.platform_runner import run_bots
from bots.startup_retries import reach
from core.config import Settings
from core.domain.errors import StartupError
from tests.integration.conftest import discord_settings, free_ports, settings_for, started
from tests.standins.discord_api import FakeDiscord
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

USER = 1001
NOT_REACHABLE = "is not reachable"


async def tried_and_waiting(caplog: pytest.LogCaptureFixture, bot: asyncio.Task[None]) -> None:
    """Until the starting bot has tried to reach its platform, failed, and said it will try
    again; it must still be running then."""
    async with asyncio.timeout(30):
        while not any(NOT_REACHABLE in r.getMessage() for r in caplog.records):
            assert not bot.done(), "the bot gave up at once"
            await asyncio.sleep(0.01)
    assert not bot.done()


async def test_telegram_out_of_reach_at_start_is_waited_for(
    mimo: FakeMimo, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    [port] = free_ports()
    later = FakeBotApi(port=port)  # nothing listens on the port yet
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        mimo_api_key=mimo.api_key,
        mimo_base_url=mimo.base_url,
        telegram_bot_token=later.token,
        telegram_api_url=f"http://127.0.0.1:{port}",
        database_url=sqlite_url,
    )
    stop = asyncio.Event()
    with caplog.at_level(logging.WARNING, logger="bots.startup_retries"):
        task = asyncio.create_task(run_bots(settings, stop))
        await tried_and_waiting(caplog, task)
        async with later as bot_api:
            await started(task, bot_api.wait_for("getUpdates", timeout=30))
            bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text="/help"))
            await bot_api.wait_for("sendMessage", chat_id=USER)
            stop.set()
            await asyncio.wait_for(task, timeout=30)

    assert any(NOT_REACHABLE in r.getMessage() for r in caplog.records)
    assert bot_api.token not in caplog.text


@pytest.mark.parametrize("failing", ["setMyCommands", "deleteWebhook"])
async def test_telegram_failing_after_it_answered_at_start_is_waited_for_too(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
    failing: str,
) -> None:
    """Telegram answers getMe, then its front answers 502 to the next step of the start (the
    command menu, or the webhook's removal before polling): its bad minute began a moment
    later, and the bot waits for it as it would have at getMe, not dying with a traceback."""
    bot_api.bad_gateway_next(failing)
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url)
    stop = asyncio.Event()
    with caplog.at_level(logging.WARNING, logger="bots.startup_retries"):
        task = asyncio.create_task(run_bots(settings, stop))
        await started(task, bot_api.wait_for("getUpdates", timeout=30))
        bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text="/help"))
        await bot_api.wait_for("sendMessage", chat_id=USER)
        stop.set()
        await asyncio.wait_for(task, timeout=30)

    [waited] = [r.getMessage() for r in caplog.records if NOT_REACHABLE in r.getMessage()]
    assert waited.startswith("Telegram is not reachable (NetworkError: Bad Gateway (502)")
    tried = [call.error for call in bot_api.sent(failing, include_rejected=True)]
    assert tried[0] == "Bad Gateway" and set(tried[1:]) == {None}  # tried again, and answered


async def test_discord_out_of_reach_at_start_is_waited_for(
    mimo: FakeMimo, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    [port] = free_ports()
    later = FakeDiscord(port=port)
    settings = discord_settings(discord_api=later, mimo=mimo, database_url=sqlite_url)
    settings.discord_api_url = f"http://127.0.0.1:{port}/api/v10"
    stop = asyncio.Event()
    with caplog.at_level(logging.WARNING, logger="bots.startup_retries"):
        task = asyncio.create_task(run_bots(settings, stop))
        await tried_and_waiting(caplog, task)
        async with later as discord_api:
            assert discord_api.api_url == settings.discord_api_url
            await started(task, discord_api.wait_until_identified(timeout=30))
            stop.set()
            await asyncio.wait_for(task, timeout=30)

    assert any(NOT_REACHABLE in r.getMessage() for r in caplog.records)


async def test_a_platform_that_stays_out_of_reach_is_named_in_one_line() -> None:
    tries = 0

    async def refused() -> None:
        nonlocal tries
        tries += 1
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 9)")

    with pytest.raises(StartupError) as raised:
        await reach(
            "Telegram",
            refused,
            transient=(ConnectionError,),
            setting="TELEGRAM_API_URL",
            patience=0.3,
            first_wait=0.05,
        )

    assert str(raised.value) == (
        "cannot reach Telegram (ConnectionRefusedError: [Errno 111] Connect call failed "
        "('127.0.0.1', 9)); check the network and TELEGRAM_API_URL"
    )
    assert tries >= 2  # it tried again before giving up


async def test_an_error_that_is_not_the_network_is_not_retried() -> None:
    tries = 0

    async def refused_token() -> None:
        nonlocal tries
        tries += 1
        raise PermissionError("token refused")

    with pytest.raises(PermissionError):
        await reach("Telegram", refused_token, transient=(ConnectionError,), setting="X")
    assert tries == 1


async def test_telegram_dropping_while_running_is_one_line_a_try_and_one_when_back(
    mimo: FakeMimo, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    [port] = free_ports()
    first = FakeBotApi(port=port)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        mimo_api_key=mimo.api_key,
        mimo_base_url=mimo.base_url,
        telegram_bot_token=first.token,
        telegram_api_url=f"http://127.0.0.1:{port}",
        database_url=sqlite_url,
    )
    stop = asyncio.Event()
    polls = "bots.telegram.application.polling_outages"
    with caplog.at_level(logging.INFO):
        async with first as bot_api:
            task = asyncio.create_task(run_bots(settings, stop))
            await started(task, bot_api.wait_for("getUpdates", timeout=30))
        dropped = len(caplog.records)  # Telegram is gone from here on
        async with asyncio.timeout(30):
            while sum(r.name == polls for r in caplog.records[dropped:]) < 3:
                await asyncio.sleep(0.01)
        async with FakeBotApi(port=port) as back:
            await back.wait_for("getUpdates", timeout=30)
            async with asyncio.timeout(30):
                while not any("answers again" in r.getMessage() for r in caplog.records):
                    await asyncio.sleep(0.01)
            stop.set()
            await asyncio.wait_for(task, timeout=30)

    outage = [r for r in caplog.records[dropped:] if r.levelno >= logging.WARNING]
    assert outage and all(r.name == polls and r.exc_info is None for r in outage), [
        (r.name, r.getMessage()) for r in outage
    ]
    waits = [r.getMessage() for r in outage]
    assert "ConnectError" in waits[-1]  # the cause, in the line
    assert "polling again in 1.0 s (failure 1 in a row)" in waits[0]
    assert "polling again in 1.5 s (failure 2 in a row)" in waits[1]
    [back_line] = [r for r in caplog.records if "answers again" in r.getMessage()]
    assert back_line.levelno == logging.INFO
