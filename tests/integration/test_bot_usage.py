"""What the whole bot used, for `voicebridge usage` and the cost of a month: every chat's days
and their calls together (persons' days, members' shares and the budget's row are the same
work counted again), and a month's use outlives the days retention and `/forget` delete. SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import cast

from core.bootstrap import storage
from core.config import Settings
from core.domain.rules.quotas_rules import BotUsage, Counts
from core.domain.shared_values import ChatRef, Platform
from tests.standins.clock import ManualClock

TODAY = date(2026, 11, 26)
CHAT = ChatRef("telegram", "-1001")
FORGOTTEN = ChatRef("telegram", "-1002")
ROWS = [
    (CHAT, date(2026, 11, 2), Counts(audio_seconds=100, prompt_tokens=40, completion_tokens=4)),
    (CHAT, TODAY, Counts(audio_seconds=10, tts_chars=20)),
    (FORGOTTEN, date(2026, 11, 20), Counts(tts_chars=50, summaries=1)),
    (ChatRef("discord", "77/listen"), TODAY, Counts(audio_seconds=5)),  # a call listened to
    (ChatRef("telegram", "-1003"), date(2026, 10, 30), Counts(audio_seconds=1000)),
    # The same work counted again, for its limits: never twice in the bot's use.
    (ChatRef("telegram", "person:42"), TODAY, Counts(audio_seconds=10, tts_chars=20)),
    (ChatRef("discord", "77/reader:9"), TODAY, Counts(tts_chars=7)),
    (ChatRef(cast(Platform, "all"), "budget"), TODAY, Counts(audio_seconds=15, tts_chars=20)),
]


async def test_a_months_use_outlives_the_days_that_retention_and_forget_delete(
    database_url: str,
) -> None:
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    clock = ManualClock(datetime(2026, 11, 26, 12, tzinfo=UTC))
    async with storage(settings, migrate=False, clock=clock) as store:
        async with store.uow() as uow:
            for chat, day, counts in ROWS:
                await uow.usage.add(chat, day, counts)
            await uow.commit()
        before = await store.limiter.whole_bot()

        assert await store.limiter.purge_days(keep_days=7) == 2  # 2 Nov and 30 Oct
        async with store.uow() as uow:
            await uow.usage.delete_chat(FORGOTTEN, today=TODAY)  # /forget
            await uow.commit()
        after = await store.limiter.whole_bot()
        async with store.uow() as uow:
            october = await uow.usage.bot_month(date(2026, 10, 1), date(2026, 10, 31))

    month = Counts(
        audio_seconds=115, tts_chars=70, summaries=1, prompt_tokens=40, completion_tokens=4
    )
    assert before == BotUsage(day=TODAY, today=Counts(audio_seconds=15, tts_chars=20), month=month)
    assert after == before
    assert october == Counts(audio_seconds=1000)
