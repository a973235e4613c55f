"""Telegram inline mode end to end: `@bot some text` in any chat, typed one keystroke at a time,
becomes one voice note rendered once the user paused, stored in the cache chat and offered as a
cached voice (real python-telegram-bot, ffmpeg and SQLite or PostgreSQL, against the Bot API and
MiMo stand-ins)."""

from __future__ import annotations

import asyncio
import gc
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot, InlineQueryResultArticle, InputTextMessageContent
from telegram import InlineQueryResultCachedVoice as CachedVoice
from telegram.error import BadRequest

from bots.telegram.voices.inline_queries import PAUSE_SECONDS, InlineHandlers
from core.infra.audio.ffmpeg_converter import FfmpegAudio
from core.infra.audio.ffmpeg_processes import FfmpegProcesses
from core.infra.mimo import MIMO_AUDIO_CAPS
from tests.integration.chatlog_db import query
from tests.integration.conftest import running, settings_for
from tests.integration.test_voice_consent_telegram import clone_by_reading
from tests.standins.clock import ManualClock
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi
from tests.waiting import until

USER = 5005
CACHE = -1005550001  # the storage chat: a private channel the bot posts in


def voices_of(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return [result for result in answer["results"] if result["type"] == "voice"]


async def typed_then_paused(bot_api: FakeBotApi, clock: ManualClock, text: str) -> list[str]:
    """The user types `text` a keystroke at a time while the bot's clock stands still (however
    slowly a loaded machine hands the bot each one, the pause is not over), then pauses: once
    the queries replaced are answered and the last one's pause waits on the clock, the clock
    moves past it. The queries' ids, answered."""
    sleeping = clock.sleeping
    typed = await bot_api.typing_inline(user_id=USER, text=text)
    await bot_api.wait_for_inline_answers(typed[:-1])
    await paused(clock, sleeping)
    await bot_api.wait_for_inline_answers(typed)
    return typed


async def paused(clock: ManualClock, sleeping: int) -> None:
    """The user stops typing: once the pause of their last query waits on the clock (beside
    the `sleeping` that waited before), the clock moves past it."""
    await until(lambda: clock.sleeping == sleeping + 1, "the last query's pause begun")
    await clock.advance(timedelta(seconds=PAUSE_SECONDS))


async def test_one_rendering_after_typing_stops_then_the_cache_answers(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    """Issue 103: under load a keystroke could reach the bot after the pause of the one before
    had passed, and a replaced query was rendered: the pause runs on a clock the test moves."""
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, telegram_inline_cache_chat=CACHE
    )
    bot_api.add_chat(CACHE)  # the bot is an administrator there
    clock = ManualClock()
    async with running(settings, bot_api, clock=clock):
        typed = await typed_then_paused(bot_api, clock, "hello")
        again = bot_api.inline_query(user_id=USER, query="hello")
        await bot_api.wait_for_inline_answers([again])

    answers = [bot_api.inline_answers[query] for query in typed]
    assert [voices_of(answer) for answer in answers[:-1]] == [[]] * 4  # superseded: nothing
    [offered] = voices_of(answers[-1])
    assert answers[-1]["is_personal"] is True
    [stored] = bot_api.sent("sendVoice", chat_id=CACHE)
    assert offered["voice_file_id"] == stored.result["voice"]["file_id"]
    # What the user sends is the audio MiMo spoke, as the voice note stored in the cache chat.
    voice = tmp_path / "offered.ogg"
    voice.write_bytes(bot_api.file_bytes(offered["voice_file_id"]))
    returned = tmp_path / "returned.wav"
    returned.write_bytes(mimo.last_tts_wav)
    probe = FfmpegAudio(processes=FfmpegProcesses(), caps=MIMO_AUDIO_CAPS).probe
    info = await probe(voice)
    assert (info.container, info.codec) == ("ogg", "opus")
    assert info.duration == pytest.approx((await probe(returned)).duration, abs=0.1)
    [request] = mimo.calls("mimo-v2.5-tts")  # one rendering for six queries
    assert request["messages"][-1] == {"role": "assistant", "content": "hello"}
    [cached] = voices_of(bot_api.inline_answers[again])
    assert cached["voice_file_id"] == offered["voice_file_id"]
    assert bot_api.inline_from_cache == [again]  # Telegram kept the answer: no query to the bot


async def test_words_come_back_to_after_an_edit_get_their_voice_note(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    """ "hel" was only on the way to "hello"; deleting back to "hel" and pausing asks for it
    again, and it gets its voice note: what the bot answered the passing "hel" (nothing) must
    not be what Telegram keeps showing for it."""
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, telegram_inline_cache_chat=CACHE
    )
    bot_api.add_chat(CACHE)  # the bot is an administrator there
    clock = ManualClock()
    async with running(settings, bot_api, clock=clock):
        typed = await typed_then_paused(bot_api, clock, "hello")
        sleeping = clock.sleeping
        back = bot_api.inline_query(user_id=USER, query="hel")
        await paused(clock, sleeping)
        await bot_api.wait_for_inline_answers([back])

    assert voices_of(bot_api.inline_answers[typed[2]]) == []  # passed on the way
    [voice] = voices_of(bot_api.inline_answers[back])
    assert voice["title"] == "hel"
    assert [c["messages"][-1]["content"] for c in mimo.calls("mimo-v2.5-tts")] == ["hello", "hel"]


async def test_the_users_own_voice_decides_the_rendering(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    other = USER + 1
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, telegram_inline_cache_chat=CACHE
    )
    bot_api.add_chat(CACHE)  # the bot is an administrator there
    async with running(settings, bot_api):
        bot_api.push(bot_api.text_message(chat_id=other, user_id=other, text="/voice Dean"))
        await bot_api.wait_for("sendMessage", chat_id=other)
        first = bot_api.inline_query(user_id=USER, query="same words")
        await bot_api.wait_for_inline_answers([first])
        second = bot_api.inline_query(user_id=other, query="same words")
        await bot_api.wait_for_inline_answers([second])

    voices = [voices_of(bot_api.inline_answers[q])[0]["voice_file_id"] for q in (first, second)]
    assert voices[0] != voices[1]
    assert len(mimo.calls("mimo-v2.5-tts")) == 2


async def test_the_quota_is_the_users_and_a_refusal_says_why(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url,
        telegram_inline_cache_chat=CACHE, daily_tts_chars=12,
    )  # fmt: skip
    bot_api.add_chat(CACHE)  # the bot is an administrator there
    async with running(settings, bot_api):
        spoken = bot_api.inline_query(user_id=USER, query="ten chars!")
        await bot_api.wait_for_inline_answers([spoken])
        refused = bot_api.inline_query(user_id=USER, query="more words")
        await bot_api.wait_for_inline_answers([refused])
        elsewhere = bot_api.inline_query(user_id=USER + 1, query="more words")
        await bot_api.wait_for_inline_answers([elsewhere])

    assert len(voices_of(bot_api.inline_answers[spoken])) == 1
    answer = bot_api.inline_answers[refused]
    assert answer["results"] == []
    assert answer["button"]["text"]  # one short line above the (empty) results
    assert answer["button"]["start_parameter"] == "inline"
    assert len(voices_of(bot_api.inline_answers[elsewhere])) == 1  # another user's own quota
    assert len(mimo.calls("mimo-v2.5-tts")) == 2


async def test_a_cache_chat_the_bot_is_not_in_costs_nothing_and_the_log_says_so(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """TELEGRAM_INLINE_CACHE_CHAT names a chat the bot was never added to: Telegram would
    refuse every voice note kept there, so nothing is rendered, and one line says what to do."""
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, telegram_inline_cache_chat=CACHE
    )
    async with running(settings, bot_api):
        asked = [bot_api.inline_query(user_id=USER + n, query="hello") for n in range(2)]
        await bot_api.wait_for_inline_answers(asked)

    assert [bot_api.inline_answers[query]["results"] for query in asked] == [[], []]
    assert mimo.calls("mimo-v2.5-tts") == []
    assert bot_api.sent("sendVoice") == []
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "TELEGRAM_INLINE_CACHE_CHAT" in warning and "administrator" in warning


async def test_without_a_cache_chat_inline_mode_is_off_and_only_the_doctor_says_so(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Advice given at every start to someone who chose not to take it is noise: the start
    logs nothing about it at INFO; `voicebridge doctor` says it (tests/integration/cli)."""
    caplog.set_level(logging.INFO)
    async with running(settings_for(bot_api=bot_api, mimo=mimo, database_url=sqlite_url), bot_api):
        bot_api.inline_query(user_id=USER, query="hello")
        bot_api.push(bot_api.text_message(chat_id=USER, user_id=USER, text="/help"))
        await bot_api.wait_for("sendMessage", chat_id=USER)

    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert not [line for line in said if "TELEGRAM_INLINE_CACHE_CHAT" in line], said
    assert bot_api.inline_answers == {}
    assert mimo.calls("mimo-v2.5-tts") == []


async def test_the_standin_answers_inline_queries_as_strictly_as_telegram() -> None:
    async with (
        FakeBotApi() as api,
        Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as bot,
    ):
        file_id, _ = api.add_file(b"OggS")
        voice = CachedVoice(id="v", voice_file_id=file_id, title="hi")
        answered = api.inline_query(user_id=USER, query="hi")
        assert await bot.answer_inline_query(answered, [voice], cache_time=0, is_personal=True)
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_inline_query(answered, [voice])  # once only
        stranger = CachedVoice(id="v", voice_file_id="not-a-file-of-the-bot", title="hi")
        with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
            await bot.answer_inline_query(api.inline_query(user_id=USER, query="x"), [stranger])
        many = [
            InlineQueryResultArticle(id=str(n), title="t", input_message_content=_text())
            for n in range(51)
        ]
        with pytest.raises(BadRequest, match=r"(?i)results_too_much"):
            await bot.answer_inline_query(api.inline_query(user_id=USER, query="y"), many)
        with pytest.raises(BadRequest, match=r"(?i)result_id_duplicate"):
            await bot.answer_inline_query(api.inline_query(user_id=USER, query="z"), [voice] * 2)
        api.inline_query_lifetime = 0.0
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_inline_query(api.inline_query(user_id=USER, query="late"), [voice])
        me = await bot.get_me()

    assert me.supports_inline_queries and me.can_connect_to_business


def _text() -> InputTextMessageContent:
    return InputTextMessageContent("t")


async def test_a_stranger_gets_no_voice_and_costs_nothing(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url,
        telegram_inline_cache_chat=CACHE, allowed_users=str(USER),
    )  # fmt: skip
    bot_api.add_chat(CACHE)  # the bot is an administrator there
    async with running(settings, bot_api):
        bot_api.inline_query(user_id=USER + 7, query="hello")
        served = bot_api.inline_query(user_id=USER, query="hello")
        await bot_api.wait_for_inline_answers([served])

    assert list(bot_api.inline_answers) == [served]
    assert len(mimo.calls("mimo-v2.5-tts")) == 1


def inline_handlers(cache_chat: int) -> InlineHandlers:
    """The running bot's inline handler (the one storing its voice notes in `cache_chat`)."""
    gc.collect()
    [handler] = [o for o in gc.get_objects()
                 if isinstance(o, InlineHandlers) and o.cache_chat == cache_chat]  # fmt: skip
    return handler


def kept_by(handler: InlineHandlers) -> dict[str, int]:
    """The sizes of whatever the inline handler keeps in collections."""
    return {
        name: len(value)
        for name, value in vars(handler).items()
        if isinstance(value, dict | set | list) and value
    }


async def test_empty_and_replaced_queries_leave_nothing_behind(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    cache = CACHE - 1  # this test's own, to find this bot's handler
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, telegram_inline_cache_chat=cache
    )
    bot_api.add_chat(cache)
    # What the bot keeps is tested here, not how soon it answers: on a machine at load 13 a
    # hundred answers at 30 a second outlasted Telegram's 10 s, and the last were refused.
    bot_api.inline_query_lifetime = 60.0
    async with running(settings, bot_api):
        empty = [bot_api.inline_query(user_id=USER + n, query="") for n in range(100)]
        # Telegram's 30 requests a second, which the bot keeps, make these over 3 s; the limit
        # is only a safety net for a machine much slower than that.
        await bot_api.wait_for_inline_answers(empty, timeout=60)
        started = bot_api.inline_query(user_id=USER, query="hel")
        cleared = bot_api.inline_query(user_id=USER, query="")  # typed, then deleted
        await bot_api.wait_for_inline_answers([started, cleared])
        handler = inline_handlers(cache)
        await until(lambda: kept_by(handler) == {}, "the inline handler keeps nothing")

    assert all(voices_of(bot_api.inline_answers[q]) == [] for q in [*empty, started, cleared])
    assert mimo.calls("mimo-v2.5-tts") == []


async def test_a_query_superseded_by_one_already_received_is_never_rendered(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    """Two keystrokes reach the bot in one batch, with another chat's /help between them, and
    the bot's intake is held up (one unfinished update at a time, that /help's answer waiting
    on Telegram): the last keystroke is not handled for as long as that lasts, well past the
    pause, but it was received, so the first is answered with nothing at once and never
    rendered; only the whole words are."""
    other = USER + 200
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, telegram_inline_cache_chat=CACHE,
        telegram_max_pending_updates=1,
    )  # fmt: skip
    bot_api.add_chat(CACHE)
    async with running(settings, bot_api):
        help_sent = bot_api.hold("sendMessage")
        try:
            first = bot_api.inline_query(user_id=USER, query="good mor")
            bot_api.push(bot_api.text_message(chat_id=other, user_id=other, text="/help"))
            last = bot_api.inline_query(user_id=USER, query="good morning")
            await bot_api.wait_until(lambda: "sendMessage" in bot_api.waiting, what="/help held")
            await bot_api.wait_for_inline_answers([first])
            handled_while_held = last in bot_api.inline_answers
        finally:
            help_sent.set()
        await bot_api.wait_for_inline_answers([last])

    assert not handled_while_held  # the intake was held up, as meant
    assert voices_of(bot_api.inline_answers[first]) == []
    [offered] = voices_of(bot_api.inline_answers[last])
    [stored] = bot_api.sent("sendVoice", chat_id=CACHE)  # one rendering, of the whole words
    assert offered["voice_file_id"] == stored.result["voice"]["file_id"]
    assert [call["messages"][-1]["content"] for call in mimo.calls("mimo-v2.5-tts")] == [
        "good morning"
    ]


async def test_queries_in_their_pause_or_rendering_hold_no_update_slot(
    bot_api: FakeBotApi, mimo: FakeMimo, sqlite_url: str
) -> None:
    """The bot accepts two unfinished updates at a time here; two users' queries are waiting out
    their pause, then rendering with MiMo holding every request, and another chat's /start is
    still answered."""
    other = USER + 100
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=sqlite_url, telegram_inline_cache_chat=CACHE,
        telegram_max_pending_updates=2,
    )  # fmt: skip
    bot_api.add_chat(CACHE)
    async with running(settings, bot_api):
        mimo.release = asyncio.Event()  # MiMo answers nothing until it is set
        try:
            queries = [bot_api.inline_query(user_id=USER + n, query=f"hi {n}") for n in range(2)]
            await until(lambda: len(mimo.calls("mimo-v2.5-tts")) == 2, "both being rendered")
            bot_api.push(bot_api.text_message(chat_id=other, user_id=other, text="/start"))
            await bot_api.wait_for("sendMessage", chat_id=other)
            answered_while_held = [q for q in queries if q in bot_api.inline_answers]
        finally:
            mimo.release.set()
        await bot_api.wait_for_inline_answers(queries)

    assert answered_while_held == []
    assert all(len(voices_of(bot_api.inline_answers[q])) == 1 for q in queries)


async def test_renderings_go_with_voice_delete_and_forget_and_so_do_their_messages(
    bot_api: FakeBotApi, mimo: FakeMimo, database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(
        bot_api=bot_api, mimo=mimo, database_url=database_url, telegram_inline_cache_chat=CACHE
    )
    bot_api.add_chat(CACHE)

    async def said(words: str, **extra: Any) -> dict[str, Any]:
        already = len(bot_api.sent("sendMessage", chat_id=USER))
        message = bot_api.text_message(chat_id=USER, user_id=USER, text=words, **extra)
        bot_api.push(message)
        await bot_api.wait_for("sendMessage", count=already + 1, chat_id=USER)
        return message

    async def rendered(words: str) -> int:
        query = bot_api.inline_query(user_id=USER, query=words)
        await bot_api.wait_for_inline_answers([query])
        [voice] = voices_of(bot_api.inline_answers[query])
        [kept] = [c for c in bot_api.sent("sendVoice", chat_id=CACHE)
                  if c.result["voice"]["file_id"] == voice["voice_file_id"]]  # fmt: skip
        return int(kept.result["message_id"])

    async with running(settings, bot_api):
        await clone_by_reading(bot_api, USER, "Mine", tmp_path, chat=USER)
        await said("/voice Mine")
        in_mine = await rendered("in my own voice")
        await said("/voice Dean")
        in_dean = await rendered("in a voice of the model")
        await said("/voice delete Mine")
        deleted_with_the_voice = [c.params["message_id"] for c in bot_api.sent("deleteMessage")]
        kept_after_delete = await inline_rows(database_url)
        await said("/forget")
        deleted_with_forget = [c.params["message_id"] for c in bot_api.sent("deleteMessage")]
        kept_after_forget = await inline_rows(database_url)

    assert deleted_with_the_voice == [in_mine]
    assert kept_after_delete == [("dean", in_dean)]
    assert deleted_with_forget == [in_mine, in_dean]
    assert kept_after_forget == []
    assert all(c.params["chat_id"] == CACHE for c in bot_api.sent("deleteMessage"))


async def inline_rows(url: str) -> list[tuple[str, int]]:
    rows = await query(url, "SELECT voice_name, message_id FROM inline_voices ORDER BY message_id")
    return [(str(name), int(message)) for name, message in rows]
