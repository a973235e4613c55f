"""The account's minute as a Telegram chat meets it (`core.domain.mimo.account_minute_rules`): a
voice note that waits for its use says so in its status, then comes, MiMo never refusing it; the
minute goes chat by chat, so one chat's burst of notes never holds another chat's first note behind
it; and /metrics shows the minute. MiMo's stand-in holds the same minute as the bot's settings, a
short one."""

from __future__ import annotations

from typing import Any

from bots.telegram.answers.telegram_progress_pace import Pace
from tests.integration.conftest import free_listens, running, settings_for
from tests.integration.test_operations import _eventually_sampled, _samples, _value
from tests.standins.mimo import FakeMimo, hears_by_length
from tests.standins.telegram_api import FakeBotApi

ASR = "mimo-v2.5-asr"
ANN, BOB = 501, 502
SAID = {2: "heard 2.0 seconds", 3: "heard 3.0 seconds"}  # as MiMo's stand-in hears any note


def short_minute(mimo: FakeMimo, *, requests: int, seconds: float) -> dict[str, Any]:
    """MiMo's minute of speech recognition holds `requests` in `seconds`; the settings that
    say so to the bot."""
    mimo.minute.asr = (requests, 10_000)
    mimo.minute.seconds = seconds
    return {"mimo_asr_requests_per_minute": requests, "mimo_minute_seconds": seconds}


def note_from(bot_api: FakeBotApi, chat: int, ogg: bytes, seconds: int) -> None:
    bot_api.push(bot_api.voice_message(chat_id=chat, user_id=chat, data=ogg, duration=seconds))


def waiting(urgency: str, count: int) -> Any:
    """A probe of the metrics: `count` requests of `urgency` wait for the minute."""
    return lambda samples: (
        _value(samples, "voicebridge_mimo_minute_waiting", urgency=urgency) == count
    )


def waiting_at_least(urgency: str, count: int) -> Any:
    """A probe of the metrics: at least `count` requests of `urgency` wait for the minute."""
    return lambda samples: (
        (_value(samples, "voicebridge_mimo_minute_waiting", urgency=urgency) or 0) >= count
    )


async def test_a_note_that_waits_for_the_minute_says_so_in_its_status_then_comes(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes, short_ogg: bytes
) -> None:
    minute = short_minute(mimo, requests=1, seconds=3.0)
    settings = settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url, **minute)
    async with running(settings, bot_api, pace=Pace(private_edit_seconds=0.1)):
        note_from(bot_api, ANN, voice_ogg, 3)  # the minute's one request
        await bot_api.wait_for_texts(ANN, ["heard 3.0 seconds"])
        note_from(bot_api, ANN, short_ogg, 2)
        await bot_api.wait_until(
            lambda: any(text.startswith("Waiting for MiMo") for text in bot_api.texts(ANN)),
            what="the wait said in the note's status",
        )
        assert len(mimo.calls(ASR)) == 1  # it waits here, not at MiMo
        await bot_api.wait_for_texts(ANN, ["heard 3.0 seconds", "heard 2.0 seconds"])

    statuses = [str(call.params["text"]) for call in bot_api.sent("editMessageText", chat_id=ANN)]
    assert "Waiting for MiMo: yours goes next…" in statuses  # next in the queue, the minute full
    assert statuses[-1] == "heard 2.0 seconds"  # the status became its transcript
    assert len(bot_api.sent("sendMessage", chat_id=ANN)) == 2  # one reply a note
    assert mimo.minute.refused == 0


async def test_one_chats_burst_of_notes_never_holds_another_chats_first_note_behind_it(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes, short_ogg: bytes
) -> None:
    [listen] = free_listens()
    heard = hears_by_length(mimo, SAID)  # Ann's notes are of 3 s, Bob's of 2
    # A minute long enough that Bob's note, converted on a loaded machine, reaches the queue
    # before the minute has room for Ann's second.
    minute = short_minute(mimo, requests=1, seconds=4.0)
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, ops_listen=listen, **minute
    )
    async with running(settings, bot_api):
        for _ in range(5):
            note_from(bot_api, ANN, voice_ogg, 3)
        # Her first note took the minute's use; her others wait for theirs.
        await _eventually_sampled(listen, waiting_at_least("person", 2), timeout=30)
        note_from(bot_api, BOB, short_ogg, 2)
        await bot_api.wait_for_texts(BOB, ["heard 2.0 seconds"], timeout=30)
        done = ["heard 3.0 seconds"] * 5
        await bot_api.wait_until(lambda: bot_api.texts(ANN) == done, timeout=60)

    # Bob's first note took the use after Ann's first: the minute goes chat by chat.
    assert heard == [3, 2, 3, 3, 3, 3]
    assert mimo.minute.refused == 0


async def test_the_metrics_show_the_minute_what_waits_for_it_and_the_429s(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    [listen] = free_listens()
    minute = short_minute(mimo, requests=1, seconds=3.0)
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, ops_listen=listen, **minute
    )
    asr = {"model": ASR}

    def held(samples: Any) -> bool:
        return _value(samples, "voicebridge_mimo_minute_requests", **asr) == 1

    async with running(settings, bot_api):
        note_from(bot_api, ANN, voice_ogg, 3)
        await bot_api.wait_for_texts(ANN, ["heard 3.0 seconds"])
        full = await _eventually_sampled(listen, held)
        note_from(bot_api, BOB, voice_ogg, 3)  # waits for the minute
        waits = await _eventually_sampled(listen, waiting("person", 1))
        mimo.fail_next(429, retry_after=1)  # another program on the account, say
        await bot_api.wait_for_texts(BOB, ["heard 3.0 seconds"], timeout=30)
        after = await _samples(listen)

    assert _value(full, "voicebridge_mimo_minute_requests_limit", **asr) == 1
    assert _value(full, "voicebridge_mimo_minute_tokens_limit", **asr) == 10_000
    assert _value(full, "voicebridge_mimo_minute_tokens", **asr) > 0
    assert _value(waits, "voicebridge_mimo_minute_waiting", urgency="live") == 0
    assert _value(after, "voicebridge_mimo_minute_waiting", urgency="person") == 0
    uses = _value(after, "voicebridge_mimo_minute_wait_seconds_count", urgency="person")
    assert uses == 3  # Ann's, Bob's, and Bob's again after the 429
    at_once = _value(
        after, "voicebridge_mimo_minute_wait_seconds_bucket", urgency="person", le="0.01"
    )
    assert 1 <= at_once < uses  # Ann's went at once; Bob's waited
    assert _value(after, "voicebridge_mimo_refusals_total", **asr) == 1
    assert _value(after, "voicebridge_mimo_minute_wait_seconds_count", urgency="background") == 0
