"""A voice note the chat's limits refuse shows its refusal alone: the checks (its declared
length, the person's and the chat's minute, the day's audio) come before the "Transcribing…"
reply opens, so the chat never sees a status flash and vanish before the refusal. The real
Telegram adapter against the Bot API stand-in."""

from __future__ import annotations

from bots.telegram.telegram_wording import text
from tests.integration.conftest import running, settings_for
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

ALICE, BOB = 21, 22
GROUP = -100721


def shown(bot_api: FakeBotApi, chat_id: int) -> list[str]:
    """Every text the bot sent to the chat, and every edit, in order: what flashed too."""
    return [
        str(call.params.get("text"))
        for call in bot_api.sent(chat_id=chat_id)
        if call.method in ("sendMessage", "editMessageText")
    ]


async def test_a_note_too_long_or_over_the_day_shows_only_its_refusal(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, voice_ogg: bytes
) -> None:
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url,
        max_audio_seconds=120, daily_audio_seconds=60,
    )  # fmt: skip
    too_long = (
        "That recording is longer than 2 min, the limit set by the bot's owner (MAX_AUDIO_SECONDS)."
    )
    over_the_day = ("That recording is 1 min, 40 sec long, more than this chat may transcribe "
                    "in a day (1 min).")  # fmt: skip
    async with running(settings, bot_api):
        bot_api.push(bot_api.voice_message(
            chat_id=GROUP, user_id=ALICE, data=voice_ogg, duration=500, chat_type="supergroup"
        ))  # fmt: skip
        bot_api.push(bot_api.voice_message(chat_id=BOB, user_id=BOB, data=voice_ogg, duration=100))
        await bot_api.wait_for_texts(GROUP, [too_long])
        await bot_api.wait_for_texts(BOB, [over_the_day])
        bot_api.push(bot_api.voice_message(chat_id=BOB, user_id=BOB, data=voice_ogg, duration=3))
        await bot_api.wait_for_texts(BOB, [over_the_day, "heard 3.0 seconds"])

    assert shown(bot_api, GROUP) == [too_long]
    assert shown(bot_api, BOB)[0] == over_the_day
    # A note that fits still opens its reply as the work starts, and it becomes the transcript.
    assert shown(bot_api, BOB)[1:] == [text("transcript.working", "en"), "heard 3.0 seconds"]
    assert bot_api.sent("deleteMessage") == []
    assert len(bot_api.downloads) == 1 and len(mimo.calls("mimo-v2.5-asr")) == 1
