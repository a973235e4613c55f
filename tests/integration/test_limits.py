"""Limits that protect the owner, end to end: the real Telegram and Discord adapters against
their stand-ins, real MiMo client, ffmpeg, SQLite and PostgreSQL; and the limits' state shared
by two processes through one database.

Time is a `ManualClock` standing at 18:48:00 UTC (of the real day, so the stand-ins' message
times stay near it): every request of a test falls in one minute, and the UTC day ends in
5 hr, 12 min.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bots.platform_runner import run_bots
from core.app.rules.limits import Limiter
from core.chat.message_catalogue import text
from core.config import Settings
from core.domain import errors
from core.domain.rules.quotas_rules import (
    ANYONE,
    Counts,
    DailyCaps,
    DailyQuotas,
    LimitPolicy,
    RateLimits,
    asked_by,
)
from core.domain.shared_values import ChatRef
from core.infra.storage import Base, SqlAlchemyUnitOfWork, create_engine, session_factory
from tests.audio_factory import make_audio
from tests.integration.chatlog_db import query, until_logged
from tests.integration.conftest import discord_settings, running, settings_for, started
from tests.standins.clock import ManualClock
from tests.standins.discord_api import FakeDiscord, Guild
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi
from tests.waiting import until

ALICE, BOB, CAROL = 11, 12, 13
GROUP, OTHER_GROUP = -100500, -100600
RESET = "5 hr, 12 min"
PRIVATE = "Sorry, this bot is private."


def at_18_48() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(hour=18, minute=48, second=0, microsecond=0))


@pytest.fixture
def quiet_refusals(caplog: pytest.LogCaptureFixture) -> Callable[[], int]:
    """How many times the bots so far decided to say nothing (a limit already told, a stranger
    refused): the sign that handling of such a message is over."""
    caplog.set_level(logging.DEBUG, logger="bots")
    signs = (
        "refused quietly",
        "refused an interaction",
        "refused an update",
        "ignored a message from outside",
    )
    return lambda: sum(1 for r in caplog.records if r.getMessage().startswith(signs))


def send(bot_api: FakeBotApi, chat_id: int, user_id: int, words: str) -> dict[str, Any]:
    chat_type = "private" if chat_id > 0 else "supergroup"
    message = bot_api.text_message(
        chat_id=chat_id, user_id=user_id, text=words, chat_type=chat_type
    )
    bot_api.push(message)
    return message


def voice(bot_api: FakeBotApi, chat_id: int, user_id: int, data: bytes) -> dict[str, Any]:
    chat_type = "private" if chat_id > 0 else "supergroup"
    message = bot_api.voice_message(
        chat_id=chat_id, user_id=user_id, data=data, duration=3, chat_type=chat_type
    )
    bot_api.push(message)
    return message


async def until_reads(bot_api: FakeBotApi, chat_id: int, *expected: str) -> None:
    """Wait until the chat reads `expected` after what it read before."""
    before = [t for t in bot_api.texts(chat_id) if t not in expected]
    await bot_api.wait_for_texts(chat_id, [*before, *expected])


def tokens_reported(mimo: FakeMimo) -> tuple[int, int]:
    """Prompt and completion tokens MiMo reported for transcripts, questions and summaries (the
    speech it synthesised is counted in characters)."""
    prompt = completion = 0
    for model, reported in mimo.usages:
        if "tts" in model:
            continue
        prompt += reported["prompt_tokens"]
        completion += reported["completion_tokens"]
    return prompt, completion


async def rows_about(url: str, ids: list[int]) -> dict[str, int]:
    """Rows of every table that name one of these chats or users."""
    chats = [str(i) for i in ids]
    subjects = [f"{kind}:{i}" for i in ids for kind in ("chat", "user")]
    found: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        column, values = ("subject", subjects) if "subject" in table.c else ("chat_id", chats)
        if column not in table.c:
            continue
        listed = ", ".join(f"'{value}'" for value in values)
        counting = f"SELECT count(*) FROM {table.name} WHERE {column} IN ({listed})"
        [(count,)] = await query(url, counting)
        found[table.name] = int(count)
    return found


# --- Telegram: rates -------------------------------------------------------------------------


async def test_a_person_over_their_minute_is_told_when_to_try_again_and_others_carry_on(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str
) -> None:
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, rate_limit_user_per_minute=2
    )
    async with running(settings, bot_api, clock=at_18_48()):
        for count, words in enumerate(("/say one", "/say two"), start=1):
            send(bot_api, ALICE, ALICE, words)
            await bot_api.wait_for("sendVoice", count=count, chat_id=ALICE)
        send(bot_api, ALICE, ALICE, "/say three")
        await until_reads(bot_api, ALICE, "Slow down: at most 2 requests a minute per person. "
                                   "Try again in 1 min.")  # fmt: skip
        send(bot_api, GROUP, ALICE, "/say in the group")  # a person's minute spans chats
        await until_reads(bot_api, GROUP, "Slow down: at most 2 requests a minute per person. "
                                   "Try again in 1 min.")  # fmt: skip
        send(bot_api, BOB, BOB, "/say my own minute")
        await bot_api.wait_for("sendVoice", chat_id=BOB)
        send(bot_api, ALICE, ALICE, "/settings")  # not a costly request: never limited
        await bot_api.wait_until(lambda: bot_api.texts(ALICE)[-1].startswith("Settings"))

    assert [body["messages"][-1]["content"] for body in mimo.calls("mimo-v2.5-tts")] == [
        "one", "two", "my own minute"
    ]  # fmt: skip


async def test_a_person_searching_in_a_loop_is_slowed_and_voice_notes_go_on(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    """Searches have a minute of each person's own (10 by default): Alice's twentieth `/find`
    in a minute is refused, and neither her voice notes nor Bob's wait for it."""
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
    async with running(settings, bot_api, clock=at_18_48()):
        for _ in range(20):
            send(bot_api, ALICE, ALICE, "/find invoice")
        await bot_api.wait_until(lambda: len(bot_api.texts(ALICE)) == 20, timeout=30)
        voice(bot_api, GROUP, ALICE, voice_ogg)
        voice(bot_api, GROUP, BOB, voice_ogg)
        await bot_api.wait_until(lambda: len(bot_api.texts(GROUP)) == 2)

    answers = bot_api.texts(ALICE)
    slow = "Slow down: at most 10 requests a minute per person. Try again in 1 min."
    assert answers.count(slow) == 10
    assert all(a.startswith("Nothing I kept here") for a in answers if a != slow)
    assert all("heard 3.0 seconds" in t for t in bot_api.texts(GROUP))


async def test_ask_counts_in_the_person_s_searches_before_searching_even_when_nothing_is_kept(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str
) -> None:
    """`/ask` across the chat searches first: counted in the asker's minute of searches, found
    or not; the model, not asked when nothing is kept, counts nowhere else."""
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, rate_limit_searches_per_minute=2
    )
    async with running(settings, bot_api, clock=at_18_48()):
        for number in range(3):
            send(bot_api, ALICE, ALICE, "/ask who paid the invoice?")
            await bot_api.wait_until(lambda n=number: len(bot_api.texts(ALICE)) == n + 1)

    first, second, third = bot_api.texts(ALICE)
    assert first.startswith("Nothing I kept here") and second.startswith("Nothing I kept here")
    assert third == "Slow down: at most 2 requests a minute per person. Try again in 1 min."
    assert mimo.requests == []


async def test_asks_that_find_nothing_leave_the_group_s_voice_notes_alone(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    """Members asking in a loop about what nobody said use their own minute of searches, not
    the group's minute of costly requests: the group's voice notes are transcribed on."""
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, rate_limit_chat_per_minute=3
    )
    async with running(settings, bot_api, clock=at_18_48()):
        for member in (ALICE, BOB, CAROL):
            for _ in range(2):
                send(bot_api, GROUP, member, "/ask zeppelin airship?")
        await bot_api.wait_until(lambda: len(bot_api.texts(GROUP)) == 6, timeout=30)
        voice(bot_api, GROUP, 14, voice_ogg)
        await bot_api.wait_until(lambda: len(bot_api.texts(GROUP)) == 7)

    assert all(t.startswith("Nothing I kept here") for t in bot_api.texts(GROUP)[:6])
    assert "heard 3.0 seconds" in bot_api.texts(GROUP)[6]


async def test_a_chat_over_its_minute_is_told_and_another_chat_is_not(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str
) -> None:
    settings = settings_for(
        bot_api=bot_api,
        mimo=mimo,
        database_url=database_url,
        rate_limit_user_per_minute=0,
        rate_limit_chat_per_minute=2,
    )
    async with running(settings, bot_api, clock=at_18_48()):
        for count, user in enumerate((ALICE, BOB), start=1):
            send(bot_api, GROUP, user, "/say hello")
            await bot_api.wait_for("sendVoice", count=count, chat_id=GROUP)
        send(bot_api, GROUP, CAROL, "/say me too")
        await until_reads(bot_api, GROUP, "This chat has made its 2 requests for this minute. "
                                   "Try again in 1 min.")  # fmt: skip
        send(bot_api, OTHER_GROUP, CAROL, "/say elsewhere")
        await bot_api.wait_for("sendVoice", chat_id=OTHER_GROUP)

    assert len(mimo.calls("mimo-v2.5-tts")) == 3


async def test_a_busy_group_hears_once_a_minute_that_automatic_transcripts_wait(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    database_url: str,
    voice_ogg: bytes,
    quiet_refusals: Callable[[], int],
) -> None:
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, rate_limit_chat_per_minute=1
    )
    clock = at_18_48()
    notice = (
        "Too many recordings in this chat right now (more than 1 a minute): "
        "I skip automatic transcripts for the next 1 min."
    )
    async with running(settings, bot_api, clock=clock):
        voice(bot_api, GROUP, ALICE, voice_ogg)
        await until_reads(bot_api, GROUP, "heard 3.0 seconds")
        voice(bot_api, GROUP, BOB, voice_ogg)
        await until_reads(bot_api, GROUP, notice)
        third = voice(bot_api, GROUP, CAROL, voice_ogg)
        await until(lambda: quiet_refusals() == 1, "the third note's quiet refusal")
        assert bot_api.replies_to(GROUP, third["message_id"]) == []

        await clock.advance(timedelta(minutes=1))
        voice(bot_api, GROUP, CAROL, voice_ogg)
        await bot_api.wait_until(lambda: bot_api.texts(GROUP).count("heard 3.0 seconds") == 2)

    assert bot_api.texts(GROUP) == ["heard 3.0 seconds", notice, "heard 3.0 seconds"]
    assert len(mimo.calls("mimo-v2.5-asr")) == 2


# --- Telegram: quotas and /usage -------------------------------------------------------------


async def test_a_recording_longer_than_what_is_left_today_never_reaches_mimo(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, daily_audio_seconds=5
    )
    async with running(settings, bot_api, clock=at_18_48()):
        voice(bot_api, ALICE, ALICE, voice_ogg)
        await until_reads(bot_api, ALICE, "heard 3.0 seconds")
        voice(bot_api, ALICE, ALICE, voice_ogg)
        await until_reads(
            bot_api,
            ALICE,
            "That recording is 3 sec long, but this chat has only 2 sec of transcription left "
            f"today (its daily limit is 5 sec); try again in {RESET}, or send a shorter one.",
        )
        voice(bot_api, BOB, BOB, voice_ogg)  # another chat has its own day
        await until_reads(bot_api, BOB, "heard 3.0 seconds")

    assert len(mimo.calls("mimo-v2.5-asr")) == 2


async def test_a_refused_recording_is_never_downloaded(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    """The rate limits, the quotas and clone consent judge what Telegram declares (who, how
    long): a refused recording makes the bot ask Telegram for no file at all."""
    settings = settings_for(
        bot_api=bot_api,
        mimo=mimo,
        database_url=database_url,
        rate_limit_user_per_minute=2,
        daily_audio_seconds=60,
    )
    async with running(settings, bot_api, clock=at_18_48()):
        for sent in (1, 2):
            voice(bot_api, ALICE, ALICE, voice_ogg)
            await bot_api.wait_for_texts(ALICE, ["heard 3.0 seconds"] * sent)
        voice(bot_api, ALICE, ALICE, voice_ogg)
        await until_reads(bot_api, ALICE, "Slow down: at most 2 requests a minute per person. "
                                   "Try again in 1 min.")  # fmt: skip
        bot_api.push(bot_api.voice_message(chat_id=BOB, user_id=BOB, data=voice_ogg, duration=100))
        await until_reads(bot_api, BOB, "That recording is 1 min, 40 sec long, more than this chat "
                                 "may transcribe in a day (1 min).")  # fmt: skip
        alices = bot_api.voice_message(
            chat_id=GROUP, user_id=ALICE, data=voice_ogg, chat_type="supergroup"
        )
        bot_api.push(bot_api.text_message(chat_id=GROUP, user_id=CAROL, text="/voice clone Me",
                                          chat_type="supergroup", reply_to=alices))  # fmt: skip
        await bot_api.wait_until(  # cloning needs a fresh reading: nothing is downloaded
            lambda: bot_api.texts(GROUP)[-1:][0].startswith("To clone your voice")
            if bot_api.texts(GROUP) else False
        )  # fmt: skip

    assert len(bot_api.sent("getFile")) == 2  # Alice's first two voice notes
    assert len(bot_api.downloads) == 2
    assert len(mimo.calls("mimo-v2.5-asr")) == 2


async def test_usage_shows_what_the_chat_did_today_and_forget_does_not_reset_it(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    bot_api.set_member_status(GROUP, ALICE, "administrator")
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
    async with running(settings, bot_api, clock=at_18_48()):
        voice(bot_api, GROUP, BOB, voice_ogg)
        await until_reads(bot_api, GROUP, "heard 3.0 seconds")
        await until_logged(database_url, GROUP, 1)
        send(bot_api, GROUP, ALICE, "/say Hello there")
        await bot_api.wait_for("sendVoice", chat_id=GROUP)
        send(bot_api, GROUP, ALICE, "/summary")
        await bot_api.wait_until(lambda: bot_api.texts(GROUP)[-1].endswith(mimo.answer_text))
        send(bot_api, GROUP, ALICE, "/usage")
        await bot_api.wait_until(lambda: bot_api.texts(GROUP)[-1].startswith("Used in"))
        usage = bot_api.texts(GROUP)[-1]
        send(bot_api, OTHER_GROUP, ALICE, "/usage")
        await bot_api.wait_for("sendMessage", chat_id=OTHER_GROUP)
        prompt, completion = tokens_reported(mimo)
        before = await rows_about(database_url, [GROUP])
        send(bot_api, GROUP, ALICE, "/forget")
        await bot_api.wait_until(lambda: bot_api.texts(GROUP)[-1].startswith("Done"))
        left = await rows_about(database_url, [GROUP])
        send(bot_api, GROUP, ALICE, "/usage")
        await bot_api.wait_until(lambda: bot_api.texts(GROUP)[-1].startswith("Used in"))
        forgotten = bot_api.texts(GROUP)[-1]

    assert usage == (
        f"Used in this chat today (the day ends at midnight UTC, in {RESET}):\n"
        "• Transcription: 3 sec of 2 hr (1 hr, 59 min, 57 sec left)\n"
        "• Speech: 11 of 20,000 characters (19,989 left)\n"
        "• Summaries: 1 of 20 (19 left)\n"
        "• Questions about recordings: 0 sec of 1 hr of audio (1 hr left)\n"
        f"• MiMo tokens: {prompt + completion:,} ({prompt:,} in, {completion:,} out)\n"
        "• Yours, all chats together: 0 sec of 1 hr of transcription\n"  # Alice's, not Bob's
        "• Yours, all chats together: 11 of 10,000 characters of speech\n"
        "• At most 6 requests a minute per person\n"
        "• At most 20 requests a minute in this chat\n"
        "• Your attempts at cloning your voice today: 0 of 5"
    )
    assert prompt > 0 and completion > 0
    assert "Transcription: 0 sec of 2 hr" in bot_api.texts(OTHER_GROUP)[0]
    # Forgetting deletes what was said, not what was spent: the day's quotas stay used.
    assert forgotten.splitlines()[1:4] == usage.splitlines()[1:4]
    # The voice note's transcript was kept, piece by piece, and goes with the rest.
    assert before["recording_transcripts"] == before["recording_transcript_parts"] == 1
    assert left.pop("chat_usage") == 1  # today's, so that forgetting restores no quota
    # How many times it was forgotten, which work under way in any process checks (a count).
    assert left.pop("chat_forgets") == 1
    assert "processed_updates" in left  # the claims on the group's messages were looked at too
    assert set(left.values()) == {0}, left


async def test_a_voice_note_counts_its_last_second_whole_as_mimo_bills_it_whatever_it_says(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    """MiMo bills each request in whole seconds, a second begun counted whole: a note of
    2.4 s costs 3, and counts 3 in the chat's day even where MiMo's answer says nothing of
    the seconds (no `usage.seconds`)."""
    mimo.asr_reports_seconds = False
    data = make_audio(tmp_path, fmt="ogg", seconds=2.4).read_bytes()
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url)
    async with running(settings, bot_api, clock=at_18_48()):
        bot_api.push(bot_api.voice_message(chat_id=ALICE, user_id=ALICE, data=data, duration=2))
        await until_reads(bot_api, ALICE, "heard 2.4 seconds")
        send(bot_api, ALICE, ALICE, "/usage")
        await bot_api.wait_until(lambda: bot_api.texts(ALICE)[-1].startswith("Used in"))

    assert mimo.asr_billed_seconds == 3
    assert "• Transcription: 3 sec of 2 hr (" in bot_api.texts(ALICE)[-1]


# --- Telegram: the allowlist -----------------------------------------------------------------


async def test_strangers_get_one_sentence_for_a_command_and_nothing_is_kept_of_them(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    database_url: str,
    voice_ogg: bytes,
    quiet_refusals: Callable[[], int],
) -> None:
    settings = settings_for(
        bot_api=bot_api,
        mimo=mimo,
        database_url=database_url,
        allowed_chats=str(GROUP),
        allowed_users=f"telegram:{ALICE}",
    )
    async with running(settings, bot_api, clock=at_18_48()):
        send(bot_api, BOB, BOB, "/say let me in")
        await until_reads(bot_api, BOB, PRIVATE)
        voice(bot_api, BOB, BOB, voice_ogg)  # in a private chat a recording is a request too
        await until_reads(bot_api, BOB, PRIVATE, PRIVATE)
        send(bot_api, OTHER_GROUP, BOB, "We talk about things here.")
        voice(bot_api, OTHER_GROUP, BOB, voice_ogg)
        send(bot_api, OTHER_GROUP, BOB, "/summary")
        await until_reads(bot_api, OTHER_GROUP, PRIVATE)
        await until(lambda: quiet_refusals() == 5, "five updates refused")
        kept = await rows_about(database_url, [BOB, OTHER_GROUP])

        send(bot_api, GROUP, BOB, "/say anyone in this group may")
        await bot_api.wait_for("sendVoice", chat_id=GROUP)
        send(bot_api, ALICE, ALICE, "/say and Alice anywhere")
        await bot_api.wait_for("sendVoice", chat_id=ALICE)

    assert bot_api.texts(OTHER_GROUP) == [PRIVATE]  # the chatter and the voice note: silence
    assert bot_api.texts(BOB) == [PRIVATE, PRIVATE]
    assert mimo.calls("mimo-v2.5-asr") == []
    assert len(mimo.calls("mimo-v2.5-tts")) == 2
    assert set(kept.values()) == {0}, kept


# --- Telegram: shares of the bill ------------------------------------------------------------


async def test_a_sender_over_their_cap_in_one_group_is_refused_in_a_second(
    bot_api: FakeBotApi,
    mimo: FakeMimo,
    database_url: str,
    voice_ogg: bytes,
    quiet_refusals: Callable[[], int],
) -> None:
    """Voice notes transcribed automatically in groups count against their sender's own day,
    all chats together; past it they are refused aloud once, then quietly, and /usage shows
    the sender's share."""
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, daily_person_audio_seconds=5
    )
    refusal = (
        "That recording is 3 sec long, but you have only 2 sec of transcription left today, all "
        f"chats together (each person may have 5 sec a day); try again in {RESET}, or send a "
        "shorter one."
    )
    async with running(settings, bot_api, clock=at_18_48()):
        voice(bot_api, GROUP, ALICE, voice_ogg)
        await until_reads(bot_api, GROUP, "heard 3.0 seconds")
        second = voice(bot_api, OTHER_GROUP, ALICE, voice_ogg)
        await until_reads(bot_api, OTHER_GROUP, refusal)
        third = voice(bot_api, GROUP, ALICE, voice_ogg)
        await until(lambda: quiet_refusals() == 1, "the third note's quiet refusal")
        voice(bot_api, OTHER_GROUP, BOB, voice_ogg)  # another sender, the same group
        await until_reads(bot_api, OTHER_GROUP, "heard 3.0 seconds")
        send(bot_api, OTHER_GROUP, ALICE, "/usage")
        await bot_api.wait_until(lambda: bot_api.texts(OTHER_GROUP)[-1].startswith("Used in"))

    assert [m["text"] for m in bot_api.replies_to(OTHER_GROUP, second["message_id"])] == [refusal]
    assert bot_api.replies_to(GROUP, third["message_id"]) == []
    usage = bot_api.texts(OTHER_GROUP)[-1].splitlines()
    assert "• Yours, all chats together: 3 sec of 5 sec of transcription" in usage
    assert "• Transcription: 3 sec of 2 hr (1 hr, 59 min, 57 sec left)" in usage  # Bob's
    assert len(mimo.calls("mimo-v2.5-asr")) == 2


async def test_each_groups_anonymous_administrators_have_a_cap_of_their_own(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str
) -> None:
    """Anonymous administrators of every group arrive as one bot user (GroupAnonymousBot),
    each group as their `sender_chat`: the group is who they are for a person's daily caps, so
    two unrelated groups' administrators never spend each other's day."""
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, daily_person_tts_chars=5
    )

    def anonymous(chat_id: int, user_id: int, words: str) -> None:
        bot_api.push(bot_api.text_message(
            chat_id=chat_id, user_id=user_id, text=words, chat_type="supergroup", anonymous=True
        ))  # fmt: skip

    async with running(settings, bot_api, clock=at_18_48()):
        anonymous(GROUP, ALICE, "/say hello")  # the group's five characters of the day
        await bot_api.wait_for("sendVoice", chat_id=GROUP)
        anonymous(OTHER_GROUP, BOB, "/say world")  # another group's: five of its own
        await bot_api.wait_for("sendVoice", chat_id=OTHER_GROUP)
        anonymous(GROUP, CAROL, "/say again")  # the first group's again: its day is spent
        await until_reads(bot_api, GROUP, "You have used all of your speech for today, all chats "
                                   "together (each person may have 5 characters a day); try "
                                   f"again in {RESET}.")  # fmt: skip
        anonymous(OTHER_GROUP, BOB, "/usage")
        await bot_api.wait_until(lambda: bot_api.texts(OTHER_GROUP)[-1:] != [])

    usage = bot_api.texts(OTHER_GROUP)[-1].splitlines()
    assert "• Yours, all chats together: 5 of 5 characters of speech" in usage, usage
    assert [body["messages"][-1]["content"] for body in mimo.calls("mimo-v2.5-tts")] == [
        "hello", "world"
    ]  # fmt: skip


async def test_past_the_daily_budget_the_bot_rests_until_tomorrow_in_every_chat(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str
) -> None:
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, daily_budget_tts_chars=10
    )
    clock = at_18_48()
    bot_api.set_user_language(CAROL, "de")
    async with running(settings, bot_api, clock=clock):
        send(bot_api, ALICE, ALICE, "/say hello")
        await bot_api.wait_for("sendVoice", chat_id=ALICE)
        send(bot_api, GROUP, BOB, "/say world")
        await bot_api.wait_for("sendVoice", chat_id=GROUP)
        send(bot_api, OTHER_GROUP, BOB, "/say again")
        await until_reads(bot_api, OTHER_GROUP,
                          "I have spoken all I may today, every chat together: "
                          f"I rest until tomorrow (in {RESET}).")  # fmt: skip
        send(bot_api, CAROL, CAROL, "/say hallo")
        await until_reads(bot_api, CAROL,
                          "Ich habe heute alles gesprochen, was ich darf, alle Chats "
                          "zusammen: Ich ruhe mich bis morgen aus (in 5 Std., "
                          "12 Min.).")  # fmt: skip
        await clock.advance(timedelta(hours=5, minutes=12))  # midnight UTC: a new day
        send(bot_api, OTHER_GROUP, BOB, "/say again")
        await bot_api.wait_for("sendVoice", chat_id=OTHER_GROUP)

    assert [body["messages"][-1]["content"] for body in mimo.calls("mimo-v2.5-tts")] == [
        "hello", "world", "again"
    ]  # fmt: skip


async def test_an_open_bot_used_in_more_than_a_few_chats_says_so_at_start(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    policy = LimitPolicy(RateLimits(0, 0), DailyQuotas())
    async with process(database_url, policy, StillClock(datetime.now(UTC))) as earlier:
        for chat in range(4):  # four chats used it in the days kept
            async with earlier.spending(ChatRef("telegram", f"-{chat + 1}"), ANYONE, tts_chars=1):
                pass
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=database_url)
    caplog.set_level(logging.WARNING, logger="core.app.rules.limits")
    async with running(settings, bot_api):
        await until(lambda: bool(caplog.records), "the warning")

    [warning] = [r.getMessage() for r in caplog.records if r.name == "core.app.rules.limits"]
    assert warning.startswith("the bot is in 4 chats and serves everyone (ALLOWED_CHATS and "
                              "ALLOWED_USERS are empty)")  # fmt: skip


# --- Telegram and Discord: the Discord adapter -----------------------------------------------


@asynccontextmanager
async def running_discord_at(
    settings: Settings, discord_api: FakeDiscord, clock: ManualClock
) -> AsyncIterator[None]:
    """`voicebridge run` on Discord, on `clock`."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_bots(settings, stop, clock=clock))
    await started(task, discord_api.wait_until_identified(len(discord_api.identify_payloads) + 1))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


async def test_discord_limits_a_person_and_shows_a_servers_usage(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    database_url: str,
    voice_ogg: bytes,
) -> None:
    alice = discord_api.add_member(server, "alice")
    carol = discord_api.add_member(server, "carol")
    other = discord_api.add_guild("Elsewhere")
    bob = discord_api.add_member(other, "bob")
    settings = discord_settings(
        discord_api=discord_api,
        mimo=mimo,
        database_url=database_url,
        rate_limit_user_per_minute=2,
    )
    async with running_discord_at(settings, discord_api, at_18_48()):
        for words in ("one", "two"):
            said_aloud = await discord_api.slash(server.general, alice, "say", text=words)
            await said_aloud.wait_for_messages()
        refused = await discord_api.slash(server.general, alice, "say", text="three")
        [refusal] = await refused.wait_for_messages()
        elsewhere = await discord_api.slash(other.general, bob, "say", text="hi")
        await elsewhere.wait_for_messages()
        # Alice's minute is used up, automatic transcripts of hers included: Carol's is heard.
        await discord_api.post_voice_message(server.general, carol, voice_ogg, duration=3)
        await discord_api.wait_until(
            lambda: any(m.content == "heard 3.0 seconds" for m in discord_api.messages),
            timeout=15,
            what="the transcript",
        )
        asked = await discord_api.slash(server.general, alice, "usage")
        [usage] = await asked.wait_for_messages()

    assert refusal.ephemeral
    assert refusal.content == (
        "Slow down: at most 2 requests a minute per person. Try again in 1 min."
    )
    assert usage.ephemeral
    assert usage.content.splitlines()[1:3] == [
        "• Transcription: 3 sec of 2 hr (1 hr, 59 min, 57 sec left)",
        "• Speech: 6 of 20,000 characters (19,994 left)",  # "one", "two"; not the other server's
    ]
    assert len(mimo.calls("mimo-v2.5-tts")) == 3


async def test_discord_refuses_strangers(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    database_url: str,
    voice_ogg: bytes,
    quiet_refusals: Callable[[], int],
) -> None:
    alice = discord_api.add_member(server, "alice")
    other = discord_api.add_guild("Not allowed")
    mallory = discord_api.add_member(other, "mallory")
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=database_url, allowed_chats=str(server.id)
    )
    async with running_discord_at(settings, discord_api, at_18_48()):
        refused = await discord_api.slash(other.general, mallory, "say", text="let me in")
        [refusal] = await refused.wait_for_messages()
        await discord_api.post_voice_message(other.general, mallory, voice_ogg, duration=3)
        dm = discord_api.dm_channel(mallory)
        await discord_api.post_voice_message(dm, mallory, voice_ogg, duration=3)
        [dm_refusal] = await discord_api.wait_for_messages(dm)
        await until(lambda: quiet_refusals() >= 3, "the strangers' messages refused")
        allowed = await discord_api.slash(server.general, alice, "say", text="welcome")
        await allowed.wait_for_messages()

    assert refusal.content == PRIVATE and refusal.ephemeral
    assert dm_refusal.content == PRIVATE
    assert discord_api.messages_in(other.general) == [refusal]  # the voice message: silence
    assert mimo.calls("mimo-v2.5-asr") == []
    assert len(discord_api.downloads) == 0
    assert len(mimo.calls("mimo-v2.5-tts")) == 1
    ids = [other.id, other.general, dm, mallory]
    assert set((await rows_about(database_url, ids)).values()) == {0}


async def test_discord_downloads_no_refused_voice_message(
    discord_api: FakeDiscord,
    server: Guild,
    mimo: FakeMimo,
    database_url: str,
    voice_ogg: bytes,
) -> None:
    """Over the chat's minute, or declared longer than what is left of its day: refused on
    what Discord states, before anything is fetched from its CDN."""
    alice = discord_api.add_member(server, "alice")
    other = discord_api.add_guild("Elsewhere")
    bob = discord_api.add_member(other, "bob")
    settings = discord_settings(
        discord_api=discord_api,
        mimo=mimo,
        database_url=database_url,
        rate_limit_chat_per_minute=1,
        daily_audio_seconds=60,
    )
    async with running_discord_at(settings, discord_api, at_18_48()):
        await discord_api.post_voice_message(server.general, alice, voice_ogg, duration=3)
        await discord_api.wait_for_contents(server.general, ["heard 3.0 seconds"])
        await discord_api.post_voice_message(server.general, alice, voice_ogg, duration=3)
        await discord_api.wait_for_contents(
            server.general,
            ["heard 3.0 seconds", "Too many recordings in this chat right now (more than 1 a "
                                  "minute): I skip automatic transcripts for the next 1 min."],
        )  # fmt: skip
        await discord_api.post_voice_message(other.general, bob, voice_ogg, duration=100)
        await discord_api.wait_for_contents(
            other.general,
            ["That recording is 1 min, 40 sec long, more than this chat may transcribe in a day "
             "(1 min)."],
        )  # fmt: skip

    assert len(discord_api.downloads) == 1
    assert len(mimo.calls("mimo-v2.5-asr")) == 1


async def test_discord_servers_past_the_daily_budget_hear_the_bot_rests_until_tomorrow(
    discord_api: FakeDiscord, server: Guild, mimo: FakeMimo, database_url: str, voice_ogg: bytes
) -> None:
    alice = discord_api.add_member(server, "alice")
    other = discord_api.add_guild("Elsewhere")
    bob = discord_api.add_member(other, "bob")
    settings = discord_settings(
        discord_api=discord_api, mimo=mimo, database_url=database_url, daily_budget_audio_seconds=5
    )
    resting = (
        "I have transcribed all I may today, every chat together: I rest until tomorrow "
        f"(in {RESET})."
    )
    async with running_discord_at(settings, discord_api, at_18_48()):
        await discord_api.post_voice_message(server.general, alice, voice_ogg, duration=3)
        await discord_api.wait_for_contents(server.general, ["heard 3.0 seconds"])
        await discord_api.post_voice_message(other.general, bob, voice_ogg, duration=3)
        await discord_api.wait_for_contents(other.general, [resting])
        recording = await discord_api.post_voice_message(
            server.general, alice, voice_ogg, duration=3
        )
        asked = await discord_api.message_command(server.general, alice, "Transcribe", recording)
        [refusal] = await asked.wait_for_messages()

    assert refusal.content == resting
    assert len(mimo.calls("mimo-v2.5-asr")) == 1


async def test_discord_in_more_than_a_few_servers_open_to_all_says_so_at_start(
    discord_api: FakeDiscord, mimo: FakeMimo, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    for number in range(4):
        discord_api.add_guild(f"Server {number}")
    settings = discord_settings(discord_api=discord_api, mimo=mimo, database_url=database_url)
    caplog.set_level(logging.WARNING, logger="core.app.rules.limits")
    async with running_discord_at(settings, discord_api, at_18_48()):
        await until(lambda: bool(caplog.records), "the warning")

    [warning] = [r.getMessage() for r in caplog.records if r.name == "core.app.rules.limits"]
    assert warning.startswith("the bot is in 4 chats and serves everyone")


# --- the limits' state, shared through the database ------------------------------------------


class StillClock:
    def __init__(self, now: datetime) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)


@asynccontextmanager
async def process(url: str, policy: LimitPolicy, clock: StillClock) -> AsyncIterator[Limiter]:
    """A limiter with an engine of its own, as a second replica would have."""
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        yield Limiter(uow=lambda: SqlAlchemyUnitOfWork(sessions), clock=clock, policy=policy)
    finally:
        await engine.dispose()


CHAT = ChatRef("telegram", "-100")
NOON = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


async def test_a_quota_holds_across_two_processes_sharing_the_database(
    database_url: str,
) -> None:
    policy = LimitPolicy(RateLimits(0, 0), DailyQuotas(summaries=7))
    clock = StillClock(NOON)
    async with (
        process(database_url, policy, clock) as one,
        process(database_url, policy, clock) as two,
    ):

        async def summary(limiter: Limiter) -> bool:
            try:
                async with limiter.spending(CHAT, ANYONE, summaries=1):
                    await asyncio.sleep(0)
            except errors.SummaryQuotaUsed:
                return False
            return True

        made = await asyncio.gather(*(summary(one if i % 2 else two) for i in range(20)))
        seen_by_one, seen_by_two = await one.today(CHAT), await two.today(CHAT)

    assert made.count(True) == 7
    assert seen_by_one.used == seen_by_two.used == Counts(summaries=7)


async def test_a_race_for_the_last_of_a_quota_ends_in_work_or_the_quota_sentence(
    database_url: str,
) -> None:
    """Two replicas, many requests for the last two summaries of the day at once; half of the
    work fails and gives its share back while others are being refused. Each request is served,
    fails on its own, or is refused with the quota's sentence: never an internal error."""
    policy = LimitPolicy(RateLimits(0, 0), DailyQuotas(summaries=6))
    clock = StillClock(NOON)
    sentence = (  # NOON: 12 hours to midnight
        "This chat has used all of today's summaries (its daily limit is 6 summaries); "
        "try again in 12 hr."
    )

    class WorkFailed(Exception):
        pass

    async with (
        process(database_url, policy, clock) as one,
        process(database_url, policy, clock) as two,
    ):
        for _ in range(4):
            async with one.spending(CHAT, ANYONE, summaries=1):
                pass

        async def summary(number: int) -> str:
            limiter = one if number % 2 else two
            try:
                async with limiter.spending(CHAT, ANYONE, summaries=1):
                    for _ in range(number % 3):
                        await asyncio.sleep(0)
                    if number % 4 < 2:
                        raise WorkFailed
            except WorkFailed:
                return "failed"
            except errors.SummaryQuotaUsed as refusal:
                return text(refusal.key, "en", **refusal.params)
            return "made"

        outcomes = await asyncio.gather(*(summary(n) for n in range(60)))
        used = await one.today(CHAT)

    assert set(outcomes) <= {"made", "failed", sentence}, set(outcomes)
    assert outcomes.count("made") <= 2
    assert used.used == Counts(summaries=4 + outcomes.count("made"))


async def test_a_rate_limit_holds_across_two_processes_sharing_the_database(
    database_url: str,
) -> None:
    policy = LimitPolicy(RateLimits(user_per_minute=6, chat_per_minute=0), DailyQuotas())
    clock = StillClock(NOON)
    async with (
        process(database_url, policy, clock) as one,
        process(database_url, policy, clock) as two,
    ):

        async def request(limiter: Limiter) -> bool:
            try:
                await limiter.admit(CHAT, asked_by(ALICE))
            except errors.SlowDown:
                return False
            return True

        admitted = await asyncio.gather(*(request(one if i % 2 else two) for i in range(15)))
        clock.at = NOON + timedelta(minutes=1)
        next_minute = await request(two)
        await one.admit(ChatRef("telegram", "-200"), asked_by(BOB))
        clock.at = NOON + timedelta(hours=2)
        purged = await one.purge()

    assert admitted.count(True) == 6
    assert next_minute
    assert purged == 3  # Alice's windows of two minutes, and Bob's (chats are not limited)


async def test_a_persons_minute_and_their_chats_are_counted_together_or_not_at_all(
    database_url: str,
) -> None:
    """Each request counts in its sender's minute and its chat's, one statement for both; one
    refused by either counts in neither (another process sees the same counts)."""
    policy = LimitPolicy(RateLimits(user_per_minute=2, chat_per_minute=3), DailyQuotas())
    clock = StillClock(NOON)

    async def admitted(limiter: Limiter, person: int) -> str:
        try:
            await limiter.admit(CHAT, asked_by(person))
        except errors.SlowDown:
            return "person"
        except errors.ChatSlowDown:
            return "chat"
        return "yes"

    async with (
        process(database_url, policy, clock) as one,
        process(database_url, policy, clock) as two,
    ):
        alice = [await admitted(one, ALICE), await admitted(two, ALICE), await admitted(one, ALICE)]
        bob = [await admitted(two, BOB), await admitted(one, BOB)]

    # Alice's third is her own limit and takes nothing from the chat: Bob gets the chat's third.
    assert alice == ["yes", "yes", "person"]
    assert bob == ["yes", "chat"]


async def test_forgetting_a_chat_keeps_todays_spending_and_drops_earlier_days(
    database_url: str,
) -> None:
    policy = LimitPolicy(RateLimits(0, 0), DailyQuotas(summaries=3))
    yesterday = NOON - timedelta(days=1)
    async with process(database_url, policy, StillClock(NOON)) as limiter:
        async with limiter.spending(CHAT, ANYONE, summaries=2):
            pass
        engine = create_engine(database_url)
        try:
            async with SqlAlchemyUnitOfWork(session_factory(engine)) as uow:
                await uow.usage.add(CHAT, yesterday.date(), Counts(summaries=3))
                await uow.commit()
            async with SqlAlchemyUnitOfWork(session_factory(engine)) as uow:
                await uow.usage.delete_chat(CHAT, today=NOON.date())  # what /forget runs
                await uow.commit()
            async with SqlAlchemyUnitOfWork(session_factory(engine)) as uow:
                earlier = await uow.usage.day(CHAT, yesterday.date())
        finally:
            await engine.dispose()
        with pytest.raises(errors.SummaryQuotaUsed):
            async with limiter.spending(CHAT, ANYONE, summaries=2):
                pass
        async with limiter.spending(CHAT, ANYONE, summaries=1):
            pass
        used = await limiter.today(CHAT)

    assert earlier == Counts()
    assert used.used == Counts(summaries=3)


async def test_recorded_usage_never_goes_below_zero(database_url: str) -> None:
    policy = LimitPolicy(RateLimits(), DailyQuotas())
    async with process(database_url, policy, StillClock(NOON)) as limiter:
        engine = create_engine(database_url)
        try:
            async with SqlAlchemyUnitOfWork(session_factory(engine)) as uow:
                await uow.usage.add(CHAT, NOON.date(), Counts(tts_chars=5, summaries=1))
                await uow.usage.add(CHAT, NOON.date(), Counts(tts_chars=-9))
                await uow.commit()
        finally:
            await engine.dispose()
        used = await limiter.today(CHAT)

    assert used.used == Counts(tts_chars=0, summaries=1)


async def test_0004_adds_the_limits_tables_and_takes_them_away(empty_database_url: str) -> None:
    from core.infra.storage import downgrade, upgrade

    await upgrade(empty_database_url, "0004")
    tables = {t for (t,) in await query(empty_database_url, _TABLES[_dialect(empty_database_url)])}
    await downgrade(empty_database_url, "0003")
    after = {t for (t,) in await query(empty_database_url, _TABLES[_dialect(empty_database_url)])}
    await upgrade(empty_database_url)

    assert {"rate_windows", "chat_usage"} <= tables
    assert tables - after == {"rate_windows", "chat_usage"}


_TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
}


def _dialect(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


async def test_the_daily_budget_holds_across_two_processes_sharing_the_database(
    database_url: str,
) -> None:
    """Two replicas, forty people in forty chats asking at once for 10 characters each, with a
    budget of 75: seven are spoken, every other one hears the bot rests, in whichever replica."""
    nothing = DailyCaps()
    policy = LimitPolicy(
        RateLimits(0, 0), DailyQuotas(), person=nothing, budget=DailyCaps(tts_chars=75)
    )
    clock = StillClock(NOON)
    async with (
        process(database_url, policy, clock) as one,
        process(database_url, policy, clock) as two,
    ):

        async def say(number: int) -> bool:
            chat = ChatRef("discord" if number % 3 else "telegram", f"-{number}")
            try:
                async with (one if number % 2 else two).spending(
                    chat, asked_by(number), tts_chars=10
                ):
                    await asyncio.sleep(0)
            except errors.SpeechBudgetSpent:
                return False
            return True

        spoken = await asyncio.gather(*(say(n) for n in range(40)))

    assert spoken.count(True) == 7
