"""Privacy end to end: /forget and retention really delete rows, digests run from the stored
schedule, and only administrators change any of it. Time is a manual clock, moved by hand."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from core.chat.locale_formats import time_of_day
from tests.integration.chatlog_db import logged, rows_of, until_logged
from tests.integration.conftest import running, settings_for
from tests.integration.test_telegram_summaries import (
    ALICE,
    BOB,
    GROUP_A,
    GROUP_B,
    conversation,
    next_reply,
    post,
    summary_requests,
)
from tests.standins.clock import ManualClock
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi


async def test_forget_deletes_everything_of_the_chat_and_nothing_of_others(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str
) -> None:
    for group in (GROUP_A, GROUP_B):
        bot_api.set_member_status(group, ALICE, "administrator")
    async with running(
        settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url), bot_api
    ):
        for group in (GROUP_A, GROUP_B):
            post(bot_api, group, ALICE, "/voice Dean")
            await next_reply(bot_api, group)
            post(bot_api, group, ALICE, "/digest 18:00")
            await next_reply(bot_api, group)
            post(bot_api, group, BOB, f"something said in {group}")
            await until_logged(database_url, group, 1)
        post(bot_api, GROUP_A, BOB, "/summary")  # stores the last-summary marker too
        await next_reply(bot_api, GROUP_A)
        before = await rows_of(database_url, GROUP_A)

        post(bot_api, GROUP_A, BOB, "/forget")
        refused = await next_reply(bot_api, GROUP_A)
        after_refusal = await rows_of(database_url, GROUP_A)
        post(bot_api, GROUP_A, ALICE, "/forget")
        done = await next_reply(bot_api, GROUP_A)
        after_forget = await rows_of(database_url, GROUP_A)

    assert before == {"chat_messages": 1, "chat_summary_state": 1, "chat_preferences": 1}
    assert refused == "Only administrators can use /forget in this chat."
    assert after_refusal == before
    assert done.startswith(
        "Done: I deleted everything I stored for this chat — 1 logged message or transcript,"
    )
    assert after_forget == {"chat_messages": 0, "chat_summary_state": 0, "chat_preferences": 0}
    assert await rows_of(database_url, GROUP_B) == {
        "chat_messages": 1,
        "chat_summary_state": 1,
        "chat_preferences": 1,
    }


async def test_retention_deletes_messages_once_they_are_older_than_the_setting(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str
) -> None:
    clock = ManualClock()
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, summary_retention_days=7
    )
    now = int(time.time())
    async with running(settings, bot_api, clock=clock):
        await clock.settled()  # the first round (and purge) ran before anything was logged
        post(bot_api, GROUP_A, ALICE, "eight days old", at=now - 8 * 86400)
        post(bot_api, GROUP_A, ALICE, "six days old", at=now - 6 * 86400)
        post(bot_api, GROUP_A, BOB, "brand new", at=now)
        await until_logged(database_url, GROUP_A, 3)

        await clock.advance(timedelta(hours=1))  # the next purge
        after_an_hour = await logged(database_url, GROUP_A)
        await clock.advance(timedelta(days=1, hours=1))
        after_a_day = await logged(database_url, GROUP_A)
        await clock.advance(timedelta(days=6))
        after_a_week = await logged(database_url, GROUP_A)

    assert [text for _, _, text in after_an_hour] == ["six days old", "brand new"]
    assert [text for _, _, text in after_a_day] == ["brand new"]
    assert after_a_week == []


async def test_the_digest_fires_from_the_stored_schedule_after_a_restart(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str
) -> None:
    bot_api.set_member_status(GROUP_A, ALICE, "administrator")
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    clock = ManualClock(start)
    berlin = (start + timedelta(minutes=30)).astimezone(ZoneInfo("Europe/Berlin"))
    at = f"{berlin:%H:%M}"
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)

    async with running(settings, bot_api, clock=clock):
        post(bot_api, GROUP_A, BOB, f"/digest {at} Europe/Berlin")
        refused = await next_reply(bot_api, GROUP_A)
        post(bot_api, GROUP_A, ALICE, f"/digest {at} europe/berlin")
        scheduled = await next_reply(bot_api, GROUP_A)
        post(bot_api, GROUP_A, BOB, "We agreed on Friday")
        post(bot_api, GROUP_B, BOB, "Group B is not in A's digest")
        await until_logged(database_url, GROUP_A, 1)
        await until_logged(database_url, GROUP_B, 1)
        await clock.advance(timedelta(minutes=20))  # not yet
    replies_before = len(bot_api.sent("sendMessage", chat_id=GROUP_A))

    async with running(settings, bot_api, clock=clock):  # a restart, same database
        await clock.advance(timedelta(minutes=20))  # past the digest time
        digests = bot_api.sent("sendMessage", chat_id=GROUP_A)[replies_before:]
        await clock.advance(timedelta(hours=2))  # and no second one the same day
        later = bot_api.sent("sendMessage", chat_id=GROUP_A)[replies_before:]

    assert refused == "Only administrators can use /digest in this chat."
    shown = time_of_day(berlin.time(), "en")  # "6:30 PM", as English reads it
    assert scheduled.startswith(f"Daily digest at {shown} (Europe/Berlin); the next one is due")
    [digest] = digests
    assert digest.params["text"].startswith("Daily digest of 1 message since ")
    assert " Europe/Berlin:" in digest.params["text"]
    assert digest.params["text"].endswith("a fake answer")
    assert later == digests
    [request] = summary_requests(mimo)
    assert conversation(request) == ["User12: We agreed on Friday"]


async def test_digest_off_and_showing_the_schedule(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    bot_api.set_member_status(GROUP_A, ALICE, "administrator")
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        replies = []
        for command in ("/digest", "/digest 7:30 Asia/Shanghai", "/digest", "/digest off",
                        "/digest 25:00", "/digest 18:00 Mars/Olympus"):  # fmt: skip
            post(bot_api, GROUP_A, ALICE, command)
            replies.append(await next_reply(bot_api, GROUP_A))

    assert replies[0].startswith("No daily digest in this chat.")
    assert replies[1].startswith("Daily digest at 7:30\u202fAM (Asia/Shanghai)")
    assert replies[2] == replies[1]
    assert replies[3].startswith("No daily digest in this chat.")
    assert replies[4].startswith("Usage: /digest HH:MM [time zone]")
    assert replies[5].startswith("“Mars/Olympus” is not a time zone I know.")
