"""Work the running bot does on its own (`core.ports.background_tasks`), through `voicebridge run`:
a failure is logged once and counted in /metrics while the bot goes on answering, and the stop
leaves no task running, a task that would wait forever included."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from core.ports import background_tasks
from tests.audio_factory import make_audio
from tests.integration.conftest import (
    discord_settings,
    free_listens,
    running,
    running_discord,
    settings_for,
)
from tests.integration.test_operations import _samples, _value
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi
from tests.waiting import until

USER = 1001
TYPING = "POST /channels/{channel_id}/typing"


async def _fails_at_once() -> None:
    await asyncio.sleep(0)
    raise RuntimeError("a chore went wrong")


async def test_a_failing_task_is_logged_and_counted_and_the_bot_goes_on(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    sqlite_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    [listen] = free_listens()
    ogg = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url, ops_listen=listen)
    async with running(settings, bot_api):
        await asyncio.wait([background_tasks.start(_fails_at_once(), name="nightly chore")])
        bot_api.push(bot_api.voice_message(chat_id=USER, user_id=USER, data=ogg, duration=3))
        await bot_api.wait_for_texts(USER, ["heard 3.0 seconds"])
        samples = await _samples(listen)

    assert _value(samples, "voicebridge_background_failures_total", task="nightly chore") == 1
    logged = [
        r
        for r in caplog.records
        if r.levelno == logging.ERROR and "'nightly chore'" in r.getMessage()
    ]
    assert len(logged) == 1


async def test_a_task_of_the_bots_own_that_fails_is_logged_by_name_and_counted(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    sqlite_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Alice's voice message waits on MiMo, so the bot shows "typing…" under it, and the
    connection of that request is dropped on its way: the task that keeps "typing…" up fails.
    Its error is logged once with its name and counted in /metrics, and Alice still gets her
    transcript."""
    [listen] = free_listens()
    alice = discord_api.add_member(server, "alice")
    ogg = make_audio(tmp_path, fmt="ogg", seconds=3).read_bytes()
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=sqlite_url, ops_listen=listen
    )
    discord_api.drop_next(TYPING)
    async with running_discord(settings, discord_api):
        with mimo.held():
            await discord_api.post_voice_message(server.general, alice, ogg, duration=3)
            await until(lambda: failed(caplog, "typing"), "the typing task's failure")
        await discord_api.wait_for_contents(server.general, ["heard 3.0 seconds"])
        samples = await _samples(listen)

    assert [call.status for call in discord_api.calls if call.route == TYPING] == [0]  # dropped
    assert _value(samples, "voicebridge_background_failures_total", task="typing") == 1
    assert len(failed(caplog, "typing")) == 1


def failed(caplog: pytest.LogCaptureFixture, task: str) -> list[logging.LogRecord]:
    """The errors logged for the background task named `task`: a task that ended in an error, or
    a round of a periodic one (`core.ports.background_tasks.every`) that failed."""
    said = (f"background task {task!r} failed", f"a round of {task!r} failed")
    return [
        r for r in caplog.records
        if r.levelno == logging.ERROR and any(s in r.getMessage() for s in said)
    ]  # fmt: skip


async def test_the_stop_leaves_no_background_task_running(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url)
    async with running(settings, bot_api):
        forever = background_tasks.start(asyncio.Event().wait(), name="never ends")
        assert forever in background_tasks.supervisor().running
    # `voicebridge run` has returned.
    assert forever.cancelled()
    assert background_tasks.supervisor().running == frozenset()
